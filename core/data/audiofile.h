#pragma once
// Audio clips in and out: decoding with libsndfile (WAV, FLAC, Ogg Vorbis, MP3, AIFF, AU) to
// mono float samples at one rate (resampled with libsoxr), and writing samples as WAV, FLAC,
// Ogg or MP3.
//
// Threads: plain functions; any thread, several at once (each call has its own decoder).
// Failure: never throws for bad input. A clip that cannot be used comes back with a reason in
// the words of the image loader's report ("not audio", "bad header", "truncated", "empty",
// "too large", "unreadable"); a write that fails returns the message. Torch-free.

#include <QByteArray>
#include <QString>

#include <vector>

namespace aes {

struct DecodedAudio {
    std::vector<float> samples;  // mono (channels averaged), at the rate asked for, in [-1, 1]
    int sourceRate = 0;
    int sourceChannels = 0;
    double sourceSeconds = 0.0;
    QString error;               // why the clip cannot be used; empty on success
    bool ok() const { return error.isEmpty(); }
};

// wav, flac, ogg, oga, mp3, aif, aiff, au (case-insensitive, without the dot).
bool isAudioSuffix(const QString &suffix);

// Decodes the whole clip. Files over maxFileBytes and clips over maxSeconds are "too large".
DecodedAudio decodeAudioFile(const QString &path, int targetRate, qint64 maxFileBytes = qint64(1) << 30,
                             double maxSeconds = 3600.0);
DecodedAudio decodeAudioBytes(const QByteArray &bytes, int targetRate, double maxSeconds = 3600.0);

// Mono samples from one rate to another (libsoxr, high quality); the result holds
// round(n * to / from) samples. Empty with *error set when the resampler fails.
std::vector<float> resampleAudio(const std::vector<float> &samples, int fromRate, int toRate, QString *error);

// The clip encoded as a file of the given format ("wav" 16-bit PCM, "flac", "ogg", "mp3").
// Empty with *error set when the format cannot be written.
QByteArray encodeAudio(const std::vector<float> &samples, int rate, const QString &format, QString *error);
// Writes path atomically (util/atomicfile), the format from its suffix. Returns the error or empty.
QString writeAudioFile(const QString &path, const std::vector<float> &samples, int rate);

} // namespace aes
