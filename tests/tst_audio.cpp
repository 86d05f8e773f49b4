// Sound as data: clips of every format decoded and resampled, the mel filterbank, the STFT ->
// Griffin-Lim -> STFT round trip, and folders of clips loaded as spectrogram datasets with bad
// clips named. The clips are written by the test with libsndfile (through the engine's writer).

#include "data/audiofile.h"
#include "data/audiofolder.h"
#include "data/dataset.h"
#include "data/griffinlim.h"
#include "data/melspectrogram.h"
#include "testutil.h"

#include <QTemporaryDir>
#include <QtTest>

#include <torch/torch.h>

#include <cmath>

using namespace aes;

namespace {

std::vector<float> sine(double hz, double seconds, int rate, float amplitude = 0.5f)
{
    std::vector<float> s(size_t(std::llround(seconds * rate)));
    for (size_t i = 0; i < s.size(); ++i)
        s[i] = amplitude * float(std::sin(2.0 * M_PI * hz * double(i) / rate));
    return s;
}

// Frequency from upward zero crossings, ignoring the first and last 5% (filter edges).
double estimateFrequency(const std::vector<float> &s, int rate)
{
    const size_t from = s.size() / 20, to = s.size() - s.size() / 20;
    size_t first = 0, last = 0;
    int crossings = 0;
    for (size_t i = from + 1; i < to; ++i)
        if (s[i - 1] < 0.0f && s[i] >= 0.0f) {
            if (crossings == 0)
                first = i;
            last = i;
            ++crossings;
        }
    return crossings > 1 ? double(crossings - 1) * rate / double(last - first) : 0.0;
}

QString writeClip(const QString &path, const std::vector<float> &samples, int rate)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    return writeAudioFile(path, samples, rate);
}

} // namespace

class TestAudio final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { torch::set_num_threads(1); }
    void decodesEachFormat_data();
    void decodesEachFormat();
    void stereoIsMixedToMono();
    void resampling_data();
    void resampling();
    void badClips_data();
    void badClips();
    void filterbankMatchesHandValues();
    void fullScaleSineIsZeroDb();
    void griffinLimConverges();
    void folderLoadsAsSpectrograms();
    void badClipsAreNamedInReport();
    void durationChoices();
    void windowsSplitLongClips();
    void optionsRoundTripThroughJson();
    void cliTrainsEncodesAndAppliesToWavs();
};

void TestAudio::decodesEachFormat_data()
{
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<double>("tolerance");  // lossy formats move samples a little
    QTest::newRow("wav") << "wav" << 1e-3;
    QTest::newRow("flac") << "flac" << 1e-3;
    QTest::newRow("ogg") << "ogg" << 0.1;
    QTest::newRow("mp3") << "mp3" << 0.1;
}

void TestAudio::decodesEachFormat()
{
    QFETCH(QString, suffix);
    QFETCH(double, tolerance);
    QTemporaryDir dir;
    const QString path = dir.filePath("tone." + suffix);
    const std::vector<float> tone = sine(440.0, 0.5, 16000);
    QCOMPARE(writeClip(path, tone, 16000), QString());
    const DecodedAudio d = decodeAudioFile(path, 16000);
    QVERIFY2(d.ok(), qPrintable(d.error));
    QCOMPARE(d.sourceRate, 16000);
    QCOMPARE(d.sourceChannels, 1);
    // MP3 and Vorbis add encoder delay and padding: the length is close, not exact.
    QVERIFY2(std::abs(qint64(d.samples.size()) - qint64(tone.size())) <= (suffix == "mp3" ? 2400 : 0),
             qPrintable(QString::number(d.samples.size())));
    QVERIFY(std::abs(estimateFrequency(d.samples, 16000) - 440.0) < 2.0);
    if (suffix == "wav" || suffix == "flac") {
        double worst = 0.0;
        for (size_t i = 0; i < tone.size(); ++i)
            worst = std::max(worst, double(std::abs(d.samples[i] - tone[i])));
        QVERIFY2(worst < tolerance, qPrintable(QString::number(worst)));
    }
}

