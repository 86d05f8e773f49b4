#pragma once
// Small helpers shared by the bench programs.

#include <QElapsedTimer>

#include <algorithm>
#include <vector>

namespace aes::bench {

// The median wall time of runs calls of f, in milliseconds.
template <typename F>
double medianMs(int runs, F &&f)
{
    std::vector<double> ms;
    for (int r = 0; r < runs; ++r) {
        QElapsedTimer t;
        t.start();
        f();
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

} // namespace aes::bench
