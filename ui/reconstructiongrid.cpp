#include "reconstructiongrid.h"

#include "errorheatmap.h"
#include "spectrogramview.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPaintEvent>

#include <algorithm>

namespace {

constexpr int kColumns = 8;      // 16 images: two bands of 8
constexpr int kMargin = 12;
constexpr int kGap = 6;          // between neighbouring images
constexpr int kBandGap = 18;     // between the bands

} // namespace

ReconstructionGrid::ReconstructionGrid(QWidget *parent) : QWidget(parent)
{
    setAutoFillBackground(true);
    setBackgroundRole(QPalette::Base);
    setMouseTracking(true);
    m_snapshot.globalStep = -1;
}

QSize ReconstructionGrid::sizeHint() const
{
    return {760, 520};
}

QSize ReconstructionGrid::minimumSizeHint() const
{
    return {320, 240};
}

void ReconstructionGrid::clear()
{
    m_snapshot = aes::ReconstructionSnapshot();
    m_snapshot.globalStep = -1;
    m_inputs.clear();
    m_reconstructions.clear();
    m_errors.clear();
    m_hitRects.clear();
    update();
}

void ReconstructionGrid::setSnapshot(const aes::ReconstructionSnapshot &snapshot)
{
    // Inputs are the same in every snapshot of a model: convert them once.
    if (m_inputs.size() != snapshot.inputs.size() || m_snapshot.inputs != snapshot.inputs) {
        m_inputs.clear();
        for (const QImage &image : snapshot.inputs)
            m_inputs.append(tile(image));
    }
    m_reconstructions.clear();
    for (const QImage &image : snapshot.reconstructions)
        m_reconstructions.append(tile(image));
    m_snapshot = snapshot;
    m_errors.clear();
    if (m_showError)
        setShowError(true);
    update();
}

QPixmap ReconstructionGrid::tile(const QImage &image) const
{
    return QPixmap::fromImage(m_spectrograms ? SpectrogramView::colorized(image) : image);
}

void ReconstructionGrid::setSpectrograms(bool on)
{
    if (on == m_spectrograms)
        return;
    m_spectrograms = on;
    const aes::ReconstructionSnapshot snapshot = m_snapshot;
    m_inputs.clear();
    if (snapshot.globalStep >= 0)
        setSnapshot(snapshot);
}

void ReconstructionGrid::setShowError(bool on)
{
    m_showError = on;
    // Heatmaps are made only while shown: a few small images, a millisecond or so.
    if (on && m_errors.size() != m_snapshot.reconstructions.size()) {
        m_errors.clear();
        for (int i = 0; i < m_snapshot.reconstructions.size() && i < m_snapshot.inputs.size(); ++i)
            m_errors.append(QPixmap::fromImage(errorheatmap::heatmap(m_snapshot.inputs[i], m_snapshot.reconstructions[i])));
    }
    update();
}

int ReconstructionGrid::imageAt(const QPoint &pos) const
{
    for (const auto &[rect, index] : m_hitRects)
        if (rect.contains(pos))
            return index;
    return -1;
}

QRect ReconstructionGrid::inputRect(int i) const
{
    for (const auto &[rect, index] : m_hitRects)
        if (index == i)
            return rect;  // the input cell is recorded first
    return {};
}

void ReconstructionGrid::mousePressEvent(QMouseEvent *event)
{
    const int index = event->button() == Qt::LeftButton ? imageAt(event->pos()) : -1;
    if (index >= 0)
        Q_EMIT imageClicked(index);
    else
        QWidget::mousePressEvent(event);
}

void ReconstructionGrid::mouseMoveEvent(QMouseEvent *event)
{
    setCursor(imageAt(event->pos()) >= 0 ? Qt::PointingHandCursor : Qt::ArrowCursor);
    QWidget::mouseMoveEvent(event);
}

