#include "data/audiofile.h"

#include "data/imagedecode.h"
#include "util/atomicfile.h"

#include <QFileInfo>
#include <QSet>

#include <sndfile.h>
#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <mutex>

namespace aes {

namespace {

// libsndfile reads from and writes to memory through these callbacks: the bytes were read once
// (size-checked) by the caller, and encoded files are committed atomically.
struct MemoryFile {
    QByteArray bytes;
    sf_count_t position = 0;
};

sf_count_t memLength(void *user) { return static_cast<MemoryFile *>(user)->bytes.size(); }

sf_count_t memSeek(sf_count_t offset, int whence, void *user)
{
    auto *f = static_cast<MemoryFile *>(user);
    sf_count_t base = whence == SEEK_CUR ? f->position : whence == SEEK_END ? f->bytes.size() : 0;
    const sf_count_t target = base + offset;
    if (target < 0)
        return -1;
    f->position = target;
    return f->position;
}

sf_count_t memRead(void *ptr, sf_count_t count, void *user)
{
    auto *f = static_cast<MemoryFile *>(user);
    const sf_count_t available = std::max<sf_count_t>(0, f->bytes.size() - f->position);
    const sf_count_t n = std::clamp<sf_count_t>(count, 0, available);
    if (n > 0)
        std::memcpy(ptr, f->bytes.constData() + f->position, size_t(n));
    f->position += n;
    return n;
}

sf_count_t memWrite(const void *ptr, sf_count_t count, void *user)
{
    auto *f = static_cast<MemoryFile *>(user);
    const sf_count_t end = f->position + count;
    if (end > f->bytes.size())
        f->bytes.resize(qsizetype(end));
    std::memcpy(f->bytes.data() + f->position, ptr, size_t(count));
    f->position = end;
    return count;
}

sf_count_t memTell(void *user) { return static_cast<MemoryFile *>(user)->position; }

SF_VIRTUAL_IO memoryIo() { return {memLength, memSeek, memRead, memWrite, memTell}; }

struct SndCloser {
    void operator()(SNDFILE *f) const { sf_close(f); }
};
using SndHandle = std::unique_ptr<SNDFILE, SndCloser>;

// libsndfile shortens a WAV/AIFF whose header promises more data than the file holds and only
// says so in its log: the clip would load silently cut.
bool logSaysTruncated(SNDFILE *file)
{
    char log[4096] = {};
    sf_command(file, SFC_GET_LOG_INFO, log, sizeof log);
    // "data : 16000 (should be 7978)" (WAV), "SSND : ... (should be ...)" (AIFF). A wrong RIFF or
    // FORM size alone is common in files from careless writers and harmless: not checked.
    for (const QByteArray &line : QByteArray(log).split('\n')) {
        const QByteArray l = line.trimmed().toLower();
        if (l.contains("truncated") || l.contains("too big")
            || ((l.startsWith("data") || l.startsWith("ssnd")) && l.contains("should be")))
            return true;
    }
    return false;
}

} // namespace

bool isAudioSuffix(const QString &suffix)
{
    static const QSet<QString> suffixes = {
        QStringLiteral("wav"), QStringLiteral("flac"), QStringLiteral("ogg"), QStringLiteral("oga"),
        QStringLiteral("mp3"), QStringLiteral("aif"), QStringLiteral("aiff"), QStringLiteral("au")};
    return suffixes.contains(suffix.toLower());
}

DecodedAudio decodeAudioFile(const QString &path, int targetRate, qint64 maxFileBytes, double maxSeconds)
{
    DecodedAudio d;
    QString error;
    const QByteArray bytes = readFileBytes(path, maxFileBytes, &error);
    if (!error.isEmpty()) {
        d.error = error;
        return d;
    }
    return decodeAudioBytes(bytes, targetRate, maxSeconds);
}

DecodedAudio decodeAudioBytes(const QByteArray &bytes, int targetRate, double maxSeconds)
{
    DecodedAudio d;
    if (bytes.isEmpty()) {
        d.error = QStringLiteral("empty");
        return d;
    }
    try {
        MemoryFile memory{bytes, 0};
        SF_VIRTUAL_IO io = memoryIo();
        SF_INFO info{};
        SndHandle file;
        int openError = SF_ERR_NO_ERROR;
        {
            // libsndfile reports a failed open in a global: one open at a time reads its own.
            static std::mutex openMutex;
            std::lock_guard<std::mutex> lock(openMutex);
            file.reset(sf_open_virtual(&io, SFM_READ, &info, &memory));
            if (!file)
                openError = sf_error(nullptr);
        }
        if (!file) {
            // Not a format it knows, or a known one whose header cannot be right (60000
            // channels, a zero rate, sizes that do not add up).
            d.error = openError == SF_ERR_UNRECOGNISED_FORMAT || bytes.size() < 12 ? QStringLiteral("not audio")
                                                                                   : QStringLiteral("bad header");
            return d;
        }
        if (info.channels < 1 || info.channels > 256 || info.samplerate < 1 || info.samplerate > 768000) {
            d.error = QStringLiteral("bad header");
            return d;
        }
        d.sourceRate = info.samplerate;
        d.sourceChannels = info.channels;
        if (logSaysTruncated(file.get())) {
            d.error = QStringLiteral("truncated");
            return d;
        }
        // The header's frame count is a claim: read in blocks and stop at the duration limit, so a
        // small compressed file that declares (or really holds) hours cannot exhaust memory.
        const sf_count_t limit = sf_count_t(maxSeconds * info.samplerate) + 1;
        if (info.frames > limit && info.frames != SF_COUNT_MAX) {
            d.error = QStringLiteral("too large");
            return d;
        }
        std::vector<float> mono;
        mono.reserve(size_t(std::clamp<sf_count_t>(info.frames, 0, limit)));
        std::vector<float> block(size_t(4096) * size_t(info.channels));
        for (;;) {
            const sf_count_t got = sf_readf_float(file.get(), block.data(), 4096);
            if (got <= 0)
                break;
            for (sf_count_t i = 0; i < got; ++i) {
                float sum = 0.0f;
                for (int c = 0; c < info.channels; ++c)
                    sum += block[size_t(i * info.channels + c)];
                mono.push_back(sum / float(info.channels));
            }
            if (sf_count_t(mono.size()) > limit) {
                d.error = QStringLiteral("too large");
                return d;
            }
        }
        if (sf_error(file.get()) != SF_ERR_NO_ERROR || (info.frames > 0 && sf_count_t(mono.size()) < info.frames)) {
            d.error = QStringLiteral("truncated");
            return d;
        }
        if (mono.empty()) {
            d.error = QStringLiteral("empty");
            return d;
        }
        for (float &s : mono)  // NaN or inf from a float WAV would poison the features
            s = std::isfinite(s) ? std::clamp(s, -1.0f, 1.0f) : 0.0f;
        d.sourceSeconds = double(mono.size()) / info.samplerate;
        if (info.samplerate == targetRate || targetRate <= 0) {
            d.samples = std::move(mono);
        } else {
            QString problem;
            d.samples = resampleAudio(mono, info.samplerate, targetRate, &problem);
            if (!problem.isEmpty())
                d.error = QStringLiteral("unreadable");
        }
    } catch (const std::bad_alloc &) {
        d.samples.clear();
        d.error = QStringLiteral("too large");
    }
    return d;
}

std::vector<float> resampleAudio(const std::vector<float> &samples, int fromRate, int toRate, QString *error)
{
    if (fromRate == toRate)
        return samples;
    if (fromRate <= 0 || toRate <= 0) {
        *error = QStringLiteral("sample rates must be positive");
        return {};
    }
    const size_t outLength = size_t(std::llround(double(samples.size()) * toRate / fromRate));
    std::vector<float> out(outLength);
    if (samples.empty() || outLength == 0)
        return out;
    size_t done = 0;
    const soxr_io_spec_t ioSpec = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
    // One thread per call: clips are resampled in parallel by the loader already.
    const soxr_runtime_spec_t runtime = soxr_runtime_spec(1);
    const soxr_error_t failure = soxr_oneshot(fromRate, toRate, 1, samples.data(), samples.size(), nullptr,
                                              out.data(), outLength, &done, &ioSpec, &quality, &runtime);
    if (failure) {
        *error = QStringLiteral("resampling failed: %1").arg(QString::fromLatin1(failure));
        return {};
    }
    out.resize(outLength, 0.0f);  // soxr may deliver a sample less at the very end
    return out;
}

QByteArray encodeAudio(const std::vector<float> &samples, int rate, const QString &format, QString *error)
{
    const QString f = format.toLower();
    int type = 0;
    if (f == QLatin1String("wav"))
        type = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    else if (f == QLatin1String("flac"))
        type = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    else if (f == QLatin1String("ogg") || f == QLatin1String("oga"))
        type = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    else if (f == QLatin1String("mp3"))
        type = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    else if (f == QLatin1String("aif") || f == QLatin1String("aiff"))
        type = SF_FORMAT_AIFF | SF_FORMAT_PCM_16;
    else if (f == QLatin1String("au"))
        type = SF_FORMAT_AU | SF_FORMAT_PCM_16;
    if (type == 0) {
        *error = QStringLiteral("cannot write audio as \"%1\": use wav, flac, ogg or mp3").arg(format);
        return {};
    }
    SF_INFO info{};
    info.samplerate = rate;
    info.channels = 1;
    info.format = type;
    if (!sf_format_check(&info)) {
        *error = QStringLiteral("this libsndfile cannot write %1 at %2 Hz").arg(f).arg(rate);
        return {};
    }
    MemoryFile memory;
    SF_VIRTUAL_IO io = memoryIo();
    {
        SndHandle file(sf_open_virtual(&io, SFM_WRITE, &info, &memory));
        if (!file) {
            *error = QStringLiteral("cannot encode %1: %2").arg(f, QString::fromLocal8Bit(sf_strerror(nullptr)));
            return {};
        }
        // Samples beyond full scale would wrap in 16-bit PCM: clip them.
        std::vector<float> clipped(samples.size());
        std::transform(samples.begin(), samples.end(), clipped.begin(),
                       [](float s) { return std::isfinite(s) ? std::clamp(s, -1.0f, 1.0f) : 0.0f; });
        if (sf_writef_float(file.get(), clipped.data(), sf_count_t(clipped.size())) != sf_count_t(clipped.size())) {
            *error = QStringLiteral("cannot encode %1: %2").arg(f, QString::fromLocal8Bit(sf_strerror(file.get())));
            return {};
        }
    }  // closing writes the final header sizes
    return memory.bytes;
}

QString writeAudioFile(const QString &path, const std::vector<float> &samples, int rate)
{
    QString error;
    const QByteArray bytes = encodeAudio(samples, rate, QFileInfo(path).suffix(), &error);
    if (!error.isEmpty())
        return QStringLiteral("%1: %2").arg(path, error);
    return writeFileAtomically(path, bytes);
}

} // namespace aes
