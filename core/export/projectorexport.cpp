#include "export/projectorexport.h"
#include "export/imagegrid.h"
#include "util/atomicfile.h"

#include <torch/torch.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <QBuffer>
#include <QDir>
#include <QImage>
#include <QSaveFile>

#include <cmath>
#include <memory>
#include <optional>
#include <vector>

namespace aes {

namespace {

using FileList = std::vector<std::pair<QString, QByteArray>>;

// Each file goes to a temporary file first. Together: only when every one is complete are
// they renamed (a set that belongs together); otherwise one after another (no more open
// files than one, for thousands of images).
QString writeAll(const QString &dir, const FileList &files, bool together = true)
{
    if (!QDir().mkpath(dir))
        return QStringLiteral("cannot create the directory %1").arg(dir);
    std::vector<std::unique_ptr<QSaveFile>> pending;
    for (const auto &[name, bytes] : files) {
        const QString path = QDir(dir).filePath(name);
        auto file = std::make_unique<QSaveFile>(path);
        if (!file->open(QIODevice::WriteOnly))
            return QStringLiteral("cannot write %1: %2").arg(path, file->errorString());
        if (file->write(bytes) != bytes.size()) {
            const QString reason = file->errorString();
            file->cancelWriting();
            return QStringLiteral("cannot write %1: %2").arg(path, reason);
        }
        if (!together) {
            if (QString e = commitSaveFile(*file); !e.isEmpty())
                return e;
        } else if (QString e = verifySaveFile(*file); !e.isEmpty()) {
            return e;
        }
        if (together)
            pending.push_back(std::move(file));
    }
    // Returning early above destroys the pending QSaveFiles, which removes their temporary files.
    for (auto &file : pending)
        if (QString e = commitSaveFile(*file); !e.isEmpty())
            return e;
    return {};
}

// uint8 C x H x W (RGB) -> an 8-bit cv::Mat in OpenCV's channel order (BGR).
cv::Mat toMat(const torch::Tensor &chw)
{
    const torch::Tensor hwc = chw.permute({1, 2, 0}).contiguous();
    const int c = int(hwc.size(2));
    cv::Mat rgb(int(hwc.size(0)), int(hwc.size(1)), CV_8UC(c), hwc.data_ptr<uint8_t>());
    cv::Mat out;
    if (c == 3)
        cv::cvtColor(rgb, out, cv::COLOR_RGB2BGR);
    else
        out = rgb.clone();
    return out;
}

// uint8 C x H x W (gray or RGB) -> an image that owns its pixels.
QImage toImage(const torch::Tensor &chw)
{
    const torch::Tensor hwc = chw.permute({1, 2, 0}).contiguous();
    const int h = int(hwc.size(0)), w = int(hwc.size(1)), c = int(hwc.size(2));
    const QImage::Format format = c == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888;
    return QImage(hwc.data_ptr<uint8_t>(), w, h, qsizetype(w) * c, format).copy();
}

std::optional<QByteArray> encodePng(const QImage &image, const QString &path, QString *error)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    if (buffer.open(QIODevice::WriteOnly) && image.save(&buffer, "PNG"))
        return bytes;
    *error = QStringLiteral("cannot encode %1 as PNG").arg(path);
    return std::nullopt;
}

std::optional<QByteArray> encodePng(const cv::Mat &image, const QString &path, QString *error)
{
    std::vector<uchar> bytes;
    try {
        if (cv::imencode(".png", image, bytes))
            return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
        *error = QStringLiteral("cannot encode %1 as PNG").arg(path);
    } catch (const cv::Exception &e) {
        *error = QStringLiteral("cannot encode %1 as PNG: %2").arg(path, QString::fromStdString(e.msg));
    }
    return std::nullopt;
}

// Tab and newline would break a TSV row.
QByteArray tsvField(const QString &text)
{
    QString t = text;
    t.replace(QLatin1Char('\t'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' ')).replace(QLatin1Char('\r'), QLatin1Char(' '));
    return t.toUtf8();
}

QString checkImages(const torch::Tensor &images, const char *what)
{
    if (!images.defined() || images.dim() != 4 || images.scalar_type() != torch::kUInt8
        || (images.size(1) != 1 && images.size(1) != 3))
        return QStringLiteral("%1 must be uint8 N x C x H x W with 1 or 3 channels").arg(QLatin1String(what));
    return {};
}

} // namespace

SpriteLayout spriteLayout(qint64 count, int width, int height, int maxSide)
{
    SpriteLayout layout;
    if (count <= 0 || width <= 0 || height <= 0)
        return layout;
    int columns = int(std::ceil(std::sqrt(double(count))));
    while (qint64(columns) * columns < count)  // guard against rounding in sqrt
        ++columns;
    layout.columns = columns;
    // Scale down by one factor for both sides so that the thumbnails keep their aspect.
    const double scale = std::min({1.0, double(maxSide) / (double(columns) * width), double(maxSide) / (double(columns) * height)});
    layout.thumbWidth = int(std::floor(width * scale));
    layout.thumbHeight = int(std::floor(height * scale));
    return layout;
}

