#include "reconstructiondetail.h"

#include "crispimage.h"
#include "errorheatmap.h"

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
    auto *grid = new QGridLayout;
    const QString titles[3] = {tr("Input"), tr("Reconstruction"), tr("|Error| (0 \u2013 %1)").arg(errorheatmap::kMaxError)};
    for (int i = 0; i < 3; ++i) {
        auto *title = new QLabel(titles[i], this);
        title->setAlignment(Qt::AlignCenter);
        m_images[i] = new QLabel(this);
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

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(grid);
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
    m_images[0]->setPixmap(enlarged(input));
    m_images[1]->setPixmap(enlarged(output));
    m_images[2]->setPixmap(enlarged(errorheatmap::heatmap(input, output)));
    const QString caption = m_index < m_snapshot.captions.size() ? m_snapshot.captions[m_index] : QString();
    QString text = tr("Image %1 of %2").arg(m_index + 1).arg(m_snapshot.inputs.size());
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
