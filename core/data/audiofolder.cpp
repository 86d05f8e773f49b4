#include "data/audiofolder.h"

#include "data/audiofile.h"
#include "data/melspectrogram.h"
#include "data/parallelrun.h"

#include <QElapsedTimer>
#include <QHash>
#include <QThread>

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace aes {

namespace {

// One row of the dataset: a whole clip, or one window of it.
struct Piece {
    int clip = 0;          // index into the candidates
    qint64 offset = 0;     // first sample
    int window = -1;       // window number, -1 for a whole clip
};

LoadResult failure(LoadResult result, const QString &error, const QElapsedTimer &timer)
{
    result.error = error;
    result.report.seconds = timer.elapsed() / 1000.0;
    return result;
}

QString secondsText(double s)
{
    return QStringLiteral("%1 s").arg(s, 0, 'f', 2);
}

// samples values of clip from offset into wave (already zeros: the rest stays silence), scaled
// so that the whole clip's peak is full scale when normalize.
void fillWave(float *wave, const std::vector<float> &clip, qint64 offset, qint64 samples, bool normalize)
{
    float peak = 0.0f;
    if (normalize)
        for (float s : clip)
            peak = std::max(peak, std::abs(s));
    const float gain = peak > 1e-6f ? 1.0f / peak : 1.0f;
    const qint64 available = std::clamp<qint64>(qint64(clip.size()) - offset, 0, samples);
    for (qint64 s = 0; s < available; ++s)
        wave[s] = clip[size_t(offset + s)] * gain;
}

// Waves [B, samples] to the dataset's rows: uint8 [B, 1, nMels, frames], highest band first.
torch::Tensor spectrogramRows(const MelSpectrogram &mel, const torch::Tensor &waves)
{
    const torch::Tensor unit = mel.unitFeatures(waves).flip({1});
    return unit.mul(255.0).round_().unsqueeze(1).to(torch::kByte);
}

} // namespace

AudioOptions resolvedAudioOptions(const LoadOptions &options)
{
    AudioOptions audio = options.audio;
    if (options.height > 0)
        audio.nMels = options.height;
    if (options.width > 0) {
        audio.seconds = double(audio.samplesFor(options.width)) / audio.sampleRate;
        audio.windowSeconds = audio.windowSeconds > 0.0 ? audio.seconds : 0.0;
    }
    return audio;
}

LoadResult loadAudioFolder(const QString &root, const QVector<AudioCandidate> &candidates,
                           const QStringList &classNames, const LoadOptions &options, const LoadControl *control)
{
    QElapsedTimer timer;
    timer.start();
    LoadResult result;
    result.report.source = root;
    result.report.audio = true;
    AudioOptions audio = resolvedAudioOptions(options);
    if (const QString problem = audio.validate(); !problem.isEmpty())
        return failure(result, QStringLiteral("Cannot load %1 as audio: %2").arg(root, problem), timer);
    const QString cancelled = QStringLiteral("Loading %1 was cancelled").arg(root);
    const bool labelled = !classNames.isEmpty();

    // 1. Decode and resample on every core.
    QVector<DecodedAudio> decoded(candidates.size());
    const int threads = options.threads > 0 ? options.threads : QThread::idealThreadCount();
    qint64 outside = 0;
    const QString bug = decodeCandidates(
        candidates, labelled, threads, control,
        [&](int i) {
            decoded[i].error = QStringLiteral("not in a class folder");
            ++outside;
        },
        [&](int i) { decoded[i] = decodeAudioFile(candidates[i].path, audio.sampleRate, options.maxFileBytes); });
    if (!bug.isEmpty())
        return failure(result, QStringLiteral("Loading %1 failed: %2").arg(root, bug), timer);
    if (control && control->isCancelled())
        return failure(result, cancelled, timer);
    QVector<int> kept;
    std::vector<qint64> lengths;
    for (int i = 0; i < candidates.size(); ++i) {
        if (!decoded[i].ok()) {
            result.report.skipped.push_back({candidates[i].path, decoded[i].error});
        } else {
            kept << i;
            lengths.push_back(qint64(decoded[i].samples.size()));
        }
    }
    if (kept.isEmpty())
        return failure(result, QStringLiteral("No usable clip in %1: %2 files skipped (%3)")
                                   .arg(root).arg(result.report.skipped.size())
                                   .arg(result.report.reasonCounts()), timer);

    // 2. One duration, a whole number of hops so that it maps to frames and back exactly.
    std::sort(lengths.begin(), lengths.end());
    const double medianSeconds = double(lengths[lengths.size() / 2]) / audio.sampleRate;
    QString why;
    double seconds = 0.0;
    if (options.width > 0) {
        seconds = audio.seconds;
        why = QStringLiteral("the model's %1 frames").arg(options.width);
    } else if (audio.windowSeconds > 0.0) {
        seconds = audio.windowSeconds;
        why = QStringLiteral("windows");
    } else if (audio.seconds > 0.0) {
        seconds = audio.seconds;
        why = QStringLiteral("as asked");
    } else {
        seconds = std::min(medianSeconds, AudioOptions::kMaxAutoSeconds);
        why = medianSeconds > AudioOptions::kMaxAutoSeconds
                  ? QStringLiteral("the median %1, capped").arg(secondsText(medianSeconds))
                  : QStringLiteral("the median clip");
    }
    const int frames = audio.framesFor(std::max<qint64>(std::llround(seconds * audio.sampleRate), audio.hop));
    const qint64 samples = audio.samplesFor(frames);
    audio.seconds = double(samples) / audio.sampleRate;
    const bool windows = audio.windowSeconds > 0.0;
    if (windows)
        audio.windowSeconds = audio.seconds;

    QVector<Piece> pieces;
    int padded = 0, cut = 0;
    for (int i : kept) {
        const qint64 length = qint64(decoded[i].samples.size());
        if (windows) {
            // Whole windows, plus the last partial one when it is at least half full.
            const qint64 count = std::max<qint64>(1, (length + samples / 2) / samples);
            for (qint64 w = 0; w < count; ++w)
                pieces.push_back({i, w * samples, int(w)});
        } else {
            pieces.push_back({i, 0, -1});
            padded += length < samples;
            cut += length > samples;
        }
    }

    // 3. Features in batches (LibTorch's threads do the STFT), straight into the uint8 tensor.
    const qint64 n = pieces.size();
    const MelSpectrogram mel(audio);
    at::Tensor images;
    try {
        images = torch::empty({n, 1, audio.nMels, frames}, torch::kByte);
    } catch (const std::exception &) {
        return failure(result, QStringLiteral("Not enough memory for %1 spectrograms of %2x%3 (%4 MiB)")
                                   .arg(n).arg(audio.nMels).arg(frames)
                                   .arg(n * audio.nMels * frames >> 20), timer);
    }
    constexpr qint64 kBatch = 64;
    for (qint64 start = 0; start < n; start += kBatch) {
        if (control && control->isCancelled())
            return failure(result, cancelled, timer);
        const qint64 count = std::min(kBatch, n - start);
        torch::Tensor waves = torch::zeros({count, samples}, torch::kFloat);
        float *w = waves.data_ptr<float>();
        for (qint64 b = 0; b < count; ++b) {
            const Piece &piece = pieces[int(start + b)];
            fillWave(w + b * samples, decoded[piece.clip].samples, piece.offset, samples, audio.normalize);
        }
        images.narrow(0, start, count).copy_(spectrogramRows(mel, waves));
    }

    Dataset dataset = folderDataset(images, root, classNames, labelled, n, [&](qint64 k) {
        const Piece &piece = pieces[int(k)];
        const AudioCandidate &c = candidates[piece.clip];
        return std::pair<QString, QString>(
            piece.window < 0 ? c.path : QStringLiteral("%1#%2").arg(c.path).arg(piece.window), c.classDir);
    });
    dataset.audio = audio;

    result.report.loaded = int(n);
    result.report.audioDetails =
        windows ? QStringLiteral("%1 clips in windows of %2: %3 x %4 frames; %5")
                      .arg(kept.size()).arg(secondsText(audio.seconds)).arg(audio.nMels).arg(frames).arg(audio.describe())
                : QStringLiteral("%1 per clip (%2; median %3), %4 padded, %5 cut: %6 x %7 frames; %8")
                      .arg(secondsText(audio.seconds), why, secondsText(medianSeconds)).arg(padded).arg(cut)
                      .arg(audio.nMels).arg(frames).arg(audio.describe());
    result.report.seconds = timer.elapsed() / 1000.0;
    result.dataset = std::move(dataset);
    if (control)
        control->report(candidates.size() - outside, candidates.size() - outside);
    return result;
}

at::Tensor audioClipRow(const QString &path, const AudioOptions &audio, int frames, qint64 maxFileBytes,
                        QString *error)
{
    if (const QString problem = audio.validate(); !problem.isEmpty()) {
        *error = problem;
        return {};
    }
    const DecodedAudio decoded = decodeAudioFile(path, audio.sampleRate, maxFileBytes);
    if (!decoded.ok()) {
        *error = decoded.error;
        return {};
    }
    const qint64 samples = audio.samplesFor(frames);
    torch::Tensor wave = torch::zeros({1, samples}, torch::kFloat);
    fillWave(wave.data_ptr<float>(), decoded.samples, 0, samples, audio.normalize);
    return spectrogramRows(MelSpectrogram(audio), wave)[0];
}

} // namespace aes
