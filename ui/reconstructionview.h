#pragma once
// The "Reconstructions" tab: the ReconstructionGrid under a bar with the absolute-error
// toggle and its colour scale. Clicking an image opens it large (input, reconstruction
// and error side by side, with its MSE and PSNR) in a ReconstructionDetail window that
// follows the live snapshots.
//
// Ownership: owns the grid and the detail window. Threads: GUI thread only.

#include "controller/trainingcontroller.h"

#include <QWidget>

#include <optional>

class QCheckBox;
class SoundPlayer;
class QLabel;
class ReconstructionDetail;
class ReconstructionGrid;

class ReconstructionView final : public QWidget {
    Q_OBJECT
public:
    explicit ReconstructionView(QWidget *parent = nullptr);

    void setSnapshot(const aes::ReconstructionSnapshot &snapshot);
    void clear();
    void setShowError(bool on);
    bool showsError() const;
    int imageCount() const;
    qint64 snapshotStep() const;
    ReconstructionGrid *grid() const { return m_grid; }
    // Opens (or brings up) the large view of image `index`; returns it.
    ReconstructionDetail *showDetail(int index);
    ReconstructionDetail *detail() const { return m_detail; }
    // Audio data (nullopt: images): spectrograms in colour; the large view gets axes,
    // waveforms and play buttons (through player, which must outlive the view).
    void setAudio(const std::optional<aes::AudioOptions> &audio, SoundPlayer *player);

Q_SIGNALS:
    void showErrorChanged(bool on);

private:
    ReconstructionGrid *m_grid = nullptr;
    QCheckBox *m_showError = nullptr;
    QLabel *m_legend = nullptr;
    QLabel *m_legendLow = nullptr;
    QLabel *m_legendHigh = nullptr;
    ReconstructionDetail *m_detail = nullptr;
    QLabel *m_audioHint = nullptr;
    std::optional<aes::AudioOptions> m_audio;
    SoundPlayer *m_player = nullptr;
};
