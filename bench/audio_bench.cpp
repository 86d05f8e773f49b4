// Audio figures for docs/PERFORMANCE.md: loading a folder of clips into spectrograms (clips/s
// on 1 and 2 threads), decode-to-audio time for a 1 s clip (mel features -> Griffin-Lim ->
// samples, what a play button costs) and Griffin-Lim's spectral convergence against the
// original clip's STFT magnitude.
// Usage: aes-bench-audio FOLDER [--clips N] (the spoken digits: scripts/make-spoken-digits.sh)

#include "benchutil.h"

#include "data/audiofile.h"
#include "data/dataset.h"
#include "data/griffinlim.h"
#include "data/melspectrogram.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QTextStream>

#include <torch/torch.h>

#include <cstdio>

using namespace aes;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: aes-bench-audio FOLDER [--clips N]\n");
        return 2;
    }
    const QString folder = args.at(1);
    const int clipsIndex = int(args.indexOf(QStringLiteral("--clips")));
    const int scClips = clipsIndex > 0 && clipsIndex + 1 < args.size() ? args.at(clipsIndex + 1).toInt() : 50;
    QTextStream out(stdout);

    // 1. Loading, as the app and the CLI do it (best of two runs: the first warms the page cache).
    for (int threads : {1, 2}) {
        double best = 1e30;
        qint64 clips = 0;
        QString shape;
        for (int run = 0; run < 2; ++run) {
            torch::set_num_threads(threads);
            LoadOptions o;
            o.threads = threads;
            QElapsedTimer t;
            t.start();
            const LoadResult r = loadDataset(folder, o);
            const double s = double(t.nsecsElapsed()) * 1e-9;
            if (!r.ok()) {
                std::fprintf(stderr, "%s\n", qPrintable(r.error));
                return 1;
            }
            best = std::min(best, s);
            clips = r.dataset->size();
            shape = QStringLiteral("%1x%2").arg(r.dataset->height()).arg(r.dataset->width());
        }
        out << QStringLiteral("load  threads %1: %2 clips (%3) in %4 s = %5 clips/s\n")
                   .arg(threads).arg(clips).arg(shape).arg(best, 0, 'f', 2).arg(double(clips) / best, 0, 'f', 0);
        out.flush();
    }

    // 2. Clips for decoding and quality: the first scClips files, 1 s each at 16 kHz.
    AudioOptions audio;
    audio.seconds = 1.0;
    const MelSpectrogram mel(audio);
    const int64_t samples = audio.samplesFor(audio.framesFor(16000));
    QStringList files;
    QDirIterator it(folder, {QStringLiteral("*.wav"), QStringLiteral("*.flac")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    files.sort();
    std::vector<torch::Tensor> waves;
    for (int i = 0; i < files.size() && int(waves.size()) < scClips; i += std::max<qsizetype>(1, files.size() / scClips)) {
        const DecodedAudio d = decodeAudioFile(files[i], audio.sampleRate);
        if (!d.ok())
            continue;
        torch::Tensor w = torch::zeros({samples}, torch::kFloat);
        const int64_t n = std::min<int64_t>(samples, int64_t(d.samples.size()));
        float peak = 1e-6f;
        for (float s : d.samples)
            peak = std::max(peak, std::abs(s));
        for (int64_t k = 0; k < n; ++k)
            w[k] = d.samples[size_t(k)] / peak;
        waves.push_back(w);
    }

    // 3. Decode-to-audio time per 1 s clip: features in [0, 1] -> magnitude -> Griffin-Lim.
    for (int threads : {1, 2}) {
        torch::set_num_threads(threads);
        const torch::Tensor unit = mel.unitFeatures(waves.front());
        for (int iterations : {16, 32, 64}) {
            GriffinLimOptions g;
            g.iterations = iterations;
            const double ms = bench::medianMs(15, [&] { featuresToWave(mel, unit, g); });
            out << QStringLiteral("decode-to-audio threads %1, %2 iterations: %3 ms per 1 s clip\n")
                       .arg(threads).arg(iterations).arg(ms, 0, 'f', 1);
            out.flush();
        }
    }

    // 4. Spectral convergence against the original clip's STFT magnitude: from the exact
    // magnitude (Griffin-Lim alone), from the float mel features and from the stored uint8 ones.
    torch::set_num_threads(2);
    for (int iterations : {16, 32, 64, 100}) {
        double fromLinear = 0, fromMel = 0, fromStored = 0;
        GriffinLimOptions g;
        g.iterations = iterations;
        for (const torch::Tensor &w : waves) {
            const torch::Tensor target = mel.magnitude(w);
            fromLinear += spectralConvergence(target, mel.magnitude(griffinLim(mel, target, samples, g)));
            const torch::Tensor unit = mel.unitFeatures(w);
            fromMel += spectralConvergence(target, mel.magnitude(griffinLim(mel, mel.unitToMagnitude(unit), samples, g)));
            const torch::Tensor stored = unit.mul(255.0).round().div(255.0);
            fromStored += spectralConvergence(target, mel.magnitude(griffinLim(mel, mel.unitToMagnitude(stored), samples, g)));
        }
        const double n = double(waves.size());
        out << QStringLiteral("spectral convergence, %1 iterations over %2 clips: from the STFT magnitude %3, "
                              "from mel features %4, from uint8 mel features %5\n")
                   .arg(iterations).arg(waves.size()).arg(fromLinear / n, 0, 'f', 3).arg(fromMel / n, 0, 'f', 3)
                   .arg(fromStored / n, 0, 'f', 3);
        out.flush();
    }
    return 0;
}
