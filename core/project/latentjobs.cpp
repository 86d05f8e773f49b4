#include "project/latentjobs.h"

#include "model/autoencoder.h"
#include "project/rundirectory.h"
#include "util/atomicfile.h"

#include <torch/torch.h>

#include <QElapsedTimer>
#include <QFile>
#include <QSaveFile>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace aes {

EncodeJobResult runEncodeJob(const QString &runDir, const QString &data, const QString &outTsv,
                             const LoadControl::ProgressFn &onLoadProgress, const QString &device)
{
    EncodeJobResult result;
    RunDataResult loaded = loadRunData(runDir, data, onLoadProgress, device);
    result.report = loaded.report;
    if (!loaded.run) {
        result.error = loaded.error;
        return result;
    }
    const LoadedCheckpoint &checkpoint = loaded.run->checkpoint;
    const Dataset &d = loaded.run->dataset;
    const torch::Tensor codes = encodeImages(*checkpoint.model, d);
    const auto c = codes.accessor<float, 2>();

    QSaveFile file(outTsv);
    if (!file.open(QIODevice::WriteOnly)) {
        result.error = QStringLiteral("cannot write %1: %2").arg(outTsv, file.errorString());
        return result;
    }
    QByteArray header = "path\tlabel";
    for (int i = 0; i < checkpoint.options.latent; ++i)
        header += "\tz" + QByteArray::number(i);
    file.write(header + '\n');
    const qint64 n = d.size();
    const auto labels = d.labels.accessor<int64_t, 1>();
    for (qint64 start = 0; start < n; start += 512) {
        const qint64 end = std::min(n, start + 512);
        QByteArray chunk;
        for (qint64 i = start; i < end; ++i) {
            const qint64 label = labels[i];
            chunk += d.paths[int(i)].toUtf8() + '\t';
            if (label >= 0)
                chunk += labelText(d.classNames, label).toUtf8();
            for (int64_t j = 0; j < codes.size(1); ++j)
                chunk += '\t' + QByteArray::number(double(c[i][j]), 'g', 8);
            chunk += '\n';
        }
        if (file.write(chunk) != chunk.size()) {
            result.error = QStringLiteral("cannot write %1: %2").arg(outTsv, file.errorString());
            file.cancelWriting();
            return result;
        }
    }
    if (QString e = commitSaveFile(file); !e.isEmpty()) {
        result.error = e;
        return result;
    }
    result.rows = n;
    result.ok = true;
    return result;
}

namespace {

// Rows of numbers, one vector per line, separated by tabs or spaces; blank lines skipped.
// std::from_chars: fast, and independent of the locale Qt sets for the process.
std::optional<torch::Tensor> readVectorsTsv(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    const char *p = bytes.constData(), *const end = p + bytes.size();
    std::vector<float> values;
    int64_t rows = 0, dims = -1, line = 0;
    while (p < end) {
        const char *eol = std::find(p, end, '\n');
        ++line;
        int64_t count = 0;
        for (const char *q = p; q < eol;) {
            if (*q == '\t' || *q == ' ' || *q == '\r') {
                ++q;
                continue;
            }
            float v = 0.0f;
            const std::from_chars_result r = std::from_chars(q, eol, v);
            const char *stop = r.ptr;
            if (r.ec != std::errc() || (stop < eol && *stop != '\t' && *stop != ' ' && *stop != '\r')) {
                const char *tokenEnd = std::find_if(q, eol, [](char c) { return c == '\t' || c == ' ' || c == '\r'; });
                *error = QStringLiteral("%1 line %2: \"%3\" is not a number (expected one vector per row, no header)")
                             .arg(path).arg(line).arg(QString::fromUtf8(q, int(std::min<int64_t>(tokenEnd - q, 40))));
                return std::nullopt;
            }
            values.push_back(v);
            ++count;
            q = stop;
        }
        p = eol + 1;
        if (count == 0)
            continue;
        if (dims >= 0 && count != dims) {
            *error = QStringLiteral("%1 line %2 has %3 values, the rows before it %4").arg(path).arg(line).arg(count).arg(dims);
            return std::nullopt;
        }
        dims = count;
        ++rows;
    }
    if (rows == 0) {
        *error = QStringLiteral("%1 holds no vectors").arg(path);
        return std::nullopt;
    }
    return torch::from_blob(values.data(), {rows, dims}, torch::kFloat32).clone();
}

} // namespace

ProjectJobResult runProjectJob(const ProjectJobOptions &options, LayoutControl *control,
                               const LoadControl::ProgressFn &onLoadProgress)
{
    ProjectJobResult result;
    const QFileInfo info(options.input);
    result.fromRun = info.isDir() || info.suffix() == QLatin1String("pt");
    torch::Tensor codes;
    std::optional<RunData> run;
    if (result.fromRun) {
        RunDataResult loaded = loadRunData(options.input, {}, onLoadProgress);
        result.report = loaded.report;
        if (!loaded.run) {
            result.error = loaded.error;
            return result;
        }
        run = std::move(loaded.run);
        codes = encodeImages(*run->checkpoint.model, run->dataset);
    } else {
        std::optional<torch::Tensor> vectors = readVectorsTsv(options.input, &result.error);
        if (!vectors)
            return result;
        codes = *vectors;
    }
    result.rows = codes.size(0);
    result.dims = int(codes.size(1));

    QElapsedTimer clock;
    clock.start();
    const ProjectionResult projected = project(codes, options.projection, control);
    result.projectSeconds = clock.elapsed() / 1000.0;
    if (!projected.ok()) {
        result.cancelled = projected.cancelled;
        result.error = projected.error;
        return result;
    }
    const torch::Tensor layout = projected.projection->layout.contiguous();
    const auto xy = layout.accessor<float, 2>();

    QSaveFile file(options.outTsv);
    if (!file.open(QIODevice::WriteOnly)) {
        result.error = QStringLiteral("cannot write %1: %2").arg(options.outTsv, file.errorString());
        return result;
    }
    QByteArray text;
    const torch::Tensor labels = run ? run->dataset.labels.to(torch::kLong).contiguous() : torch::Tensor();
    for (int64_t i = 0; i < layout.size(0); ++i) {
        if (run) {
            const Dataset &d = run->dataset;
            const int64_t label = labels.data_ptr<int64_t>()[i];
            text += d.paths[int(i)].toUtf8() + '\t';
            if (label >= 0)
                text += labelText(d.classNames, label).toUtf8();
            text += '\t';
        }
        text += QByteArray::number(double(xy[i][0]), 'g', 7) + '\t' + QByteArray::number(double(xy[i][1]), 'g', 7) + '\n';
    }
    file.write(text);
    if (QString e = commitSaveFile(file); !e.isEmpty()) {
        result.error = e;
        return result;
    }
    result.ok = true;
    return result;
}

} // namespace aes