QString exportProjector(const QString &dir, const ProjectorData &data)
{
    if (QString e = checkImages(data.images, "the images"); !e.isEmpty())
        return QStringLiteral("%1: %2").arg(dir, e);
    const qint64 n = data.images.size(0);
    if (!data.codes.defined() || data.codes.dim() != 2 || data.codes.size(0) != n || data.labels.size() != n
        || data.files.size() != n)
        return QStringLiteral("%1: codes, labels and files must have one entry per image").arg(dir);
    const int c = int(data.images.size(1)), h = int(data.images.size(2)), w = int(data.images.size(3));
    const SpriteLayout layout = spriteLayout(n, w, h);
    const QString spritePath = QDir(dir).filePath(QLatin1String(kProjectorSprite));
    if (!layout.fits())
        return QStringLiteral("cannot write %1: %2 images do not fit into %3 x %3 pixels")
            .arg(spritePath).arg(n).arg(kMaxSpriteSide);

    const torch::Tensor codes = data.codes.to(torch::kFloat32).contiguous();
    const auto codeRows = codes.accessor<float, 2>();
    const bool withClusters = data.clusters.size() == n, withScores = data.anomalyScores.size() == n;
    QByteArray vectors, metadata = "label\tfile";
    metadata += withClusters ? "\tcluster" : "";
    metadata += withScores ? "\tanomaly_score\n" : "\n";
    for (qint64 i = 0; i < n; ++i) {
        for (int64_t j = 0; j < codes.size(1); ++j) {
            if (j)
                vectors += '\t';
            vectors += QByteArray::number(double(codeRows[i][j]), 'g', 8);
        }
        vectors += '\n';
        metadata += tsvField(data.labels[int(i)]) + '\t' + tsvField(data.files[int(i)]);
        if (withClusters)
            metadata += '\t' + QByteArray::number(data.clusters[i] + 1);
        if (withScores)
            metadata += '\t' + QByteArray::number(data.anomalyScores[i], 'g', 8);
        metadata += '\n';
    }

    // The sprite: row-major, as TensorBoard reads it; unused cells stay white.
    cv::Mat sprite(layout.columns * layout.thumbHeight, layout.columns * layout.thumbWidth, CV_8UC(c),
                   cv::Scalar::all(255));
    const bool scaled = layout.thumbWidth != w || layout.thumbHeight != h;
    for (qint64 i = 0; i < n; ++i) {
        cv::Mat image = toMat(data.images[i]);
        if (scaled)
            cv::resize(image, image, cv::Size(layout.thumbWidth, layout.thumbHeight), 0, 0, cv::INTER_AREA);
        const int row = int(i / layout.columns), column = int(i % layout.columns);
        image.copyTo(sprite(cv::Rect(column * layout.thumbWidth, row * layout.thumbHeight,
                                     layout.thumbWidth, layout.thumbHeight)));
    }
    QString error;
    const std::optional<QByteArray> png = encodePng(sprite, spritePath, &error);
    if (!png)
        return error;

    const QByteArray config = QStringLiteral(
        "embeddings {\n"
        "  tensor_name: \"latent\"\n"
        "  tensor_path: \"%1\"\n"
        "  metadata_path: \"%2\"\n"
        "  sprite {\n"
        "    image_path: \"%3\"\n"
        "    single_image_dim: %4\n"
        "    single_image_dim: %5\n"
        "  }\n"
        "}\n").arg(QLatin1String(kProjectorVectors), QLatin1String(kProjectorMetadata), QLatin1String(kProjectorSprite))
        .arg(layout.thumbWidth).arg(layout.thumbHeight).toUtf8();
    return writeAll(dir, {{QLatin1String(kProjectorVectors), vectors},
                          {QLatin1String(kProjectorMetadata), metadata},
                          {QLatin1String(kProjectorSprite), *png},
                          {QLatin1String(kProjectorConfig), config}});
}

QString exportReconstructionImages(const QString &dir, const at::Tensor &inputs, const at::Tensor &reconstructions,
                                   int columns)
{
    if (QString e = checkImages(inputs, "the inputs"); !e.isEmpty())
        return QStringLiteral("%1: %2").arg(dir, e);
    if (QString e = checkImages(reconstructions, "the reconstructions"); !e.isEmpty())
        return QStringLiteral("%1: %2").arg(dir, e);
    if (inputs.sizes() != reconstructions.sizes())
        return QStringLiteral("%1: inputs and reconstructions differ in shape").arg(dir);
    const qint64 n = inputs.size(0);
    const int h = int(inputs.size(2)), w = int(inputs.size(3));
    if (n == 0)
        return QStringLiteral("%1: no images to write").arg(dir);
    columns = int(std::max<qint64>(1, std::min<qint64>(columns, n)));
    const int gridRows = int((n + columns - 1) / columns);
    const QString gridPath = QDir(dir).filePath(QLatin1String(kReconstructionGrid));
    if (qint64(columns) * w > 32768 || qint64(gridRows) * 2 * h > 32768)
        return QStringLiteral("cannot write %1: %2 images of %3x%4 make too large a grid; export fewer")
            .arg(gridPath).arg(n).arg(w).arg(h);

    FileList files;
    QString error;
    QVector<QImage> inputImages, outputImages;
    for (qint64 i = 0; i < n; ++i) {
        inputImages.append(toImage(inputs[i]));
        outputImages.append(toImage(reconstructions[i]));
        const cv::Mat input = toMat(inputs[i]), output = toMat(reconstructions[i]);
        const QString stem = QStringLiteral("%1").arg(i, 5, 10, QLatin1Char('0'));
        for (const auto &[suffix, image] : {std::pair{QStringLiteral("-input.png"), input},
                                            std::pair{QStringLiteral("-reconstruction.png"), output}}) {
            const std::optional<QByteArray> png = encodePng(image, QDir(dir).filePath(stem + suffix), &error);
            if (!png)
                return error;
            files.emplace_back(stem + suffix, *png);
        }
    }
    // A 1-pixel white gap between cells so that neighbouring images stay apart.
    ImageGridOptions layout;
    layout.columns = columns;
    layout.gap = 1;
    const std::optional<QByteArray> png = encodePng(reconstructionGrid(inputImages, outputImages, layout), gridPath, &error);
    if (!png)
        return error;
    files.emplace_back(QLatin1String(kReconstructionGrid), *png);
    return writeAll(dir, files, /*together=*/files.size() <= 256);
}

} // namespace aes
