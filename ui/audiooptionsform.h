#pragma once
// The audio load options as form rows (the dataset panel's "Audio" section): sample rate, clip
// duration or windows, n_fft, hop, mel bands, the mel band's lowest and highest frequency, the
// dB range and peak normalisation; the same aes::AudioOptions fields the CLI's --audio-rate,
// --audio-seconds, --audio-window, --n-fft, --hop, --n-mels, --fmin, --fmax, --db-range and
// --no-normalize set. Values that do not fit together (a hop over n_fft / 2, ...) are named
// below the rows as AudioOptions::validate() words them; the load then fails with that message.
//
// Ownership: a plain widget. Threads: GUI thread only.

#include "data/loadoptions.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

class AudioOptionsForm final : public QWidget {
    Q_OBJECT
public:
    explicit AudioOptionsForm(QWidget *parent = nullptr);

    aes::AudioOptions options() const;
    void setOptions(const aes::AudioOptions &options);
    // Empty when the values fit together, else what is wrong (shown under the rows).
    QString problem() const;

private:
    void showProblem();

    QSpinBox *m_rate = nullptr;
    QComboBox *m_durationMode = nullptr;  // whole clips (padded or cut) or windows
    QDoubleSpinBox *m_seconds = nullptr;
    QSpinBox *m_nFft = nullptr;
    QSpinBox *m_hop = nullptr;
    QSpinBox *m_mels = nullptr;
    QDoubleSpinBox *m_fMin = nullptr;
    QDoubleSpinBox *m_fMax = nullptr;
    QDoubleSpinBox *m_dbRange = nullptr;
    QCheckBox *m_normalize = nullptr;
    QLabel *m_problem = nullptr;
};
