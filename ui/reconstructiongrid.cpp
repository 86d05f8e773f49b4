#include "reconstructionview.h"

#include <QPainter>
#include <QPaintEvent>

#include <algorithm>

namespace {

constexpr int kColumns = 8;      // 16 images: two bands of 8, inputs above reconstructions
constexpr int kMargin = 12;
constexpr int kGap = 6;          // between neighbouring images
constexpr int kBandGap = 18;     // between the two bands

} // namespace

ReconstructionView::ReconstructionView(QWidget *parent) : QWidget(parent)
{
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
}

QSize ReconstructionView::sizeHint() const
{
    return {760, 520};
}

QSize ReconstructionView::minimumSizeHint() const
{
    return {320, 240};
}

void ReconstructionView::clear()
{
    m_inputs.clear();
    m_reconstructions.clear();
    m_captions.clear();
    m_step = -1;
    update();
}

void ReconstructionView::setSnapshot(const aes::ReconstructionSnapshot &snapshot)
{
    // Inputs are the same in every snapshot of a run: convert them once.
    if (m_inputs.size() != snapshot.inputs.size() || snapshot.globalStep <= m_step || m_step < 0) {
        m_inputs.clear();
        for (const QImage &image : snapshot.inputs)
            m_inputs.append(QPixmap::fromImage(image));
    }
    m_reconstructions.clear();
    for (const QImage &image : snapshot.reconstructions)
        m_reconstructions.append(QPixmap::fromImage(image));
    m_captions = snapshot.captions;
    m_epoch = snapshot.epoch;
    m_step = snapshot.globalStep;
    update();
}

void ReconstructionView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    const QRect area = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);
    if (m_inputs.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap,
                         tr("While a model trains, %1 validation images appear here, each above "
                            "its reconstruction, updated a few times a second.")
                             .arg(aes::TrainingController::kSnapshotImages));
        return;
    }

    const QFontMetrics fm(font());
    const int headerH = fm.height() + kGap;
    const int labelW = std::max(fm.horizontalAdvance(tr("Input")), fm.horizontalAdvance(tr("Output"))) + kGap;
    const int captionH = m_captions.join(QString()).isEmpty() ? 0 : fm.height();
    const int bands = (int(m_inputs.size()) + kColumns - 1) / kColumns;
    const int columns = std::min<int>(kColumns, int(m_inputs.size()));

    // The largest square cell that fits both ways.
    const int cellW = (area.width() - labelW - (columns - 1) * kGap) / std::max(1, columns);
    const int bandFixed = 2 * kGap + captionH;
    const int cellH = (area.height() - headerH - (bands - 1) * kBandGap - bands * bandFixed) / std::max(1, 2 * bands);
    const int cell = std::max(8, std::min(cellW, cellH));
    const int gridW = labelW + columns * cell + (columns - 1) * kGap;
    const int gridH = headerH + bands * (2 * cell + bandFixed) + (bands - 1) * kBandGap;
    const int left = area.left() + std::max(0, (area.width() - gridW) / 2);
    int top = area.top() + std::max(0, (area.height() - gridH) / 2);

    painter.setPen(palette().color(QPalette::Text));
    painter.drawText(QRect(left, top, gridW, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                     m_step == 0 ? tr("Before training (random weights)")
                                 : tr("After %1 steps (epoch %2)").arg(m_step).arg(m_epoch));
    top += headerH;

    // Small images are enlarged pixel for pixel: smoothing would hide what the model does.
    const bool enlarge = m_inputs.first().width() < cell;
    painter.setRenderHint(QPainter::SmoothPixmapTransform, !enlarge);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QFontMetrics smallFm(small);

    for (int band = 0; band < bands; ++band) {
        const int y0 = top + band * (2 * cell + bandFixed + kBandGap);
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(QRect(left, y0, labelW - kGap, cell), Qt::AlignRight | Qt::AlignVCenter, tr("Input"));
        painter.drawText(QRect(left, y0 + cell + kGap, labelW - kGap, cell), Qt::AlignRight | Qt::AlignVCenter,
                         tr("Output"));
        for (int col = 0; col < columns; ++col) {
            const int i = band * kColumns + col;
            if (i >= m_inputs.size())
                break;
            const int x = left + labelW + col * (cell + kGap);
            const QRect inRect(x, y0, cell, cell);
            const QRect outRect(x, y0 + cell + kGap, cell, cell);
            painter.drawPixmap(inRect, m_inputs.at(i));
            if (i < m_reconstructions.size())
                painter.drawPixmap(outRect, m_reconstructions.at(i));
            painter.setPen(palette().color(QPalette::Mid));
            painter.drawRect(inRect.adjusted(0, 0, -1, -1));
            painter.drawRect(outRect.adjusted(0, 0, -1, -1));
            if (captionH > 0 && i < m_captions.size()) {
                painter.setFont(small);
                painter.setPen(palette().color(QPalette::Text));
                const QRect captionRect(x - kGap / 2, outRect.bottom() + kGap, cell + kGap, captionH);
                painter.drawText(captionRect, Qt::AlignHCenter | Qt::AlignTop,
                                 smallFm.elidedText(m_captions.at(i), Qt::ElideRight, cell + kGap));
                painter.setFont(font());
            }
        }
    }
}
