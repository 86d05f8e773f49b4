#pragma once
// A folder of audio clips as a dataset of log-mel spectrograms, held like gray images: one
// uint8 N x 1 x nMels x frames tensor (row 0 = the highest mel band, so that views show low
// frequencies at the bottom), with Dataset::audio saying how to turn them back into sound.
//
// Each clip is decoded and resampled (data/audiofile.h), mixed to mono, peak-normalised when
// options.audio.normalize, then padded with silence or cut to one duration: options.width
// frames when given (a trained model's), else audio.seconds, else the median clip's duration
// capped at AudioOptions::kMaxAutoSeconds. With audio.windowSeconds each clip is split into
// windows of that length instead (the last one padded when at least half full), named
// "clip.wav#2" (third window). The report says which duration was used and why.
//
// Threads: call from any thread; decodes on options.threads threads.
// Failure: never throws; bad clips are skipped and named in the report with a reason, a folder
// without a usable clip gives a LoadResult without dataset and a message.

#include "data/dataset.h"

#include <QString>
#include <QStringList>

namespace aes {

struct AudioCandidate {
    QString path;      // absolute
    QString classDir;  // top-level subfolder, empty for files in the root
};

// classNames: the sorted class folders (empty: unlabelled). Candidates sorted by path.
LoadResult loadAudioFolder(const QString &root, const QVector<AudioCandidate> &candidates,
                           const QStringList &classNames, const LoadOptions &options,
                           const LoadControl *control = nullptr);

// One clip as loadAudioFolder makes a row of a dataset whose resolved options are `audio`
// (Dataset::audio) and whose rows have `frames` columns: decoded, resampled, peak-normalised,
// padded or cut (a windowed dataset's first window), uint8 [1, nMels, frames]. For queries from
// outside the folder (aestudio-cli similar). Undefined and *error (the loader's skip reason:
// "not audio", "truncated", ...) when the clip cannot be used.
at::Tensor audioClipRow(const QString &path, const AudioOptions &audio, int frames, qint64 maxFileBytes,
                        QString *error);

// The audio options a dataset of the given shape was made with: options.audio with n_mels from
// height and the duration from width (frames) when they are non-zero.
AudioOptions resolvedAudioOptions(const LoadOptions &options);

} // namespace aes
