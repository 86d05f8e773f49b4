#pragma once
// Two runs side by side on the same images: both models reconstruct run A's validation
// images (loaded as A was trained), each image's MSE under A and under B, and the images
// where the two differ most plus a few drawn at random, as pictures.
//
// Ownership: values (QImages own their pixels). Threads: compareRuns() runs on the calling
// thread (LibTorch's compute threads inside); cancelled() is polled between batches and may
// read a flag set from any thread. Failure: never throws; a run or data that cannot be
// loaded, or runs made for images of another shape, come back as error. Torch-free: ui/
// includes it.

#include <QImage>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>

namespace aes {

struct CompareRequest {
    QString runA;                 // run directories (or checkpoint files)
    QString runB;
    int largest = 8;              // images with the largest |MSE A - MSE B|
    int random = 4;               // and this many others drawn at random
    quint64 seed = 1;             // of the random draw
    qint64 maxImages = 5000;      // validation images compared at most (the first ones)
};

struct ComparedImage {
    qint64 index = -1;            // in the dataset as loaded
    QString path;
    QString label;                // class name; empty when unlabelled
    bool drawn = false;           // drawn at random (not among the largest differences)
    QImage input;
    QImage a;                     // reconstruction by run A
    QImage b;
    double mseA = 0.0;
    double mseB = 0.0;
};

struct RunComparison {
    CompareRequest request;
    QString error;                // why there is no comparison; empty on success
    bool cancelled = false;
    QString notes;                // what the user should know (B trained on other data, ...)
    QString source;               // the data the images come from
    qint64 compared = 0;          // images both models reconstructed
    bool validation = true;       // false: run A has no validation split, its training images were used
    double meanMseA = 0.0;        // over the compared images
    double meanMseB = 0.0;
    qint64 aBetter = 0;           // images with a lower MSE under A
    qint64 bBetter = 0;
    QVector<ComparedImage> images;  // largest differences first, then the drawn ones
    // Every compared image (the dataset's index, its path) with its MSE under A and under B.
    QVector<qint64> indices;
    QStringList paths;
    QVector<double> mseA;
    QVector<double> mseB;

    bool ok() const { return error.isEmpty() && !cancelled; }
};

// Per pixel: |a - input| - |b - input| (mean over channels) as colour: white where equal,
// green (kABetterColor) where a is closer, red where b is; full colour at kDifferenceScale.
// Null when the sizes differ.
inline constexpr double kDifferenceScale = 0.25;
inline constexpr QRgb kABetterColor = 0xff1a9641;
inline constexpr QRgb kBBetterColor = 0xffd73027;
QImage differenceMap(const QImage &input, const QImage &a, const QImage &b);
// The shown images as rows "input | A | B | difference", each enlarged by a whole factor
// (nearest neighbour) to about minSide pixels, on white; null without images.
QImage comparisonGrid(const RunComparison &comparison, int minSide = 84);

// progress(step, done, total): step "loading" (both runs and A's data) or "comparing".
RunComparison compareRuns(const CompareRequest &request, const std::function<bool()> &cancelled = {},
                          const std::function<void(const QString &, qint64, qint64)> &progress = {});

} // namespace aes

Q_DECLARE_METATYPE(aes::RunComparison)