void TestAudio::stereoIsMixedToMono()
{
    // A stereo 16-bit WAV written by hand (the engine writes mono only): left +0.5, right -0.25.
    QByteArray wav;
    const int frames = 1000;
    auto le32 = [](quint32 v) { return QByteArray(reinterpret_cast<const char *>(&v), 4); };
    auto le16 = [](quint16 v) { return QByteArray(reinterpret_cast<const char *>(&v), 2); };
    QByteArray data;
    for (int i = 0; i < frames; ++i) {
        data += le16(quint16(qint16(16384)));
        data += le16(quint16(qint16(-8192)));
    }
    wav += "RIFF" + le32(quint32(36 + data.size())) + "WAVEfmt " + le32(16) + le16(1) + le16(2) + le32(8000)
        + le32(8000 * 4) + le16(4) + le16(16) + "data" + le32(quint32(data.size())) + data;
    const DecodedAudio d = decodeAudioBytes(wav, 8000);
    QVERIFY2(d.ok(), qPrintable(d.error));
    QCOMPARE(d.sourceChannels, 2);
    QCOMPARE(int(d.samples.size()), frames);
    QVERIFY(std::abs(d.samples[500] - 0.125f) < 1e-4f);
}

void TestAudio::resampling_data()
{
    QTest::addColumn<int>("rate");
    QTest::newRow("8k") << 8000;
    QTest::newRow("22.05k") << 22050;
    QTest::newRow("44.1k") << 44100;
    QTest::newRow("48k") << 48000;
}

void TestAudio::resampling()
{
    QFETCH(int, rate);
    QTemporaryDir dir;
    const QString path = dir.filePath("tone.wav");
    QCOMPARE(writeClip(path, sine(1000.0, 0.75, rate), rate), QString());
    const DecodedAudio d = decodeAudioFile(path, 16000);
    QVERIFY2(d.ok(), qPrintable(d.error));
    QCOMPARE(d.sourceRate, rate);
    QCOMPARE(int(d.samples.size()), 12000);  // 0.75 s at 16 kHz
    const double f = estimateFrequency(d.samples, 16000);
    QVERIFY2(std::abs(f - 1000.0) < 1.0, qPrintable(QString::number(f)));
}

void TestAudio::badClips_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    QString error;
    const QByteArray good = encodeAudio(sine(300.0, 0.2, 8000), 8000, "wav", &error);
    QVERIFY(error.isEmpty());
    QTest::newRow("zero-length") << QByteArray() << "empty";
    QTest::newRow("text") << QByteArray("this is not a sound, just words in a file named .wav\n") << "not audio";
    QTest::newRow("truncated") << good.left(good.size() / 2) << "truncated";
    // A header that claims 2^32 - 1 bytes of data and 60000 channels.
    QByteArray huge = good.left(44);
    huge[22] = char(0x60);
    huge[23] = char(0xEA);
    QTest::newRow("huge channels") << huge << "bad header";
    QByteArray hugeData = good;
    hugeData[40] = hugeData[41] = hugeData[42] = hugeData[43] = char(0xFF);
    hugeData.truncate(200);
    QTest::newRow("huge data size") << hugeData << "truncated";
}

void TestAudio::badClips()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    QCOMPARE(decodeAudioBytes(bytes, 16000).error, reason);
}

void TestAudio::filterbankMatchesHandValues()
{
    // One mel band over 0-4000 Hz at 8 kHz with 8-sample frames: bins at 0, 1000, ..., 4000 Hz.
    // The band's centre is halfway in mel: 700 (sqrt(1 + 4000 / 700) - 1) = 1113.836 Hz.
    const at::Tensor fb = melFilterbank(1, 8, 8000, 0.0, 4000.0);
    QCOMPARE(fb.sizes().vec(), (std::vector<int64_t>{1, 5}));
    const double centre = 700.0 * (std::sqrt(1.0 + 4000.0 / 700.0) - 1.0);
    QVERIFY(std::abs(centre - 1113.836) < 1e-3);
    const double expected[5] = {0.0, 1000.0 / centre, 2000.0 / (4000.0 - centre), 1000.0 / (4000.0 - centre), 0.0};
    for (int k = 0; k < 5; ++k)
        QVERIFY2(std::abs(fb[0][k].item<double>() - expected[k]) < 1e-5,
                 qPrintable(QStringLiteral("bin %1: %2").arg(k).arg(fb[0][k].item<double>())));
    // HTK's scale: 1000 Hz is about 1000 mel.
    QVERIFY(std::abs(hzToMel(1000.0) - 999.985) < 0.01);
    QVERIFY(std::abs(melToHz(hzToMel(3210.0)) - 3210.0) < 1e-9);
    // 64 bands over speech: every band has weight somewhere, each at most 1.
    const at::Tensor speech = melFilterbank(64, 400, 16000, 0.0, 8000.0);
    QVERIFY(speech.sum(1).min().item<double>() > 0.0);
    QVERIFY(speech.max().item<double>() <= 1.0);
}

