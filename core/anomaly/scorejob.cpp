#include "anomaly/scorejob.h"

#include "anomaly/outputpaths.h"
#include "data/imagedecode.h"
#include "model/autoencoder.h"
#include "model/evalmode.h"
#include "project/rundirectory.h"
#include "project/runfiles.h"
#include "util/atomicfile.h"

#include <torch/torch.h>

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QSaveFile>

#include <algorithm>
#include <cmath>

namespace aes {

namespace {

constexpr int64_t kBatch = 256;

// A CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled).
QByteArray csvField(const QString &text)
{
    QByteArray bytes = text.toUtf8();
    if (!bytes.contains(',') && !bytes.contains('"') && !bytes.contains('\n') && !bytes.contains('\r'))
        return bytes;
    bytes.replace("\"", "\"\"");
    return '"' + bytes + '"';
}

QString writeScoresCsv(const QString &path, const Dataset &d, const QVector<double> &scores)
{
    // Like --maps and apply's --out: the folder is made when missing.
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return QStringLiteral("cannot create the folder of %1").arg(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
    QByteArray text = "path,label,score\n";
    const torch::Tensor labels = d.labels.to(torch::kLong).contiguous();
    const int64_t *l = labels.data_ptr<int64_t>();
    for (qsizetype i = 0; i < scores.size(); ++i)
        text += csvField(d.paths[i]) + ',' + csvField(labelText(d.classNames, l[i])) + ','
                + QByteArray::number(scores[i], 'g', 9) + '\n';
    file.write(text);
    return commitSaveFile(file);
}

// The ground truth of image index at the model's size, fitted as the images were (so the
// pixels line up): true = anomalous. An image of a normal class without a mask is all
// normal; any other image without one has no ground truth (undefined tensor).
torch::Tensor groundTruthMask(const ScoreJobOptions &options, const Dataset &d, qint64 index, bool normal,
                              ResizeMode resize, QString *error)
{
    const QString relative = QDir(options.data).relativeFilePath(d.paths[int(index)]);
    const QFileInfo info(relative);
    const QString maskPath = QDir(options.masksDir).filePath(info.path() + QLatin1Char('/') + info.completeBaseName()
                                                             + QStringLiteral("_mask.png"));
    if (!QFileInfo::exists(maskPath))
        return normal ? torch::zeros({d.height(), d.width()}, torch::kBool) : torch::Tensor();
    const QByteArray bytes = readFileBytes(maskPath, qint64(1) << 30, error);
    DecodedImage decoded = bytes.isEmpty() ? DecodedImage{} : decodeImage(bytes);
    if (!decoded.ok()) {
        *error = QStringLiteral("cannot read the mask %1: %2").arg(maskPath, error->isEmpty() ? decoded.error : *error);
        return {};
    }
    const cv::Mat fitted = fitImage(decoded.pixels, 1, d.width(), d.height(), resize);
    torch::Tensor mask = torch::empty({d.height(), d.width()}, torch::kUInt8);
    writePlanes(fitted, mask.data_ptr<uint8_t>());
    return mask.gt(127);
}

// Pixel AUROC of the error maps against the masks; counts the images that had ground truth.
double pixelAuroc(const ScoreJobOptions &options, const Dataset &d, const torch::Tensor &maps,
                  const QVector<bool> &anomalous, ResizeMode resize, qint64 *images, QString *error)
{
    QVector<double> scores;
    QVector<bool> truth;
    for (qint64 i = 0; i < d.size(); ++i) {
        const torch::Tensor mask = groundTruthMask(options, d, i, !anomalous.value(i), resize, error);
        if (!error->isEmpty())
            return std::nan("");
        if (!mask.defined())
            continue;
        ++*images;
        const torch::Tensor m = maps[i].contiguous().to(torch::kDouble);
        const torch::Tensor t = mask.contiguous();
        const double *pm = m.data_ptr<double>();
        const bool *pt = t.data_ptr<bool>();
        for (int64_t p = 0; p < m.numel(); ++p) {
            scores << pm[p];
            truth << pt[p];
        }
    }
    return auroc(scores, truth);
}

// One colour scale for every heatmap, so that images compare: the 99th percentile of the
// images' largest errors (robust to a single extreme image).
double heatmapScale(const torch::Tensor &maps)
{
    const torch::Tensor maxima = std::get<0>(maps.flatten(1).amax(1).sort());
    const int64_t at = int64_t(std::floor(0.99 * double(maxima.numel() - 1)));
    return std::max(1e-12, double(maxima[at].item<float>()));
}

QString writeHeatmaps(const ScoreJobOptions &options, const Dataset &d, const torch::Tensor &maps, qint64 *written)
{
    const double scale = heatmapScale(maps);
    const QDir out(options.mapsDir);
    for (qint64 i = 0; i < d.size(); ++i) {
        const QString target = out.filePath(outputRelativePath(options.data, d.paths[int(i)]));
        if (!QDir().mkpath(QFileInfo(target).absolutePath()))
            return QStringLiteral("cannot create the folder of %1").arg(target);
        if (QString e = writeImageAtomically(target, heatmapImage(d.images[i], maps[i], scale)); !e.isEmpty())
            return e;
        ++*written;
    }
    return {};
}

} // namespace

ScoreJobResult runScoreJob(const ScoreJobOptions &options, const LoadControl::ProgressFn &onLoadProgress,
                           const ScoreProgressFn &onScoreProgress)
{
    ScoreJobResult result;
    const bool keepMaps = !options.mapsDir.isEmpty() || !options.masksDir.isEmpty();
    if (!options.mapsDir.isEmpty()) {
        result.error = checkOutputFolder(options.mapsDir, options.data);
        if (!result.error.isEmpty())
            return result;
    }
    QString problem;
    const std::optional<AnomalyThreshold> saved = readAnomalyThreshold(runDirectoryOf(options.runDir), &problem);
    if (!problem.isEmpty()) {
        result.error = problem;
        return result;
    }
    result.score = options.score;
    if (saved && !options.scoreGiven)
        result.score = ScoreOptions{saved->kind, saved->sigma};
    if (saved) {
        const bool sameBlur = saved->kind != ScoreKind::MaxSmoothed || saved->sigma == result.score.sigma;
        if (saved->kind == result.score.kind && sameBlur)
            result.threshold = saved;
        else
            result.note = QStringLiteral("the run's threshold is for %1 scores (sigma %2): not applied to these")
                              .arg(toString(saved->kind)).arg(saved->sigma);
    }

    RunDataResult loaded = loadRunData(options.runDir, options.data, onLoadProgress, options.device);
    result.report = loaded.report;
    if (!loaded.run) {
        result.error = loaded.error;
        return result;
    }
    AutoencoderImpl &model = *loaded.run->checkpoint.model;
    const Dataset &d = loaded.run->dataset;

    QVector<double> scores;
    scores.reserve(d.size());
    std::vector<torch::Tensor> mapParts;
    {
        EvalMode eval(model);
        torch::NoGradGuard noGrad;
        const int64_t n = d.size();
        for (int64_t start = 0; start < n; start += kBatch) {
            const int64_t end = std::min(n, start + kBatch);
            const BatchScores b = scoreBatch(model, d, torch::arange(start, end, torch::kLong), result.score, keepMaps);
            const torch::Tensor s = b.scores.contiguous();
            scores.append(QVector<double>(s.data_ptr<double>(), s.data_ptr<double>() + s.numel()));
            if (keepMaps)
                mapParts.push_back(b.maps);
            if (onScoreProgress)
                onScoreProgress(end, n);
        }
    }
    result.rows = scores.size();
    if (QString e = writeScoresCsv(options.outCsv, d, scores); !e.isEmpty()) {
        result.error = e;
        return result;
    }
    const torch::Tensor maps = keepMaps ? torch::cat(mapParts) : torch::Tensor();
    if (!options.mapsDir.isEmpty()) {
        if (QString e = writeHeatmaps(options, d, maps, &result.mapsWritten); !e.isEmpty()) {
            result.error = e;
            return result;
        }
    }

    if (result.threshold)
        for (const double s : scores)
            result.flagged += s >= result.threshold->threshold ? 1 : 0;
    result.pixelAuroc = std::nan("");
    if (!d.hasLabels()) {
        result.ok = true;
        return result;
    }
    const std::optional<QVector<int>> normal = normalClasses(d.classNames, options.normal,
                                                             trainedClassesOf(loaded.run->checkpoint), &problem);
    if (!normal) {
        result.error = problem;
        return result;
    }
    for (const int k : *normal)
        result.normalClasses << d.classNames[k];
    QVector<bool> anomalous(scores.size());
    const torch::Tensor labels = d.labels.to(torch::kLong).contiguous();
    for (qsizetype i = 0; i < scores.size(); ++i)
        anomalous[i] = !normal->contains(int(labels.data_ptr<int64_t>()[i]));
    result.evaluated = true;
    result.evaluation = evaluateScores(scores, anomalous);
    if (result.threshold)
        result.verdicts = verdictsAt(scores, anomalous, result.threshold->threshold);
    if (!options.masksDir.isEmpty()) {
        const std::optional<LoadOptions> load = loadOptionsOf(loaded.run->checkpoint, &problem);
        result.pixelAuroc = pixelAuroc(options, d, maps, anomalous, load ? load->resize : ResizeMode::CenterCrop,
                                       &result.maskedImages, &problem);
        if (!problem.isEmpty()) {
            result.error = problem;
            return result;
        }
    }
    result.jsonPath = QFileInfo(options.outCsv).dir().filePath(QFileInfo(options.outCsv).completeBaseName()
                                                               + QStringLiteral(".json"));
    if (QString e = writeJsonFile(result.jsonPath, scoreJobJson(result)); !e.isEmpty()) {
        result.error = e;
        return result;
    }
    result.ok = true;
    return result;
}

QJsonObject scoreJobJson(const ScoreJobResult &r)
{
    const Evaluation &e = r.evaluation;
    QJsonObject json{
        {QStringLiteral("score"), toString(r.score.kind)},
        {QStringLiteral("sigma"), r.score.sigma},
        {QStringLiteral("images"), double(r.rows)},
        {QStringLiteral("normal_classes"), QJsonArray::fromStringList(r.normalClasses)},
        {QStringLiteral("normal"), double(e.normal)},
        {QStringLiteral("anomalous"), double(e.anomalous)},
        {QStringLiteral("auroc"), jsonNumber(e.auroc)},
        {QStringLiteral("aupr"), jsonNumber(e.aupr)},
        {QStringLiteral("f1"), jsonNumber(e.f1)},
        {QStringLiteral("threshold"), jsonNumber(e.threshold)},
        {QStringLiteral("precision"), jsonNumber(e.precision)},
        {QStringLiteral("recall"), jsonNumber(e.recall)},
    };
    if (r.maskedImages > 0) {
        json.insert(QStringLiteral("pixel_auroc"), jsonNumber(r.pixelAuroc));
        json.insert(QStringLiteral("pixel_auroc_images"), double(r.maskedImages));
        json.insert(QStringLiteral("pixel_auroc_size"), QStringLiteral("masks fitted to the model's input size"));
    }
    if (r.threshold) {
        const Verdicts &v = r.verdicts;
        json.insert(QStringLiteral("saved_threshold"), QJsonObject{
            {QStringLiteral("threshold"), r.threshold->threshold},
            {QStringLiteral("flagged"), double(r.flagged)},
            {QStringLiteral("true_positives"), double(v.truePositives)},
            {QStringLiteral("false_positives"), double(v.falsePositives)},
            {QStringLiteral("true_negatives"), double(v.trueNegatives)},
            {QStringLiteral("false_negatives"), double(v.falseNegatives)},
        });
    }
    return json;
}

} // namespace aes
