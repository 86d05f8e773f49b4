#pragma once
// k-means in latent space: Lloyd's iterations from a seeded k-means++ start, on codes stored
// row-major (latent/similar.h's CodeTable). The same codes, k and seed give the same clusters
// on every machine and with any number of threads (the random draws come from a fixed
// generator read bit by bit, the sums run in row order). Clusters are numbered by size,
// largest first, so that cluster 0 keeps its colour when k changes by one.
//
// Ownership: results are values. Threads: any; uses LibTorch's thread pool for the
// assignment step. Failure: none; k is clamped to 1..n (an empty table gives no clusters).
//
// Torch-free header: ui/ includes it.

#include "latent/similar.h"

#include <QString>
#include <QStringList>
#include <QVector>

namespace aes {

struct KMeansOptions {
    int k = 8;
    quint64 seed = 1;
    int maxIterations = 100;           // stops earlier when no code changes cluster
};

struct KMeansResult {
    int k = 0;
    QVector<int> assignment;           // cluster of each row, 0..k-1
    QVector<float> centroids;          // k x dims, row-major
    QVector<qint64> sizes;             // codes per cluster, largest first
    int iterations = 0;
    double inertia = 0.0;              // sum of squared distances to the centroids
};
KMeansResult kmeans(const CodeTable &codes, const KMeansOptions &options);

// How a cluster relates to the dataset's labels.
struct ClusterStats {
    qint64 size = 0;
    qint64 labelled = 0;               // codes with a label
    int majorityLabel = -1;            // the most frequent label (-1: none labelled)
    qint64 majorityCount = 0;
    double purity = 0.0;               // majorityCount / labelled codes in the cluster; NaN when none
};
// Per cluster, for clusters 0..k-1; labels: -1 for unlabelled rows (left out of purity).
QVector<ClusterStats> clusterStats(const QVector<int> &assignment, int k, const QVector<int> &labels);
// The share of labelled codes that fall in their cluster's majority label (NaN: no labels).
double overallPurity(const QVector<ClusterStats> &stats);
// "cluster 1", "cluster 2", ... (1-based, as users count): names for the map and the folders.
QStringList clusterNames(int k);

} // namespace aes