void TestAudio::fullScaleSineIsZeroDb()
{
    AudioOptions o;
    const MelSpectrogram mel(o);
    const std::vector<float> tone = sine(1000.0, 1.0, 16000, 1.0f);
    const at::Tensor wave = torch::from_blob(const_cast<float *>(tone.data()), {1, qint64(tone.size())}, torch::kFloat);
    const at::Tensor magnitude = mel.magnitude(wave);
    QCOMPARE(magnitude.size(1), 201);
    QCOMPARE(magnitude.size(2), o.framesFor(16000));
    // 1000 Hz is bin 25 exactly: a full-scale sine gives magnitude 1 there.
    QVERIFY(std::abs(magnitude[0][25][50].item<double>() - 1.0) < 1e-3);
    const at::Tensor unit = mel.unitFeatures(wave);
    QCOMPARE(unit.sizes().vec(), (std::vector<int64_t>{1, 64, 101}));
    // The band holding 1000 Hz is near the top of the scale, silence-free bands far below it.
    QVERIFY(unit.max().item<double>() > 0.95);
    QVERIFY(unit.min().item<double>() >= 0.0);
}

void TestAudio::griffinLimConverges()
{
    AudioOptions o;
    const MelSpectrogram mel(o);
    // A chirp plus a tone: phase matters, a single frame cannot be guessed.
    std::vector<float> clip(16000);
    for (size_t i = 0; i < clip.size(); ++i) {
        const double t = double(i) / 16000.0;
        clip[i] = float(0.4 * std::sin(2.0 * M_PI * (300.0 * t + 800.0 * t * t)) + 0.2 * std::sin(2.0 * M_PI * 2500.0 * t));
    }
    const at::Tensor wave = torch::from_blob(clip.data(), {qint64(clip.size())}, torch::kFloat).clone();
    const at::Tensor target = mel.magnitude(wave);
    double previous = 2.0;
    for (int iterations : {0, 8, 32}) {
        GriffinLimOptions g;
        g.iterations = iterations;
        const at::Tensor rebuilt = griffinLim(mel, target, wave.numel(), g);
        QCOMPARE(rebuilt.numel(), wave.numel());
        const double sc = spectralConvergence(target, mel.magnitude(rebuilt));
        QVERIFY2(sc < previous, qPrintable(QStringLiteral("%1 iterations: %2").arg(iterations).arg(sc)));
        previous = sc;
    }
    QVERIFY2(previous < 0.15, qPrintable(QString::number(previous)));
    // From mel features, the whole way: the right length and most of the energy back.
    const std::vector<float> back = featuresToWave(mel, mel.unitFeatures(wave));
    QCOMPARE(qint64(back.size()), o.samplesFor(101));
    double energy = 0.0, original = 0.0;
    for (size_t i = 0; i < back.size(); ++i) {
        energy += double(back[i]) * back[i];
        original += double(clip[i]) * clip[i];
    }
    QVERIFY2(energy > 0.3 * original && energy < 3.0 * original, qPrintable(QString::number(energy / original)));
}

void TestAudio::folderLoadsAsSpectrograms()
{
    QTemporaryDir dir;
    QCOMPARE(writeClip(dir.filePath("low/a.wav"), sine(300.0, 0.5, 16000), 16000), QString());
    QCOMPARE(writeClip(dir.filePath("low/b.flac"), sine(320.0, 0.4, 22050), 22050), QString());
    QCOMPARE(writeClip(dir.filePath("high/c.ogg"), sine(3000.0, 0.6, 44100), 44100), QString());
    const LoadResult r = loadDataset(dir.path());
    QVERIFY2(r.ok(), qPrintable(r.error));
    QVERIFY(r.report.audio);
    QCOMPARE(r.report.summary(), QStringLiteral("loaded 3 clips, skipped 0"));
    const Dataset &d = *r.dataset;
    QVERIFY(d.isAudio());
    QCOMPARE(d.classNames, QStringList({"high", "low"}));
    QCOMPARE(d.channels(), 1);
    QCOMPARE(d.height(), 64);
    QCOMPARE(d.width(), 51);  // the median clip, 0.5 s: 1 + 8000 / 160 frames
    QCOMPARE(d.audio->seconds, 0.5);
    QVERIFY2(r.report.audioDetails.contains("0.50 s per clip (the median clip"), qPrintable(r.report.audioDetails));
    QVERIFY(r.report.audioDetails.contains("1 padded, 1 cut"));
    // Row 0 is the highest band: the 3 kHz tone sits above the 300 Hz one.
    auto peakRow = [&](qint64 i) { return d.images[i][0].to(torch::kFloat).sum(1).argmax().item<int64_t>(); };
    QCOMPARE(d.labels[0].item<int64_t>(), 0);  // high/c.ogg first (sorted paths)
    QVERIFY(peakRow(0) < peakRow(1));
}

