#pragma once
// How a dataset is opened (LoadOptions) and what happened when it was (LoadReport): plain
// values shared by the engine, the CLI, project files, checkpoints and the GUI's dataset panel.
//
// Threads: values; any thread. Torch-free and OpenCV-free: ui/ includes it.

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

namespace aes {

enum class ResizeMode { CenterCrop, Letterbox };

// How a folder of audio clips becomes spectrogram "images" (data/audiofolder.h): decoded, mixed
// to mono and resampled to sampleRate, padded or cut to one duration (or split into windows),
// then log-mel features of nMels rows and one column per hop, scaled to [0, 1] over dbRange dB
// below full scale. Fixes how the features are inverted back to sound (data/melspectrogram.h).
struct AudioOptions {
    int sampleRate = 16000;      // Hz, every clip is resampled to it
    double seconds = 0.0;        // clip duration; 0 = the median clip's, at most kMaxAutoSeconds
    double windowSeconds = 0.0;  // > 0: clips are split into windows of this length instead
    int nFft = 400;              // STFT window in samples (25 ms at 16 kHz)
    int hop = 160;               // STFT hop in samples (10 ms at 16 kHz)
    int nMels = 64;
    double fMin = 0.0;           // Hz
    double fMax = 0.0;           // Hz; 0 = half the sample rate
    double dbRange = 80.0;       // dB below full scale that map to 0 (the floor)
    bool normalize = true;       // each clip's peak scaled to full scale before the features

    static constexpr double kMaxAutoSeconds = 10.0;
    double maxFrequency() const { return fMax > 0.0 ? fMax : sampleRate / 2.0; }
    // Columns of a clip of `samples` samples (the STFT is centred: 1 + samples / hop).
    int framesFor(qint64 samples) const;
    // Samples that give `frames` columns.
    qint64 samplesFor(int frames) const;
    // Empty when usable, else what is wrong ("n_fft must be ...").
    QString validate() const;
    // "16000 Hz, 64 mels, n_fft 400, hop 160, 0-8000 Hz, 80 dB"
    QString describe() const;
};

struct LoadOptions {
    int channels = 0;  // 1 or 3; 0 = automatic (1 when every image is gray, else 3)
    int width = 0;     // 0 = automatic (the common size, or the most frequent one)
    int height = 0;
    ResizeMode resize = ResizeMode::CenterCrop;  // for images not of the target size
    int threads = 0;   // decoding threads; 0 = every core
    qint64 maxPixels = qint64(1) << 27;       // larger images are skipped as "too large"
    qint64 maxFileBytes = qint64(1) << 30;    // larger files are skipped as "too large"
    // Used when the folder holds audio clips and no images; for audio, width is the number of
    // STFT frames (which fixes the duration) and height the number of mels when non-zero.
    AudioOptions audio;

    // channels, width, height, resize and audio (what fixes the tensor's shape; the limits and the
    // thread count belong to the machine, not to the data).
    QJsonObject toJson() const;
    // Missing keys keep their defaults; a wrong type or value fails with a message naming the
    // key after keyPrefix ("dataset.channels").
    static std::optional<LoadOptions> fromJson(const QJsonObject &json, QString *error,
                                               const QString &keyPrefix = {});
};

QString toString(ResizeMode mode);                       // "crop" or "letterbox"
std::optional<ResizeMode> resizeModeFromString(const QString &name);

struct SkippedFile {
    QString path;
    QString reason;  // "not an image", "truncated", "unreadable", "too large", "unsupported format", ...
};

struct LoadReport {
    QString source;            // the folder or file that was opened
    int loaded = 0;
    bool audio = false;        // clips of sound, not images
    QString audioDetails;      // for audio: rate, duration and how it was chosen, features
    QVector<SkippedFile> skipped;
    double seconds = 0.0;
    // The dataset cache (data/datasetcache.h), when the folder was opened through it.
    QString cacheFile;         // the file the pixels are mapped from; empty without a cache
    qint64 cacheBytes = 0;     // its size
    qint64 decoded = -1;       // image files decoded by this open (-1: not counted)
    QString cacheNote;         // why a cache file was not used as it was ("damaged: ...; rebuilt")
    QString summary() const;   // "loaded 9 images, skipped 2"
    // The most frequent skip reasons, most frequent first: "3 not an image, 1 truncated".
    QString reasonCounts(int maxReasons = 3) const;
};

// How many of n images the validation split holds out (splitIndices in data/dataset.h): the
// rounded fraction, at least one when a fraction is asked for, and never every image.
qint64 validationCount(qint64 images, double fraction);

// The name of class label: empty when unlabelled (label < 0) or out of range.
QString classNameOf(const QStringList &classNames, qint64 label);
// The label as files show it: the class name, the number when the names do not cover it,
// empty when unlabelled.
QString labelText(const QStringList &classNames, qint64 label);

} // namespace aes
