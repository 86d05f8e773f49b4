#include "trainingprogress.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>

#include <algorithm>
#include <cmath>

namespace {

QString duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e7)
        return QStringLiteral("\u2013");
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

int clampInt(qint64 v)
{
    return int(std::clamp<qint64>(v, 0, 1 << 30));
}

} // namespace

TrainingProgress::TrainingProgress(QWidget *parent) : QWidget(parent)
{
    m_text = new QLabel(this);
    m_bar = new QProgressBar(this);
    m_bar->setFixedWidth(200);
    m_bar->setTextVisible(true);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_text);
    layout->addWidget(m_bar);
    finish();
}

void TrainingProgress::showLoading(qint64 done, qint64 total)
{
    m_bar->setVisible(true);
    // total 0: the folder is still being listed (its size is not known yet): a busy bar.
    m_bar->setRange(0, clampInt(total));
    m_bar->setValue(clampInt(done));
    m_bar->setFormat(QStringLiteral("%p%"));
    m_text->setText(total > 0 ? tr("Loading %1 of %2").arg(QLocale().toString(done), QLocale().toString(total))
                              : tr("Listing files: %1").arg(QLocale().toString(done)));
}

void TrainingProgress::beginRun(const aes::RunInfo &run, int batchSize)
{
    m_run = run;
    m_batchSize = std::max(1, batchSize);
    m_bar->setVisible(true);
    m_bar->setRange(0, 0);
    m_text->setText(run.continued ? tr("Continuing from epoch %1\u2026").arg(run.firstEpoch)
                                  : tr("Preparing the model\u2026"));
}

void TrainingProgress::showStep(const aes::StepReport &s)
{
    // The bar covers this run's epochs; the text counts the model's.
    const qint64 perEpoch = std::max<qint64>(1, s.stepsPerEpoch);
    const int epochs = std::max(1, m_run.totalEpochs - m_run.firstEpoch + 1);
    const qint64 total = perEpoch * epochs;
    const qint64 done = qint64(s.epoch - m_run.firstEpoch) * perEpoch + s.stepInEpoch;
    m_bar->setRange(0, clampInt(total));
    m_bar->setValue(clampInt(done));
    m_bar->setFormat(QStringLiteral("%p%"));
    // Validation passes are not counted: the estimate is a little short, then catches up.
    const double secondsPerStep = s.imagesPerSecond > 0 ? double(m_batchSize) / s.imagesPerSecond : NAN;
    m_text->setText(tr("Epoch %1/%2 \u00b7 step %3/%4 \u00b7 %5 images/s \u00b7 ETA %6")
                        .arg(s.epoch).arg(m_run.totalEpochs)
                        .arg(s.stepInEpoch).arg(s.stepsPerEpoch)
                        .arg(QLocale().toString(s.imagesPerSecond, 'f', 0))
                        .arg(duration(double(total - done) * secondsPerStep)));
}

void TrainingProgress::finish()
{
    m_bar->setVisible(false);
    m_text->clear();
}

QString TrainingProgress::text() const
{
    return m_text->text();
}
