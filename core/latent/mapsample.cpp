#include "latent/mapsample.h"

#include <algorithm>
#include <random>

namespace aes {

QVector<qint64> sampleMapRows(qint64 n, const QVector<int> &labels, qint64 cap, quint64 seed)
{
    if (cap <= 0 || n <= cap)
        return {};
    // Strata: each label seen (unlabelled: -1), in order of first appearance, looked up in a
    // table by label (labels are class numbers, a few thousand at most).
    const int maxLabel = labels.isEmpty() ? -1 : std::max(-1, *std::max_element(labels.cbegin(), labels.cend()));
    QVector<int> stratumOf(maxLabel + 2, -1);  // by label + 1
    QVector<qint64> sizes;
    QVector<int> stratum(n);
    for (qint64 i = 0; i < n; ++i) {
        const int slot = (i < labels.size() ? std::max(labels[i], -1) : -1) + 1;
        if (stratumOf[slot] < 0) {
            stratumOf[slot] = int(sizes.size());
            sizes.append(0);
        }
        stratum[i] = stratumOf[slot];
        ++sizes[stratum[i]];
    }
    // Each stratum's share of cap: the floor of its exact share, then one more for the
    // largest remainders until cap is reached.
    const int k = int(sizes.size());
    QVector<qint64> want(k);
    QVector<std::pair<double, int>> remainders;
    qint64 given = 0;
    for (int s = 0; s < k; ++s) {
        const double exact = double(cap) * double(sizes[s]) / double(n);
        want[s] = std::min<qint64>(sizes[s], qint64(exact));
        given += want[s];
        remainders.append({exact - double(want[s]), s});
    }
    // A rare class keeps one point (while the cap has room for one per class): a class
    // missing from the map would look missing from the data.
    if (cap >= k)
        for (int s = 0; s < k; ++s)
            if (want[s] == 0) {
                want[s] = 1;
                ++given;
            }
    while (given > cap) {
        --*std::max_element(want.begin(), want.end());
        --given;
    }
    std::stable_sort(remainders.begin(), remainders.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    for (int i = 0; given < cap && i < k; ++i) {
        const int s = remainders[i].second;
        if (want[s] < sizes[s]) {
            ++want[s];
            ++given;
        }
    }
    // Algorithm S per stratum: row i is taken with probability (still wanted) / (still left),
    // which gives every subset of the wanted size the same chance, in row order.
    std::mt19937_64 rng(seed);
    QVector<qint64> left = sizes;
    QVector<qint64> rows;
    rows.reserve(given);
    for (qint64 i = 0; i < n; ++i) {
        const int s = stratum[i];
        const double u = double(rng() >> 11) * 0x1.0p-53;  // uniform in [0, 1)
        if (double(left[s]) * u < double(want[s])) {
            rows.append(i);
            --want[s];
        }
        --left[s];
    }
    return rows;
}

} // namespace aes
