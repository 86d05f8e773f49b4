#pragma once
// How the Latent tab names an image of the map: "shirt (image 12)", or "image 12" when the
// dataset has no labels; and the caption under a point (name, file, reconstruction error),
// used by the hover card and the side panel alike.
//
// Ownership: free functions returning values; they keep nothing.
// Threads: GUI thread only (translated text). Failure: none; unknown rows get a bare name.

#include "controller/trainingcontroller.h"

#include <QString>

// "class (image N)", or "image N" without a class.
QString imageName(const aes::LatentSnapshot &map, qint64 index);
// The name, then the file (its name for folders, "#123" for an IDX entry) and the MSE when
// known, one per line. details fills in what the map lacks when it is of the same point.
QString pointCaption(const aes::LatentSnapshot &map, qint64 index, const aes::PointDetails &details);
