#include "runcompareview.h"

#include "crispimage.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

const QColor kABetter = QColor::fromRgb(aes::kABetterColor);
const QColor kBBetter = QColor::fromRgb(aes::kBBetterColor);
constexpr int kImageSide = 84;   // 28-pixel images three times, 64-pixel ones as they are
constexpr int kGap = 6;
constexpr int kTextWidth = 190;
constexpr int kHeaderHeight = 22;

QString mse(double v)
{
    return QString::number(v, 'f', 5);
}

QString signedMse(double v)
{
    return (v > 0 ? QStringLiteral("+") : v < 0 ? QStringLiteral("\u2212") : QString()) + QString::number(std::abs(v), 'f', 5);
}

} // namespace

// The rows of images, painted: each row input | A | B | difference map | numbers, flowing into
// columns when the width allows.
class CompareRows final : public QWidget {
public:
    explicit CompareRows(QWidget *parent) : QWidget(parent) { setAutoFillBackground(true); }

    void setImages(const QVector<aes::ComparedImage> &images, const QString &nameA, const QString &nameB)
    {
        m_nameA = nameA;
        m_nameB = nameB;
        m_rows.clear();
        m_cell = 0;
        for (const aes::ComparedImage &image : images) {
            Row row;
            row.source = image;
            row.input = crispScaled(image.input, kImageSide);
            row.a = crispScaled(image.a, kImageSide);
            row.b = crispScaled(image.b, kImageSide);
            row.difference = crispScaled(RunCompareView::differenceMap(image.input, image.a, image.b), kImageSide);
            m_cell = std::max({m_cell, row.input.width(), row.input.height()});
            m_rows.append(row);
        }
        updateGeometry();
        resize(width(), heightForWidth(width()));
        update();
    }

    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override
    {
        const int columns = columnsFor(w);
        const int rows = (int(m_rows.size()) + columns - 1) / columns;
        return kHeaderHeight + rows * rowHeight() + kGap;
    }
    QSize sizeHint() const override { return {cardWidth(), heightForWidth(cardWidth())}; }
    QSize minimumSizeHint() const override { return {cardWidth(), kHeaderHeight}; }

protected:
    void resizeEvent(QResizeEvent *) override { setMinimumHeight(heightForWidth(width())); }

    void paintEvent(QPaintEvent *) override
    {
        QPainter p(this);
        p.fillRect(rect(), palette().base());
        if (m_rows.isEmpty())
            return;
        const int columns = columnsFor(width());
        const QFontMetrics fm(font());
        for (int c = 0; c < std::min(columns, int(m_rows.size())); ++c) {
            const int x0 = c * cardWidth();
            const QStringList titles{tr("input"), QStringLiteral("A: %1").arg(m_nameA), QStringLiteral("B: %1").arg(m_nameB),
                                     tr("difference")};
            p.setPen(palette().color(QPalette::Text));
            for (int k = 0; k < 4; ++k) {
                const QRect r(x0 + kGap + k * (m_cell + kGap), 0, m_cell, kHeaderHeight);
                p.drawText(r, Qt::AlignHCenter | Qt::AlignVCenter, fm.elidedText(titles[k], Qt::ElideMiddle, m_cell));
            }
            p.drawText(QRect(x0 + kGap + 4 * (m_cell + kGap), 0, kTextWidth, kHeaderHeight), Qt::AlignLeft | Qt::AlignVCenter,
                       tr("MSE"));
        }
        for (int i = 0; i < m_rows.size(); ++i) {
            const Row &row = m_rows[i];
            const int x0 = (i % columns) * cardWidth() + kGap;
            const int y0 = kHeaderHeight + (i / columns) * rowHeight();
            const QImage *images[] = {&row.input, &row.a, &row.b, &row.difference};
            for (int k = 0; k < 4; ++k) {
                const QImage &img = *images[k];
                const QRect cell(x0 + k * (m_cell + kGap), y0, m_cell, m_cell);
                p.drawImage(cell.x() + (m_cell - img.width()) / 2, cell.y() + (m_cell - img.height()) / 2, img);
            }
            // The numbers: MSE under A and B, their difference coloured by who is better.
            const aes::ComparedImage &s = row.source;
            const int tx = x0 + 4 * (m_cell + kGap);
            const int line = fm.lineSpacing();
            int ty = y0 + fm.ascent();
            p.setPen(palette().color(QPalette::Text));
            p.drawText(tx, ty, tr("A  %1").arg(mse(s.mseA)));
            ty += line;
            p.drawText(tx, ty, tr("B  %1").arg(mse(s.mseB)));
            ty += line;
            const double d = s.mseA - s.mseB;
            QFont bold = font();
            bold.setBold(true);
            p.setFont(bold);
            p.setPen(d < 0 ? kABetter : d > 0 ? kBBetter : palette().color(QPalette::Text));
            p.drawText(tx, ty, tr("A\u2212B %1").arg(signedMse(d)));
            p.setFont(font());
            ty += line;
            p.setPen(palette().color(QPalette::PlaceholderText));
            QString caption = s.label.isEmpty() ? tr("image %1").arg(s.index) : tr("%1 (image %2)").arg(s.label).arg(s.index);
            if (s.drawn)
                caption += tr(", random");
            p.drawText(QRect(tx, ty - fm.ascent(), kTextWidth - kGap, line), Qt::AlignLeft,
                       fm.elidedText(caption, Qt::ElideRight, kTextWidth - kGap));
        }
    }

private:
    struct Row {
        aes::ComparedImage source;
        QImage input, a, b, difference;
    };
    int cell() const { return std::max(m_cell, 28); }
    int cardWidth() const { return kGap + 4 * (cell() + kGap) + kTextWidth; }
    int rowHeight() const { return std::max(cell(), 4 * fontMetrics().lineSpacing()) + kGap; }
    int columnsFor(int w) const { return std::max(1, w / cardWidth()); }