void TestAudio::badClipsAreNamedInReport()
{
    QTemporaryDir dir;
    QCOMPARE(writeClip(dir.filePath("yes/good.wav"), sine(440.0, 0.3, 16000), 16000), QString());
    QString error;
    const QByteArray wav = encodeAudio(sine(440.0, 0.3, 16000), 16000, "wav", &error);
    QVERIFY(test::writeFile(dir.filePath("yes/cut.wav"), wav.left(wav.size() / 3)));
    QVERIFY(test::writeFile(dir.filePath("no/empty.wav"), {}));
    QVERIFY(test::writeFile(dir.filePath("no/words.mp3"), "not a sound at all, only words"));
    QVERIFY(test::writeFile(dir.filePath("loose.wav"), wav));
    const LoadResult r = loadDataset(dir.path());
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.report.loaded, 1);
    QMap<QString, QString> reasons;
    for (const SkippedFile &s : r.report.skipped)
        reasons[QFileInfo(s.path).fileName()] = s.reason;
    QCOMPARE(reasons.value("cut.wav"), "truncated");
    QCOMPARE(reasons.value("empty.wav"), "empty");
    QCOMPARE(reasons.value("words.mp3"), "not audio");
    QCOMPARE(reasons.value("loose.wav"), "not in a class folder");
    QCOMPARE(r.report.summary(), QStringLiteral("loaded 1 clip, skipped 4 (1 empty, 1 not audio, 1 not in a class folder, ...)"));
}

void TestAudio::durationChoices()
{
    QTemporaryDir dir;
    for (int i = 0; i < 3; ++i)
        QCOMPARE(writeClip(dir.filePath(QStringLiteral("c%1.wav").arg(i)), sine(500.0, 0.2 + 0.1 * i, 16000), 16000), QString());
    LoadOptions o;
    o.audio.seconds = 1.0;
    LoadResult r = loadDataset(dir.path(), o);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.dataset->width(), 101);
    QVERIFY(r.report.audioDetails.contains("as asked"));
    // A model's width fixes the frames (and so the duration); its height the mels.
    o = LoadOptions{};
    o.width = 31;
    o.height = 32;
    r = loadDataset(dir.path(), o);
    QVERIFY2(r.ok(), qPrintable(r.error));
    QCOMPARE(r.dataset->width(), 31);
    QCOMPARE(r.dataset->height(), 32);
    QCOMPARE(r.dataset->audio->seconds, 0.3);
    QCOMPARE(r.dataset->audio->nMels, 32);
    QVERIFY(r.report.audioDetails.contains("the model's 31 frames"));
    // The silent end of the padded 0.2 s clip is at the floor; its tone is well above it.
    QCOMPARE(r.dataset->images[0][0].select(1, 30).max().item<int>(), 0);
    QVERIFY(r.dataset->images[0][0].select(1, 10).max().item<int>() > 200);
}

void TestAudio::windowsSplitLongClips()
{
    QTemporaryDir dir;
    QCOMPARE(writeClip(dir.filePath("long.wav"), sine(500.0, 2.6, 16000), 16000), QString());
    QCOMPARE(writeClip(dir.filePath("short.wav"), sine(500.0, 0.3, 16000), 16000), QString());
    LoadOptions o;
    o.audio.windowSeconds = 1.0;
    const LoadResult r = loadDataset(dir.path(), o);
    QVERIFY2(r.ok(), qPrintable(r.error));
    // 2.6 s: two whole windows and a 0.6 s one (over half full); 0.3 s: one padded window.
    QCOMPARE(r.dataset->size(), 4);
    QCOMPARE(r.dataset->width(), 101);
    QVERIFY(r.dataset->paths[2].endsWith("long.wav#2"));
    QVERIFY(r.dataset->paths[3].endsWith("short.wav#0"));
}

