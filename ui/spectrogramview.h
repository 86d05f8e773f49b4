#pragma once
// A spectrogram drawn for reading: the 8-bit mel spectrogram (row 0 = the highest band) in
// the inferno colour map, a frequency axis in Hz (mel-spaced ticks) and a time axis in
// seconds, optionally the waveform above it. colorized() is the same colouring for small
// tiles (the reconstruction grid, the map's card, the strips).
//
// Ownership: a plain widget. Threads: GUI thread only.

#include "data/loadoptions.h"

#include <QImage>
#include <QWidget>

#include <vector>

class SpectrogramView final : public QWidget {
    Q_OBJECT
public:
    explicit SpectrogramView(QWidget *parent = nullptr);

    void setSpectrogram(const QImage &spectrogram, const aes::AudioOptions &audio);
    // Samples at audio.sampleRate drawn above the spectrogram; empty hides the strip.
    void setWaveform(const std::vector<float> &samples);
    void setTitle(const QString &title);
    QSize sizeHint() const override { return {420, 300}; }
    QSize minimumSizeHint() const override { return {260, 180}; }

    // The gray spectrogram in the inferno colour map.
    static QImage colorized(const QImage &spectrogram);
    // Spectrograms of one height side by side (a sweep through the latent space, to be heard
    // as one sound); null when there are none or their heights differ.
    static QImage concatenated(const QVector<QImage> &spectrograms);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QImage m_image;  // colorized
    aes::AudioOptions m_audio;
    std::vector<float> m_wave;
    QString m_title;
};