    QVector<Row> m_rows;
    QString m_nameA, m_nameB;
    int m_cell = 0;
};

RunCompareView::RunCompareView(QWidget *parent) : QWidget(parent)
{
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar(this);
    m_progress->setVisible(false);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setVisible(false);
    connect(m_cancel, &QPushButton::clicked, this, &RunCompareView::cancelRequested);
    m_rows = new CompareRows(this);
    m_scroll = new QScrollArea(this);
    m_scroll->setWidget(m_rows);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_summary, 1);
    bar->addWidget(m_progress);
    bar->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_scroll, 1);
    clear();
}

void RunCompareView::clear()
{
    m_comparison = {};
    m_rows->setImages({}, {}, {});
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    m_summary->setText(tr("Select two runs in the table and press Compare to see the same images reconstructed by "
                          "each, side by side."));
}

void RunCompareView::showRunning(const QString &nameA, const QString &nameB)
{
    m_comparison = {};
    m_rows->setImages({}, {}, {});
    m_summary->setText(tr("Comparing <b>%1</b> and <b>%2</b>\u2026").arg(nameA.toHtmlEscaped(), nameB.toHtmlEscaped()));
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_cancel->setVisible(true);
}

void RunCompareView::showProgress(const QString &step, qint64 done, qint64 total)
{
    m_progress->setRange(0, int(std::max<qint64>(1, total)));
    m_progress->setValue(int(done));
    m_progress->setFormat(step == QLatin1String("loading") ? tr("loading %p%") : tr("reconstructing %p%"));
}

void RunCompareView::setComparison(const aes::RunComparison &comparison, const QString &nameA, const QString &nameB)
{
    m_comparison = comparison;
    m_progress->setVisible(false);
    m_cancel->setVisible(false);
    if (comparison.cancelled) {
        m_rows->setImages({}, {}, {});
        m_summary->setText(tr("The comparison was cancelled."));
        return;
    }
    if (!comparison.error.isEmpty()) {
        m_rows->setImages({}, {}, {});
        m_summary->setText(tr("<b>Cannot compare %1 and %2:</b> %3")
                               .arg(nameA.toHtmlEscaped(), nameB.toHtmlEscaped(), comparison.error.toHtmlEscaped()));
        return;
    }
    m_rows->setImages(comparison.images, nameA, nameB);
    const double d = comparison.meanMseA - comparison.meanMseB;
    const QColor better = d < 0 ? kABetter : kBBetter;
    QString text = tr("<b>A</b> = %1, mean MSE %2 &nbsp;\u00b7&nbsp; <b>B</b> = %3, mean MSE %4 &nbsp;\u00b7&nbsp; "
                      "over %5 %6 images: <span style='color:%7'><b>%8</b> is better on average</span>, "
                      "A on %9 images, B on %10. ")
                       .arg(nameA.toHtmlEscaped(), mse(comparison.meanMseA), nameB.toHtmlEscaped(),
                            mse(comparison.meanMseB))
                       .arg(comparison.compared)
                       .arg(comparison.validation ? tr("validation") : tr("training"))
                       .arg(better.name(), d < 0 ? QStringLiteral("A") : QStringLiteral("B"))
                       .arg(comparison.aBetter)
                       .arg(comparison.bBetter);
    text += tr("Shown: the %1 images where they differ most, then %2 at random. The difference map is "
               "<span style='color:%3'>green</span> where A is closer to the input, "
               "<span style='color:%4'>red</span> where B is.")
                .arg(std::count_if(comparison.images.begin(), comparison.images.end(),
                                   [](const aes::ComparedImage &i) { return !i.drawn; }))
                .arg(std::count_if(comparison.images.begin(), comparison.images.end(),
                                   [](const aes::ComparedImage &i) { return i.drawn; }))
                .arg(kABetter.name(), kBBetter.name());
    if (!comparison.notes.isEmpty())
        text += QStringLiteral("<br><i>%1</i>").arg(comparison.notes.toHtmlEscaped());
    m_summary->setText(text);
}

QString RunCompareView::summaryText() const
{
    return m_summary->text();
}

QImage RunCompareView::differenceMap(const QImage &input, const QImage &a, const QImage &b)
{
    return aes::differenceMap(input, a, b);
}