void TestAudio::optionsRoundTripThroughJson()
{
    LoadOptions o;
    o.audio.sampleRate = 22050;
    o.audio.nMels = 80;
    o.audio.nFft = 1024;
    o.audio.hop = 256;
    o.audio.fMin = 50.0;
    o.audio.windowSeconds = 2.0;
    o.audio.normalize = false;
    QString error;
    const std::optional<LoadOptions> back = LoadOptions::fromJson(o.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->toJson(), o.toJson());
    QCOMPARE(back->audio.nMels, 80);
    QCOMPARE(back->audio.normalize, false);
    QJsonObject bad = o.toJson();
    QJsonObject audio = bad.value("audio").toObject();
    audio.insert("hop", 1000);
    bad.insert("audio", audio);
    QVERIFY(!LoadOptions::fromJson(bad, &error, "load."));
    QVERIFY2(error.startsWith("\"load.audio.n_fft\""), qPrintable(error));
}

void TestAudio::cliTrainsEncodesAndAppliesToWavs()
{
    QTemporaryDir dir;
    const QString data = dir.filePath("clips");
    for (int i = 0; i < 6; ++i) {
        QCOMPARE(writeClip(QStringLiteral("%1/low/%2.wav").arg(data).arg(i), sine(200.0 + 20 * i, 0.3, 8000), 8000), QString());
        QCOMPARE(writeClip(QStringLiteral("%1/high/%2.flac").arg(data).arg(i), sine(2500.0 + 100 * i, 0.3 + 0.01 * i, 16000), 16000),
                 QString());
    }
    const QString run = dir.filePath("run");
    auto cli = [](const QStringList &args) { return test::runProgram(QStringLiteral(AES_CLI_PATH), args); };
    test::ProgramResult r = cli({"train", data, "--out", run, "--epochs", "1", "--latent", "4", "--batch", "4",
                                 "--threads", "1", "--n-mels", "32"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("loaded 12 clips, skipped 0"), qPrintable(r.err));
    QVERIFY2(r.err.contains("audio: 0.30 s per clip"), qPrintable(r.err));
    r = cli({"encode", run, data, "--out", dir.filePath("codes.tsv")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QFile codes(dir.filePath("codes.tsv"));
    QVERIFY(codes.open(QIODevice::ReadOnly));
    QCOMPARE(codes.readAll().count('\n'), 13);  // header + one row per clip
    r = cli({"apply", run, data, "--out", dir.filePath("out")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains("wrote 12 clips"), qPrintable(r.err));
    for (const QString name : {"low/0.wav", "high/5.wav"}) {
        const DecodedAudio back = decodeAudioFile(dir.filePath("out/" + name), 0);
        QVERIFY2(back.ok(), qPrintable(name + ": " + back.error));
        QCOMPARE(back.sourceRate, 16000);
        QCOMPARE(back.samples.size(), size_t(4800));  // 0.3 s at 16 kHz: 30 hops
    }

    // A copy of a clip outside the folder, as the query of similar: the same features (8 kHz
    // resampled to the run's 16 kHz, 32 mels, 0.3 s), so its original comes first at distance 0.
    const QString query = dir.filePath("query.wav");
    QVERIFY(QFile::copy(data + "/low/2.wav", query));
    r = cli({"similar", run, data, "--query", query, "--k", "3"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList rows = r.out.split('\n', Qt::SkipEmptyParts);
    QCOMPARE(rows.size(), 4);  // header + 3
    const QStringList first = rows[1].split('\t');
    QCOMPARE(first.size(), 4);
    QCOMPARE(first[0], "1");
    QVERIFY2(first[1].endsWith("low/2.wav"), qPrintable(rows[1]));
    QCOMPARE(first[2], "low");
    QCOMPARE(first[3], "0");
    QVERIFY2(r.err.contains("the query is image"), qPrintable(r.err));
    // An image is no query for sound, and a clip that is not audio is named.
    QVERIFY(test::writeFile(dir.filePath("query.png"), "png"));
    r = cli({"similar", run, data, "--query", dir.filePath("query.png")});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("is not a sound clip"), qPrintable(r.err));
    QVERIFY(test::writeFile(dir.filePath("words.wav"), "these are words"));
    r = cli({"similar", run, data, "--query", dir.filePath("words.wav")});
    QVERIFY(r.exitCode != 0);
    QVERIFY2(r.err.contains("words.wav: not audio"), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestAudio)
#include "tst_audio.moc"
