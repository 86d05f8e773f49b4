#pragma once
// Datasets made by the tests: small, structured images a model can learn quickly.

#include "dataset.h"

#include <torch/torch.h>

namespace aes::test {

// n images of c x h x w in `classes` classes; class k is a bright bar whose position
// and orientation depend on k, on a dark background with a little noise.
inline Dataset makePatternDataset(int n, int c, int h, int w, int classes = 4, uint64_t seed = 7)
{
    torch::manual_seed(seed);
    torch::Tensor images = torch::zeros({n, c, h, w});
    torch::Tensor labels = torch::arange(n, torch::kLong) % classes;
    for (int i = 0; i < n; ++i) {
        const int k = int(labels[i].item<int64_t>());
        const float intensity = 0.6f + 0.4f * float(i % 5) / 4.0f;
        if (k % 2 == 0) {
            const int row = (k / 2 * h / std::max(1, classes / 2) + i % 2) % h;
            images[i].slice(1, row, std::min(h, row + std::max(1, h / 4))).fill_(intensity);
        } else {
            const int col = (k / 2 * w / std::max(1, classes / 2) + i % 2) % w;
            images[i].slice(2, col, std::min(w, col + std::max(1, w / 4))).fill_(intensity);
        }
    }
    images = (images + 0.05 * torch::rand({n, c, h, w})).clamp(0, 1);
    Dataset d;
    d.images = (images * 255).round().to(torch::kUInt8).contiguous();
    d.labels = labels;
    for (int k = 0; k < classes; ++k)
        d.classNames << QStringLiteral("class%1").arg(k);
    for (int i = 0; i < n; ++i)
        d.paths << QStringLiteral("/generated/%1.png").arg(i);
    d.source = QStringLiteral("generated");
    return d;
}

} // namespace aes::test
