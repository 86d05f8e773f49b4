#pragma once
// Where `score --maps` and `apply` put the file made from each image: the image's path
// relative to the data it came from, so an output folder mirrors the input folder.
//
// Threads: pure functions (the checks read the file system); any thread. Failure: the
// checks return "" or a message the user can act on. Torch-free.

#include <QString>
#include <QStringList>

namespace aes {

// The relative output path of imagePath, an image of the data opened from dataRoot, as
// PNG (or the given suffix): "<sub/dir/name>.png" for a folder's image, "<index>.png" for an
// IDX entry ("<file>#<index>"), "<sub/dir/name>-<n>.wav" for window n of an audio clip
// ("<clip>#<n>").
QString outputRelativePath(const QString &dataRoot, const QString &imagePath,
                           const QString &suffix = QStringLiteral("png"));

// Refuses writing into data itself or a folder inside it (outputs would be read as
// inputs next time), "" when outDir is elsewhere.
QString checkOutputFolder(const QString &outDir, const QString &data);

// Refuses a target that is one of the inputs (compared as canonical or absolute paths),
// "" when none is.
QString checkTargetsAreNotInputs(const QStringList &targets, const QStringList &inputs);

} // namespace aes
