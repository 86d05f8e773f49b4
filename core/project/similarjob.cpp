#include "project/similarjob.h"

#include "data/audiofile.h"
#include "data/audiofolder.h"
#include "data/dataset.h"
#include "data/imagedecode.h"
#include "data/imageprobe.h"
#include "latent/selection.h"
#include "model/autoencoder.h"
#include "model/devicetensors.h"
#include "project/rundirectory.h"
#include "util/atomicfile.h"

#include <torch/torch.h>

#include <QElapsedTimer>
#include <QFileInfo>

namespace aes {

namespace {

// The query as the dataset holds its images: uint8 C x H x W, or an undefined tensor and the
// reason.
torch::Tensor loadQuery(const QString &path, const LoadOptions &options, int64_t channels, int64_t height,
                        int64_t width, QString *error)
{
    QString reason;
    const QByteArray bytes = readFileBytes(path, options.maxFileBytes, &reason);
    if (bytes.isEmpty()) {
        *error = QStringLiteral("cannot read query %1: %2").arg(path, reason.isEmpty() ? QStringLiteral("empty file") : reason);
        return {};
    }
    const ImageProbe probe = probeImage(bytes);
    if (!probe.ok() || probe.pixels() > options.maxPixels) {
        *error = QStringLiteral("query %1: %2").arg(path, probe.ok() ? QStringLiteral("too large") : probe.error);
        return {};
    }
    const DecodedImage decoded = decodeImage(bytes);
    if (!decoded.ok()) {
        *error = QStringLiteral("query %1: %2").arg(path, decoded.error);
        return {};
    }
    torch::Tensor planes = torch::empty({channels, height, width}, torch::kUInt8);
    writePlanes(fitImage(decoded.pixels, int(channels), int(width), int(height), options.resize),
                planes.data_ptr<uint8_t>());
    return planes;
}

} // namespace

SimilarJobResult runSimilarJob(const SimilarJobOptions &options, const LoadControl::ProgressFn &onLoadProgress)
{
    SimilarJobResult result;
    if (options.k < 1) {
        result.error = QStringLiteral("--k must be at least 1");
        return result;
    }
    RunDataResult loaded = loadRunData(options.runDir, options.data, onLoadProgress, options.device);
    result.report = loaded.report;
    if (!loaded.run) {
        result.error = loaded.error;
        return result;
    }
    const LoadedCheckpoint &checkpoint = loaded.run->checkpoint;
    const Dataset &d = loaded.run->dataset;
    const std::optional<LoadOptions> load = loadOptionsOf(checkpoint, &result.error);
    if (!load)
        return result;
    const bool audioQuery = isAudioSuffix(QFileInfo(options.query).suffix());
    if (audioQuery != d.isAudio()) {
        result.error = d.isAudio() ? QStringLiteral("query %1 is not a sound clip, and %2 holds sound clips")
                                         .arg(options.query, d.source)
                                   : QStringLiteral("query %1 is a sound clip, and %2 holds images").arg(options.query, d.source);
        return result;
    }
    torch::Tensor query;
    if (d.isAudio()) {
        // The dataset's own features: its rate, mels, duration (the model's frames), range.
        QString reason;
        query = audioClipRow(options.query, *d.audio, int(d.images.size(3)), load->maxFileBytes, &reason);
        if (!query.defined())
            result.error = QStringLiteral("query %1: %2").arg(options.query, reason);
    } else {
        query = loadQuery(options.query, *load, d.images.size(1), d.images.size(2), d.images.size(3), &result.error);
    }
    if (!query.defined())
        return result;

    const torch::Tensor codes = encodeImages(*checkpoint.model, d).to(torch::kFloat).contiguous();
    // The same pixels are the same image: its code, not a re-encoding that may differ in the
    // last bits (convolutions sum in another order for a batch of one).
    // The query's own row: its file, else the first image with its pixels.
    result.queryRow = d.paths.indexOf(QFileInfo(options.query).absoluteFilePath());
    if (result.queryRow >= 0 && !d.images[result.queryRow].equal(query))
        result.queryRow = -1;  // the file changed since it was loaded
    if (result.queryRow < 0) {
        const torch::Tensor same = d.images.flatten(1).eq(query.flatten().unsqueeze(0)).all(1).nonzero();
        if (same.numel() > 0)
            result.queryRow = same[0][0].item<int64_t>();
    }
    torch::Tensor queryCode;
    if (result.queryRow >= 0) {
        queryCode = codes[result.queryRow].contiguous();
    } else {
        c10::InferenceMode inference;
        const torch::Tensor x = query.unsqueeze(0).to(deviceOf(*checkpoint.model)).to(torch::kFloat).div(255.0);
        queryCode = checkpoint.model->encode(x).to(torch::kCPU, torch::kFloat)[0].contiguous();
    }
    QElapsedTimer timer;
    timer.start();
    const CodeTable table{codes.data_ptr<float>(), codes.size(0), int(codes.size(1))};
    result.neighbours = nearestCodes(table, queryCode.data_ptr<float>(), options.k, {}, result.queryRow);
    result.searchMs = double(timer.nsecsElapsed()) / 1e6;
    const auto labels = d.labels.accessor<int64_t, 1>();
    for (const Neighbour &n : result.neighbours) {
        result.paths << d.paths.value(int(n.row));
        result.labels << (labels[n.row] >= 0 ? labelText(d.classNames, labels[n.row]) : QString());
    }
    if (!options.out.isEmpty()) {
        result.error = writeNeighbourTable(options.out, result);
        if (!result.error.isEmpty())
            return result;
    }
    result.ok = true;
    return result;
}

QString writeNeighbourTable(const QString &path, const SimilarJobResult &result)
{
    const bool csv = path.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive);
    const QChar sep = csv ? QLatin1Char(',') : QLatin1Char('\t');
    // A TSV field cannot hold a tab or a line break: those become spaces.
    const auto field = [csv](QString text) {
        if (csv)
            return csvField(text);
        text.replace(QLatin1Char('\t'), QLatin1Char(' ')).replace(QLatin1Char('\n'), QLatin1Char(' '));
        return text;
    };
    QString text = QStringLiteral("rank%1path%1label%1distance\n").arg(sep);
    for (qsizetype i = 0; i < result.neighbours.size(); ++i)
        text += QString::number(i + 1) + sep + field(result.paths.value(i)) + sep + field(result.labels.value(i)) + sep
              + QString::number(double(result.neighbours[i].distance), 'g', 7) + QLatin1Char('\n');
    return writeFileAtomically(path, text.toUtf8());
}

} // namespace aes
