#include "traversalgrid.h"

#include "crispimage.h"
#include "spectrogramview.h"
#include "util/atomicfile.h"

#include <QDialogButtonBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>

QImage composeGrid(const QVector<QImage> &images, int columns, int rows, int scale, int spacing)
{
    if (columns <= 0 || rows <= 0)
        return QImage();
    QSize cell(1, 1);
    for (const QImage &image : images)
        cell = cell.expandedTo(image.size());
    cell *= std::max(1, scale);
    QImage out(columns * cell.width() + (columns + 1) * spacing, rows * cell.height() + (rows + 1) * spacing,
               QImage::Format_RGB32);
    out.fill(Qt::white);
    QPainter painter(&out);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < columns; ++c) {
            const QImage image = images.value(r * columns + c);
            if (image.isNull())
                continue;
            painter.drawImage(QRect(spacing + c * (cell.width() + spacing), spacing + r * (cell.height() + spacing),
                                    cell.width(), cell.height()),
                              image);
        }
    return out;
}

TraversalDialog::TraversalDialog(QWidget *parent) : QDialog(parent)
{
    setWindowTitle(tr("Traversal grid"));
    m_picture = new QLabel;
    m_picture->setAlignment(Qt::AlignCenter);
    auto *scroll = new QScrollArea;
    scroll->setWidget(m_picture);
    scroll->setWidgetResizable(true);
    scroll->setMinimumSize(420, 420);
    m_caption = new QLabel;
    m_caption->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    m_save = buttons->addButton(tr("Save PNG…"), QDialogButtonBox::ActionRole);
    connect(m_save, &QPushButton::clicked, this, &TraversalDialog::saveAs);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_playRow = new QWidget;
    auto *playLayout = new QHBoxLayout(m_playRow);
    playLayout->setContentsMargins(0, 0, 0, 0);
    m_row = new QSpinBox;
    m_row->setPrefix(tr("row "));
    auto *play = m_playButton = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play row"));
    play->setObjectName(QStringLiteral("traversalPlay"));
    play->setToolTip(tr("The row's clips one after another, left to right: a walk along the map's x axis"));
    connect(play, &QPushButton::clicked, this, [this] {
        const QImage row = rowSpectrogram(m_row->value() - 1);
        if (!row.isNull())
            Q_EMIT playRequested(row, tr("row %1 of the grid").arg(m_row->value()));
    });
    playLayout->addWidget(m_row);
    playLayout->addWidget(play);
    playLayout->addStretch(1);
    m_playRow->hide();
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_caption);
    layout->addWidget(m_playRow);
    layout->addWidget(buttons);
    resize(640, 700);
}

void TraversalDialog::setSpectrograms(bool on, bool canPlay, const QString &reason)
{
    m_spectrograms = on;
    m_playButton->setEnabled(canPlay);
    m_playButton->setToolTip(canPlay ? tr("The row's clips one after another, left to right: a walk along the map's x axis")
                                     : reason);
    m_playRow->setVisible(on);
    if (!m_grid.images.isEmpty())
        setGrid(m_grid);
}

QImage TraversalDialog::rowSpectrogram(int row) const
{
    if (row < 0 || row >= m_grid.rows)
        return {};
    return SpectrogramView::concatenated(m_grid.images.mid(row * m_grid.columns, m_grid.columns));
}

void TraversalDialog::setGrid(const aes::TraversalGrid &grid)
{
    m_grid = grid;
    m_row->setRange(1, std::max(1, grid.rows));
    QVector<QImage> cells = grid.images;
    if (m_spectrograms)
        for (QImage &cell : cells)
            cell = SpectrogramView::colorized(cell);
    m_image = composeGrid(cells, grid.columns, grid.rows);
    // Shown at most 560 pixels a side.
    m_picture->setPixmap(QPixmap::fromImage(crispScaled(m_image, 560)));
    const QRectF r = grid.region;
    m_caption->setText(tr("%1 × %2 images decoded over x %3 to %4, y %5 to %6 (top row: largest y)%7.")
                           .arg(grid.columns).arg(grid.rows)
                           .arg(r.left(), 0, 'g', 3).arg(r.right(), 0, 'g', 3)
                           .arg(r.top(), 0, 'g', 3).arg(r.bottom(), 0, 'g', 3)
                           .arg(grid.exact ? QString() : tr("; approximate: t-SNE decodes the mean code of nearby points")));
}

bool TraversalDialog::save(const QString &path) const
{
    return aes::writeImageAtomically(path, m_image).isEmpty();
}

void TraversalDialog::saveAs()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save traversal grid"), QStringLiteral("traversal.png"),
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (!save(path))
        QMessageBox::warning(this, tr("Save traversal grid"), tr("Could not write %1.").arg(path));
}
