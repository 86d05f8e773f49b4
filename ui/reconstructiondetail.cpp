#include "reconstructiondetail.h"

#include "crispimage.h"
#include "errorheatmap.h"
#include "soundplayer.h"
#include "spectrogramview.h"

#include <QDialogButtonBox>
#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

constexpr int kSide = 240;  // pixels per image, at least

// At least kSide pixels a side (whole multiples, crisp); larger images stay as they are.
QPixmap enlarged(const QImage &image)
{
    return QPixmap::fromImage(crispScaled(image, std::max(kSide, std::max(image.width(), image.height()))));
}

} // namespace

ReconstructionDetail::ReconstructionDetail(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Reconstruction"));
    m_imageRow = new QWidget(this);
    auto *grid = new QGridLayout(m_imageRow);
    grid->setContentsMargins(0, 0, 0, 0);
    const QString titles[3] = {tr("Input"), tr("Reconstruction"), tr("|Error| (0 \u2013 %1)").arg(errorheatmap::kMaxError)};
    for (int i = 0; i < 3; ++i) {
        auto *title = new QLabel(titles[i], m_imageRow);
        title->setAlignment(Qt::AlignCenter);
        m_images[i] = new QLabel(m_imageRow);
        m_images[i]->setAlignment(Qt::AlignCenter);
        m_images[i]->setMinimumSize(kSide, kSide);
        grid->addWidget(title, 0, i);
        grid->addWidget(m_images[i], 1, i);
    }
    m_text = new QLabel(this);
    m_text->setAlignment(Qt::AlignCenter);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *previous = buttons->addButton(tr("Previous"), QDialogButtonBox::ActionRole);
    QPushButton *next = buttons->addButton(tr("Next"), QDialogButtonBox::ActionRole);
    previous->setIcon(style()->standardIcon(QStyle::SP_ArrowLeft));
    next->setIcon(style()->standardIcon(QStyle::SP_ArrowRight));
    previous->setAutoDefault(false);
    next->setAutoDefault(false);
    connect(previous, &QPushButton::clicked, this, [this] { setIndex(m_index - 1); });
    connect(next, &QPushButton::clicked, this, [this] { setIndex(m_index + 1); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    // Audio: both spectrograms with axes and waveforms, each with its play button.
    m_audioRow = new QWidget(this);
    auto *audioGrid = new QGridLayout(m_audioRow);
    audioGrid->setContentsMargins(0, 0, 0, 0);
    const QString playTitles[2] = {tr("Play input"), tr("Play reconstruction")};
    for (int i = 0; i < 2; ++i) {
        m_spectrograms[i] = new SpectrogramView(m_audioRow);
        m_spectrograms[i]->setTitle(i == 0 ? tr("Input") : tr("Reconstruction"));
        m_spectrograms[i]->setMinimumSize(380, 300);
        m_play[i] = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), playTitles[i], m_audioRow);
        m_play[i]->setAutoDefault(false);
        m_play[i]->setObjectName(i == 0 ? QStringLiteral("playInput") : QStringLiteral("playReconstruction"));
        connect(m_play[i], &QPushButton::clicked, this, [this, i] { play(i); });
        audioGrid->addWidget(m_spectrograms[i], 0, i);
        audioGrid->addWidget(m_play[i], 1, i, Qt::AlignCenter);
    }
    m_audioMessage = new QLabel(m_audioRow);
    m_audioMessage->setAlignment(Qt::AlignCenter);
    m_audioMessage->setWordWrap(true);
    audioGrid->addWidget(m_audioMessage, 2, 0, 1, 2);
    m_audioRow->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_imageRow);
    layout->addWidget(m_audioRow, 1);
    layout->addWidget(m_text);
    layout->addWidget(buttons);
}

void ReconstructionDetail::setSnapshot(const aes::ReconstructionSnapshot &snapshot)
{
    m_snapshot = snapshot;
    refresh();
}

void ReconstructionDetail::setIndex(int index)
{
    const int n = std::max<int>(1, m_snapshot.inputs.size());
    m_index = ((index % n) + n) % n;  // wraps around both ways
    refresh();
}

void ReconstructionDetail::setAudio(const std::optional<aes::AudioOptions> &audio, SoundPlayer *player)
{
    m_audio = audio;
    m_player = player;
    m_imageRow->setVisible(!audio);
    m_audioRow->setVisible(bool(audio));
    const bool canPlay = player && player->available();
    for (QPushButton *b : m_play) {
        b->setEnabled(canPlay);
        b->setToolTip(canPlay ? QString() : (player ? player->unavailableReason() : tr("No audio output")));
    }
    m_audioMessage->setText(audio && !canPlay ? (player ? player->unavailableReason() : tr("No audio output")) : QString());
    refresh();
}

void ReconstructionDetail::play(int which)
{
    if (!m_audio || !m_player || m_index >= m_snapshot.inputs.size() || m_index >= m_snapshot.reconstructions.size())
        return;
    const QImage &image = which == 0 ? m_snapshot.inputs[m_index] : m_snapshot.reconstructions[m_index];
    m_player->play(image, *m_audio, which == 0 ? tr("the input") : tr("the reconstruction"));
}

QString ReconstructionDetail::errorText() const
{
    return m_text->text();
}

void ReconstructionDetail::refresh()
{
    if (m_index >= m_snapshot.inputs.size() || m_index >= m_snapshot.reconstructions.size()) {
        m_text->setText(tr("No image"));
        return;
    }
    const QImage &input = m_snapshot.inputs[m_index];
    const QImage &output = m_snapshot.reconstructions[m_index];
    if (m_audio) {
        // The waveforms come from Griffin-Lim off the GUI thread, a moment after the spectrograms.
        const QImage images[2] = {input, output};
        for (int i = 0; i < 2; ++i) {
            m_spectrograms[i]->setSpectrogram(images[i], *m_audio);
            if (m_player) {
                SpectrogramView *view = m_spectrograms[i];
                m_player->render(images[i], *m_audio, view, [view](const std::vector<float> &s) { view->setWaveform(s); });
            }
        }
    } else {
        m_images[0]->setPixmap(enlarged(input));
        m_images[1]->setPixmap(enlarged(output));
        m_images[2]->setPixmap(enlarged(errorheatmap::heatmap(input, output)));
    }
    const QString caption = m_index < m_snapshot.captions.size() ? m_snapshot.captions[m_index] : QString();
    QString text = (m_audio ? tr("Clip %1 of %2") : tr("Image %1 of %2")).arg(m_index + 1).arg(m_snapshot.inputs.size());
    if (!caption.isEmpty())
        text += tr(" \u00b7 class %1").arg(caption);
    if (m_index < m_snapshot.mse.size()) {
        const double mse = m_snapshot.mse[m_index];
        text += tr(" \u00b7 MSE %1 \u00b7 PSNR %2 dB").arg(mse, 0, 'f', 5).arg(mse > 0 ? 10.0 * std::log10(1.0 / mse) : INFINITY, 0, 'f', 2);
    }
    text += tr(" \u00b7 after %1 steps").arg(m_snapshot.globalStep);
    m_text->setText(text);
    setWindowTitle(caption.isEmpty() ? tr("Reconstruction %1").arg(m_index + 1)
                                     : tr("Reconstruction %1 (%2)").arg(m_index + 1).arg(caption));
}
