#include "reconstructionview.h"

#include "errorheatmap.h"
#include "reconstructiondetail.h"
#include "reconstructiongrid.h"
#include "soundplayer.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

ReconstructionView::ReconstructionView(QWidget *parent) : QWidget(parent)
{
    m_grid = new ReconstructionGrid(this);
    m_showError = new QCheckBox(tr("Show absolute error"), this);
    m_showError->setToolTip(tr("A third row: |input \u2212 reconstruction| per pixel, on one colour scale "
                               "for every image, with each image's mean squared error"));
    m_legend = new QLabel(this);
    m_legend->setPixmap(QPixmap::fromImage(errorheatmap::legend(120, 10)));
    m_legendLow = new QLabel(QStringLiteral("0"), this);
    m_legendHigh = new QLabel(QStringLiteral("\u2265 %1").arg(errorheatmap::kMaxError), this);
    connect(m_showError, &QCheckBox::toggled, this, [this](bool on) {
        m_grid->setShowError(on);
        for (QWidget *w : {static_cast<QWidget *>(m_legend), static_cast<QWidget *>(m_legendLow),
                           static_cast<QWidget *>(m_legendHigh)})
            w->setVisible(on);
        Q_EMIT showErrorChanged(on);
    });
    connect(m_grid, &ReconstructionGrid::imageClicked, this, &ReconstructionView::showDetail);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(12, 6, 12, 0);
    bar->addWidget(m_showError);
    bar->addSpacing(12);
    bar->addWidget(m_legendLow);
    bar->addWidget(m_legend);
    bar->addWidget(m_legendHigh);
    m_audioHint = new QLabel(this);
    m_audioHint->hide();
    bar->addWidget(m_audioHint);
    bar->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(bar);
    layout->addWidget(m_grid, 1);
    setShowError(false);
    for (QWidget *w : {static_cast<QWidget *>(m_legend), static_cast<QWidget *>(m_legendLow),
                       static_cast<QWidget *>(m_legendHigh)})
        w->setVisible(false);
}

void ReconstructionView::setSnapshot(const aes::ReconstructionSnapshot &snapshot)
{
    m_grid->setSnapshot(snapshot);
    if (m_detail && m_detail->isVisible())
        m_detail->setSnapshot(snapshot);
}

void ReconstructionView::clear()
{
    m_grid->clear();
    if (m_detail)
        m_detail->hide();
}

void ReconstructionView::setShowError(bool on)
{
    m_showError->setChecked(on);
}

bool ReconstructionView::showsError() const
{
    return m_showError->isChecked();
}

int ReconstructionView::imageCount() const
{
    return m_grid->imageCount();
}

qint64 ReconstructionView::snapshotStep() const
{
    return m_grid->snapshotStep();
}

void ReconstructionView::setAudio(const std::optional<aes::AudioOptions> &audio, SoundPlayer *player)
{
    m_audio = audio;
    m_player = player;
    m_grid->setSpectrograms(audio.has_value());
    if (audio) {
        const bool canPlay = player && player->available();
        m_audioHint->setText(tr("Mel spectrograms, 0 to \u2212%1 dB: click one for its axes, waveform and play "
                                "buttons%2").arg(audio->dbRange).arg(canPlay ? QString() : tr(" (no audio output)")));
        m_audioHint->setToolTip(canPlay ? QString() : player ? player->unavailableReason() : QString());
    }
    m_audioHint->setVisible(audio.has_value());
    if (m_detail)
        m_detail->setAudio(audio, player);
}

ReconstructionDetail *ReconstructionView::showDetail(int index)
{
    if (!m_detail) {
        m_detail = new ReconstructionDetail(this);
        m_detail->setAudio(m_audio, m_player);
    }
    m_detail->setSnapshot(m_grid->snapshot());
    m_detail->setIndex(index);
    m_detail->show();
    m_detail->raise();
    return m_detail;
}
