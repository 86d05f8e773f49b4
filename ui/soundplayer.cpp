#include "soundplayer.h"

#include "data/spectrogramsound.h"

#include <QAudioDevice>
#include <QAudioFormat>
#include <QAudioSink>
#include <QBuffer>
#include <QElapsedTimer>
#include <QMediaDevices>
#include <QPointer>

SoundPlayer::SoundPlayer(QObject *parent) : QObject(parent)
{
    m_pool.setMaxThreadCount(1);
    const QAudioDevice device = QMediaDevices::defaultAudioOutput();
    m_available = !device.isNull();
    if (!m_available)
        m_reason = tr("No audio output device: sounds can be saved as WAV but not played.");
}

SoundPlayer::~SoundPlayer()
{
    m_generation = ~quint64(0);
    m_pool.waitForDone();
    stop();
}

void SoundPlayer::setAvailableForTesting(bool available, const QString &reason)
{
    m_available = available;
    m_reason = available ? QString() : reason;
}

void SoundPlayer::render(const QImage &spectrogram, const aes::AudioOptions &audio, QObject *context, RenderDone done)
{
    // The pool belongs to this object and its destructor waits for it, so `this` outlives every
    // task; the context is only looked at on the GUI thread.
    QPointer<QObject> receiver(context);
    m_pool.start([this, receiver, spectrogram, audio, done = std::move(done)] {
        QElapsedTimer timer;
        timer.start();
        QString error;
        std::vector<float> sound = aes::spectrogramImageToSound(spectrogram, audio, &error);
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        QMetaObject::invokeMethod(this, [this, receiver, sound = std::move(sound), error, ms, done] {
            m_lastRenderMs = ms;
            if (!error.isEmpty())
                Q_EMIT message(tr("Cannot turn the spectrogram into sound: %1").arg(error));
            else if (receiver)
                done(sound);
        }, Qt::QueuedConnection);
    });
}

void SoundPlayer::play(const QImage &spectrogram, const aes::AudioOptions &audio, const QString &what)
{
    stop();
    const quint64 generation = ++m_generation;
    render(spectrogram, audio, this, [this, generation, audio, what](const std::vector<float> &sound) {
        if (generation != m_generation)
            return;  // a newer play() came in meanwhile
        m_lastSound = sound;
        m_lastRate = audio.sampleRate;
        if (m_available)
            startPlayback(aes::toPcm16(sound), audio.sampleRate);
        Q_EMIT rendered(what, double(sound.size()) / audio.sampleRate, m_lastRenderMs);
        if (!m_available)
            Q_EMIT message(tr("%1 (%2 rendered: %3 s)").arg(m_reason, what).arg(double(sound.size()) / audio.sampleRate, 0, 'f', 2));
    });
}

void SoundPlayer::stop()
{
    if (m_sink) {
        m_sink->stop();
        m_sink->deleteLater();
        m_sink = nullptr;
    }
    if (m_buffer) {
        m_buffer->deleteLater();
        m_buffer = nullptr;
    }
}

bool SoundPlayer::playSamples(const std::vector<float> &samples, int rate)
{
    stop();
    ++m_generation;  // a render still running for play() is dropped
    if (!m_available) {
        Q_EMIT message(m_reason);
        return false;
    }
    return startPlayback(aes::toPcm16(samples), rate);
}

bool SoundPlayer::startPlayback(const QByteArray &pcm, int rate)
{
    QAudioFormat format;
    format.setSampleRate(rate);
    format.setChannelCount(1);
    format.setSampleFormat(QAudioFormat::Int16);
    const QAudioDevice device = QMediaDevices::defaultAudioOutput();
    if (device.isNull() || !device.isFormatSupported(format)) {
        Q_EMIT message(device.isNull() ? m_reason : tr("The audio output cannot play %1 Hz mono").arg(rate));
        return false;
    }
    m_buffer = new QBuffer(this);
    m_buffer->setData(pcm);
    m_buffer->open(QIODevice::ReadOnly);
    m_sink = new QAudioSink(device, format, this);
    QAudioSink *sink = m_sink;
    // Idle: the buffer has run dry, the sound is over. Stopped with an error: the device failed.
    connect(sink, &QAudioSink::stateChanged, this, [this, sink](QAudio::State state) {
        if (sink != m_sink)
            return;
        if (state == QAudio::IdleState) {
            Q_EMIT playbackFinished();
        } else if (state == QAudio::StoppedState && sink->error() != QAudio::NoError) {
            Q_EMIT message(tr("The audio output stopped: error %1").arg(int(sink->error())));
            Q_EMIT playbackFinished();
        }
    });
    m_sink->start(m_buffer);
    return m_sink->error() == QAudio::NoError;
}