void ReconstructionGrid::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    m_hitRects.clear();
    const QRect area = rect().adjusted(kMargin, kMargin, -kMargin, -kMargin);
    if (m_inputs.isEmpty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap,
                         tr("While a model trains, %1 validation images appear here, each above "
                            "its reconstruction, updated a few times a second.")
                             .arg(aes::TrainingController::kSnapshotImages));
        return;
    }

    const bool errors = m_showError && !m_errors.isEmpty();
    const int rows = errors ? 3 : 2;
    const QFontMetrics fm(font());
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    const QFontMetrics smallFm(small);
    const int headerH = fm.height() + kGap;
    const QString rowNames[3] = {tr("Input"), tr("Output"), tr("|Error|")};
    int labelW = 0;
    for (int r = 0; r < rows; ++r)
        labelW = std::max(labelW, fm.horizontalAdvance(rowNames[r]));
    labelW += kGap;
    const bool hasCaptions = !m_snapshot.captions.join(QString()).isEmpty();
    const int captionH = hasCaptions ? smallFm.height() : 0;
    const int mseH = errors ? smallFm.height() : 0;
    const int bands = (int(m_inputs.size()) + kColumns - 1) / kColumns;
    const int columns = std::min<int>(kColumns, int(m_inputs.size()));

    // The largest square cell that fits both ways.
    const int cellW = (area.width() - labelW - (columns - 1) * kGap) / std::max(1, columns);
    const int bandFixed = rows * kGap + captionH + mseH;
    const int cellH = (area.height() - headerH - (bands - 1) * kBandGap - bands * bandFixed) / std::max(1, rows * bands);
    const int cell = std::max(8, std::min(cellW, cellH));
    const int bandH = rows * cell + bandFixed;
    const int gridW = labelW + columns * cell + (columns - 1) * kGap;
    const int gridH = headerH + bands * bandH + (bands - 1) * kBandGap;
    const int left = area.left() + std::max(0, (area.width() - gridW) / 2);
    int top = area.top() + std::max(0, (area.height() - gridH) / 2);

    painter.setPen(palette().color(QPalette::Text));
    const qint64 step = m_snapshot.globalStep;
    painter.drawText(QRect(left, top, gridW, fm.height()), Qt::AlignLeft | Qt::AlignVCenter,
                     step == 0 ? tr("Before training (random weights) \u2013 click an image to enlarge it")
                               : tr("After %1 steps (epoch %2) \u2013 click an image to enlarge it")
                                     .arg(step).arg(m_snapshot.epoch));
    top += headerH;

    // Small images are enlarged pixel for pixel: smoothing would hide what the model does.
    const bool enlarge = m_inputs.first().width() < cell;
    painter.setRenderHint(QPainter::SmoothPixmapTransform, !enlarge);

    for (int band = 0; band < bands; ++band) {
        const int y0 = top + band * (bandH + kBandGap);
        painter.setPen(palette().color(QPalette::PlaceholderText));
        for (int r = 0; r < rows; ++r) {
            // The error row sits below the captions of the output row.
            const int y = y0 + r * (cell + kGap) + (r == 2 ? captionH : 0);
            painter.drawText(QRect(left, y, labelW - kGap, cell), Qt::AlignRight | Qt::AlignVCenter, rowNames[r]);
        }
        for (int col = 0; col < columns; ++col) {
            const int i = band * kColumns + col;
            if (i >= m_inputs.size())
                break;
            const int x = left + labelW + col * (cell + kGap);
            const QRect inRect(x, y0, cell, cell);
            const QRect outRect(x, y0 + cell + kGap, cell, cell);
            const QRect errRect(x, outRect.bottom() + 1 + kGap + captionH, cell, cell);
            painter.drawPixmap(inRect, m_inputs.at(i));
            m_hitRects.append({inRect, i});
            if (i < m_reconstructions.size()) {
                painter.drawPixmap(outRect, m_reconstructions.at(i));
                m_hitRects.append({outRect, i});
            }
            if (errors && i < m_errors.size()) {
                painter.drawPixmap(errRect, m_errors.at(i));
                m_hitRects.append({errRect, i});
            }
            painter.setPen(palette().color(QPalette::Mid));
            painter.drawRect(inRect.adjusted(0, 0, -1, -1));
            painter.drawRect(outRect.adjusted(0, 0, -1, -1));
            if (errors)
                painter.drawRect(errRect.adjusted(0, 0, -1, -1));
            painter.setFont(small);
            painter.setPen(palette().color(QPalette::Text));
            if (hasCaptions && i < m_snapshot.captions.size()) {
                const QRect captionRect(x - kGap / 2, outRect.bottom() + 1 + kGap / 2, cell + kGap, captionH);
                painter.drawText(captionRect, Qt::AlignHCenter | Qt::AlignTop,
                                 smallFm.elidedText(m_snapshot.captions.at(i), Qt::ElideRight, cell + kGap));
            }
            if (errors && i < m_snapshot.mse.size()) {
                const QRect mseRect(x - kGap / 2, errRect.bottom() + 1 + kGap / 2, cell + kGap, mseH);
                painter.drawText(mseRect, Qt::AlignHCenter | Qt::AlignTop,
                                 QStringLiteral("%1").arg(m_snapshot.mse.at(i), 0, 'f', 4));
            }
            painter.setFont(font());
        }
    }
}
