#pragma once
// How the Latent tab names an image of the map: by its file wherever there is one
// ("shirt/0012.png" with a class, "0012.png" without), else "shirt (image 12)" or "image 12"
// (IDX entries); and the caption under a point (name, IDX entry, reconstruction error), used
// by the hover card, the side panel, the worst reconstructions and the selection strip alike.
//
// Ownership: free functions returning values; they keep nothing.
// Threads: GUI thread only (translated text). Failure: none; unknown rows get a bare name.

#include "controller/trainingcontroller.h"

#include <QString>

// The file's name ("0012.png"); empty for IDX entries and rows without a file.
QString fileNameOf(const aes::LatentSnapshot &map, qint64 index);
// "class/file", "file", "class (image N)" or "image N".
QString imageName(const aes::LatentSnapshot &map, qint64 index);
// The name, then "#123" for an IDX entry and the MSE when known, one per line. details fills
// in what the map lacks when it is of the same point.
QString pointCaption(const aes::LatentSnapshot &map, qint64 index, const aes::PointDetails &details);
