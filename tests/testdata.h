#pragma once
// Datasets and image files made by the tests: small, structured images a model can learn
// quickly, encoded images with the odd properties users' folders have, and lookups in what
// loadDataset() returns.

#include "data/dataset.h"
#include "testutil.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include <QFileInfo>

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

// ---- Image files ----

// `image` (OpenCV's BGR order) encoded by the extension ("png", ".jpg", ...); empty on failure.
inline QByteArray encodeImage(const cv::Mat &image, const QString &ext)
{
    std::vector<uchar> buffer;
    const QString dotted = ext.startsWith(QLatin1Char('.')) ? ext : QLatin1Char('.') + ext;
    if (!cv::imencode(dotted.toLower().toStdString(), image, buffer))
        return {};
    return QByteArray(reinterpret_cast<const char *>(buffer.data()), int(buffer.size()));
}

// Writes `image` encoded by the file's extension; QFile handles non-ASCII names.
inline bool writeImage(const QString &path, const cv::Mat &image)
{
    const QByteArray bytes = encodeImage(image, QFileInfo(path).suffix());
    return !bytes.isEmpty() && writeFile(path, bytes);
}

inline cv::Mat solidImage(int width, int height, const cv::Scalar &bgr, int type = CV_8UC3)
{
    return cv::Mat(height, width, type, bgr);
}

// ---- What loadDataset() returned ----

// Index of the image whose path ends in "/name", or -1.
inline int indexOfName(const Dataset &d, const QString &name)
{
    for (int i = 0; i < d.paths.size(); ++i) {
        if (d.paths[i].endsWith(QLatin1Char('/') + name))
            return i;
    }
    return -1;
}

// The reason a file named "name" was skipped, or "<not in report>".
inline QString reasonFor(const LoadReport &report, const QString &name)
{
    for (const SkippedFile &s : report.skipped) {
        if (s.path.endsWith(QLatin1Char('/') + name))
            return s.reason;
    }
    return QStringLiteral("<not in report>");
}

// Pixel (channel, y, x) of image i.
inline int pixel(const Dataset &d, int i, int c, int y, int x)
{
    return d.images[i][c][y][x].item<int>();
}

} // namespace aes::test
