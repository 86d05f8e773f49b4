#pragma once
// Plays spectrograms as sound: turns a spectrogram image (the views' 8-bit layout, see
// core/data/spectrogramsound.h) back into samples by Griffin-Lim on a thread of its own, then
// plays them on the default audio output with QAudioSink. One sound at a time: a new play()
// stops the one playing. Without an audio output (a server, the offscreen platform) available()
// is false, unavailableReason() says why, and play() only renders (lastSound() still holds it,
// so that it can be saved as WAV).
//
// Ownership: a QObject, usually one per window, shared by the views. Threads: GUI thread; the
// rendering thread is its own and is waited for in the destructor.

#include "data/loadoptions.h"

#include <QByteArray>
#include <QImage>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include <functional>
#include <vector>

class QAudioSink;
class QBuffer;

class SoundPlayer final : public QObject {
    Q_OBJECT
public:
    explicit SoundPlayer(QObject *parent = nullptr);
    ~SoundPlayer() override;

    bool available() const { return m_available; }
    QString unavailableReason() const { return m_reason; }
    // For tests and the screenshot driver: behave as if there were no audio output.
    void setAvailableForTesting(bool available, const QString &reason);

    // Renders the spectrogram and plays it; `what` names it in messages ("the input").
    void play(const QImage &spectrogram, const aes::AudioOptions &audio, const QString &what);
    // Plays samples as they are (mono, in [-1, 1], at rate Hz), stopping the sound playing;
    // false, with message(), when there is no output or it cannot play that rate.
    bool playSamples(const std::vector<float> &samples, int rate);
    void stop();
    // Renders without playing (the large view's waveforms): done(samples) runs on the GUI
    // thread unless context is gone by then; renders run one after another.
    using RenderDone = std::function<void(const std::vector<float> &samples)>;
    void render(const QImage &spectrogram, const aes::AudioOptions &audio, QObject *context, RenderDone done);
    // The newest rendered sound and its rate (empty before the first).
    const std::vector<float> &lastSound() const { return m_lastSound; }
    int lastRate() const { return m_lastRate; }

Q_SIGNALS:
    // A sound was rendered (and started playing when available): its duration and how long
    // the rendering took.
    void rendered(const QString &what, double seconds, double renderMs);
    void message(const QString &text);
    // The output has played the whole of the sound started last (its buffer ran dry), or
    // stopped on an error (then message() says which).
    void playbackFinished();

private:
    bool startPlayback(const QByteArray &pcm, int rate);

    QThreadPool m_pool;
    QAudioSink *m_sink = nullptr;
    QBuffer *m_buffer = nullptr;
    bool m_available = false;
    QString m_reason;
    std::vector<float> m_lastSound;
    int m_lastRate = 0;
    double m_lastRenderMs = 0.0;
    quint64 m_generation = 0;  // the newest request; older renders are dropped when they arrive
};
