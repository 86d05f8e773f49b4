#include "audiooptionsform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>

namespace {

enum DurationMode { WholeClips = 0, Windows = 1 };

QSpinBox *intBox(const QString &name, int low, int high, const QString &suffix, const QString &tip)
{
    auto *box = new QSpinBox;
    box->setObjectName(name);
    box->setRange(low, high);
    box->setSuffix(suffix);
    box->setToolTip(tip);
    return box;
}

QDoubleSpinBox *doubleBox(const QString &name, double low, double high, int decimals, const QString &suffix,
                          const QString &tip)
{
    auto *box = new QDoubleSpinBox;
    box->setObjectName(name);
    box->setRange(low, high);
    box->setDecimals(decimals);
    box->setSuffix(suffix);
    box->setToolTip(tip);
    return box;
}

} // namespace

AudioOptionsForm::AudioOptionsForm(QWidget *parent) : QWidget(parent)
{
    m_rate = intBox(QStringLiteral("audioRate"), 1000, 192000, tr(" Hz"),
                    tr("Every clip is resampled to this rate (--audio-rate)"));
    m_rate->setSingleStep(1000);
    m_durationMode = new QComboBox;
    m_durationMode->setObjectName(QStringLiteral("audioDurationMode"));
    m_durationMode->addItem(tr("each clip padded or cut to"), WholeClips);
    m_durationMode->addItem(tr("clips split into windows of"), Windows);
    m_durationMode->setToolTip(tr("One spectrogram per clip, padded with silence or cut (--audio-seconds), or one per "
                                  "window of a long clip, named clip.wav#n (--audio-window)"));
    m_seconds = doubleBox(QStringLiteral("audioSeconds"), 0.0, 3600.0, 2, tr(" s"),
                          tr("Duration of a clip or window; auto = the median clip's, at most %1 s")
                              .arg(aes::AudioOptions::kMaxAutoSeconds));
    m_seconds->setSingleStep(0.1);
    m_seconds->setSpecialValueText(tr("auto (median)"));
    auto *durationRow = new QHBoxLayout;
    durationRow->setContentsMargins(0, 0, 0, 0);
    durationRow->addWidget(m_durationMode, 1);
    durationRow->addWidget(m_seconds);

    m_nFft = intBox(QStringLiteral("audioNFft"), 16, 16384, tr(" samples"),
                    tr("STFT window (--n-fft); 400 samples are 25 ms at 16 kHz"));
    m_hop = intBox(QStringLiteral("audioHop"), 1, 8192, tr(" samples"),
                   tr("Samples between spectrogram columns (--hop), at most n_fft / 2; 160 are 10 ms at 16 kHz"));
    auto *stftRow = new QHBoxLayout;
    stftRow->setContentsMargins(0, 0, 0, 0);
    stftRow->addWidget(m_nFft, 1);
    stftRow->addWidget(new QLabel(tr("hop")));
    stftRow->addWidget(m_hop, 1);
    m_mels = intBox(QStringLiteral("audioMels"), 1, 512, QString(),
                    tr("Mel bands: the spectrogram's rows (--n-mels); a height under Size overrides it"));
    m_fMin = doubleBox(QStringLiteral("audioFMin"), 0.0, 96000.0, 0, tr(" Hz"), tr("Lowest mel frequency (--fmin)"));
    m_fMax = doubleBox(QStringLiteral("audioFMax"), 0.0, 96000.0, 0, tr(" Hz"),
                       tr("Highest mel frequency (--fmax); auto = half the sample rate"));
    m_fMax->setSpecialValueText(tr("auto (rate / 2)"));
    for (QDoubleSpinBox *box : {m_fMin, m_fMax})
        box->setSingleStep(100.0);
    auto *bandRow = new QHBoxLayout;
    bandRow->setContentsMargins(0, 0, 0, 0);
    bandRow->addWidget(m_fMin, 1);
    bandRow->addWidget(new QLabel(QStringLiteral("\u2013")));
    bandRow->addWidget(m_fMax, 1);
    m_dbRange = doubleBox(QStringLiteral("audioDbRange"), 10.0, 200.0, 0, tr(" dB"),
                          tr("Levels this far below full scale and lower are black (--db-range)"));
    m_normalize = new QCheckBox(tr("Peak-normalise each clip"));
    m_normalize->setObjectName(QStringLiteral("audioNormalize"));
    m_normalize->setToolTip(tr("Scale each clip so that its loudest sample is at full scale (off: --no-normalize)"));
    m_problem = new QLabel;
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("QLabel { color: #b00020; }"));
    m_problem->hide();

    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Rate:"), m_rate);
    form->addRow(tr("Duration:"), durationRow);
    form->addRow(tr("n_fft:"), stftRow);
    form->addRow(tr("Mel bands:"), m_mels);
    form->addRow(tr("Band:"), bandRow);
    form->addRow(tr("Range:"), m_dbRange);
    form->addRow(QString(), m_normalize);
    form->addRow(m_problem);

    for (QSpinBox *box : {m_rate, m_nFft, m_hop, m_mels})
        connect(box, &QSpinBox::valueChanged, this, &AudioOptionsForm::showProblem);
    for (QDoubleSpinBox *box : {m_seconds, m_fMin, m_fMax, m_dbRange})
        connect(box, &QDoubleSpinBox::valueChanged, this, &AudioOptionsForm::showProblem);
    connect(m_durationMode, &QComboBox::currentIndexChanged, this, &AudioOptionsForm::showProblem);
    setOptions(aes::AudioOptions());
}

aes::AudioOptions AudioOptionsForm::options() const
{
    aes::AudioOptions o;
    o.sampleRate = m_rate->value();
    const bool windows = m_durationMode->currentData().toInt() == Windows;
    o.seconds = windows ? 0.0 : m_seconds->value();
    o.windowSeconds = windows ? m_seconds->value() : 0.0;
    o.nFft = m_nFft->value();
    o.hop = m_hop->value();
    o.nMels = m_mels->value();
    o.fMin = m_fMin->value();
    o.fMax = m_fMax->value();
    o.dbRange = m_dbRange->value();
    o.normalize = m_normalize->isChecked();
    return o;
}

void AudioOptionsForm::setOptions(const aes::AudioOptions &o)
{
    m_rate->setValue(o.sampleRate);
    const bool windows = o.windowSeconds > 0.0;
    m_durationMode->setCurrentIndex(m_durationMode->findData(windows ? Windows : WholeClips));
    m_seconds->setValue(windows ? o.windowSeconds : o.seconds);
    m_nFft->setValue(o.nFft);
    m_hop->setValue(o.hop);
    m_mels->setValue(o.nMels);
    m_fMin->setValue(o.fMin);
    m_fMax->setValue(o.fMax);
    m_dbRange->setValue(o.dbRange);
    m_normalize->setChecked(o.normalize);
    showProblem();
}

QString AudioOptionsForm::problem() const
{
    if (m_durationMode->currentData().toInt() == Windows && m_seconds->value() <= 0.0)
        return tr("Windows need a length above 0 s (auto keeps whole clips).");
    const QString problem = options().validate();
    return problem.isEmpty() ? QString() : problem.left(1).toUpper() + problem.mid(1) + QLatin1Char('.');
}

void AudioOptionsForm::showProblem()
{
    const QString text = problem();
    m_problem->setText(text);
    m_problem->setVisible(!text.isEmpty());
}
