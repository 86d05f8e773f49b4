#pragma once
// The rows a latent map draws when the dataset has more images than the map's point cap: a
// seeded uniform sample, stratified by label (each class keeps its share of the points, the
// unlabelled rows counting as one more class). The same inputs give the same rows, so the
// maps after each epoch show the same images and the scrubber replays them.
//
// Ownership: results are values. Threads: any (pure function). Failure: none.
//
// Torch-free: ui/ includes it.

#include <QVector>

namespace aes {

// The cap a new map starts with (0 = every image).
inline constexpr qint64 kDefaultMapPoints = 200000;
inline constexpr quint64 kMapSampleSeed = 0x5eed'0f'4a'9eULL;

// cap rows of the n rows 0..n-1 (labels[i] the class of row i, -1 or none: unlabelled), in
// ascending order; empty when cap is 0 or n <= cap (every row is drawn). Per class, the
// share of cap proportional to its size (largest remainders; at least one point while the
// cap allows one per class), chosen uniformly within the class by selection sampling
// (Knuth's algorithm S).
QVector<qint64> sampleMapRows(qint64 n, const QVector<int> &labels, qint64 cap, quint64 seed = kMapSampleSeed);

} // namespace aes
