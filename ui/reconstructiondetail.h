#pragma once
// One validation image large: input, reconstruction and absolute-error heatmap side by
// side, with its class, MSE and PSNR at the current step. A non-modal window that follows
// the live snapshots; arrows step through the images. For audio data the spectrograms are
// drawn with their axes and waveforms, with buttons that play the input and the
// reconstruction (through the window's SoundPlayer).
//
// Ownership: a dialog parented to the reconstruction view. Threads: GUI thread only.

#include "controller/trainingcontroller.h"

#include <QDialog>

#include <optional>

class QLabel;
class QPushButton;
class SoundPlayer;
class SpectrogramView;

class ReconstructionDetail final : public QDialog {
    Q_OBJECT
public:
    explicit ReconstructionDetail(QWidget *parent = nullptr);

    void setSnapshot(const aes::ReconstructionSnapshot &snapshot);
    void setIndex(int index);
    // Audio data (spectrograms) or not (nullopt); the player plays and renders the waveforms.
    void setAudio(const std::optional<aes::AudioOptions> &audio, SoundPlayer *player);
    // For tests and screenshots: play the input (0) or the reconstruction (1).
    void play(int which);
    int index() const { return m_index; }
    // The line with the class, MSE and PSNR (for tests and screen readers).
    QString errorText() const;

private:
    void refresh();

    aes::ReconstructionSnapshot m_snapshot;
    int m_index = 0;
    QLabel *m_images[3] = {nullptr, nullptr, nullptr};
    QLabel *m_text = nullptr;
    QWidget *m_imageRow = nullptr;
    QWidget *m_audioRow = nullptr;
    SpectrogramView *m_spectrograms[2] = {nullptr, nullptr};
    QPushButton *m_play[2] = {nullptr, nullptr};
    QLabel *m_audioMessage = nullptr;
    std::optional<aes::AudioOptions> m_audio;
    SoundPlayer *m_player = nullptr;
};
