#include "worstlist.h"

#include "crispimage.h"
#include "imagecaption.h"

#include <QListWidget>
#include <QPixmap>
#include <QVBoxLayout>

#include <algorithm>

namespace {
constexpr int kThumbnail = 56;
constexpr int kIndexRole = Qt::UserRole + 1;
} // namespace

WorstList::WorstList(QWidget *parent) : QWidget(parent)
{
    m_list = new QListWidget;
    m_list->setViewMode(QListView::IconMode);
    m_list->setFlow(QListView::LeftToRight);
    m_list->setWrapping(false);
    m_list->setMovement(QListView::Static);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setIconSize(QSize(kThumbnail, kThumbnail));
    m_list->setGridSize(QSize(kThumbnail + 34, kThumbnail + 40));
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    m_list->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setToolTip(tr("The images the model reconstructs worst, worst first. Select one to ring it on the map."));
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (item)
            Q_EMIT pointSelected(item->data(kIndexRole).toLongLong());
    });
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_list);
}

void WorstList::setMap(const aes::LatentSnapshot &map)
{
    if (map.partial || map.errors.isEmpty())
        return;
    const QSignalBlocker block(m_list);  // a refresh is not the user's selection
    m_list->clear();
    for (int i = 0; i < map.worst.size(); ++i) {
        const qint64 row = map.worst[i];
        // Named by file wherever there is one; a class without a file (IDX) by its class.
        const QString file = fileNameOf(map, row);
        const QString className = map.classNameAt(row);
        const QString name = !file.isEmpty() ? file : className.isEmpty() ? tr("image %1").arg(row) : className;
        const QPixmap icon = QPixmap::fromImage(crispScaled(map.worstImages.value(i), kThumbnail));
        auto *item = new QListWidgetItem(QIcon(icon), tr("%1\nMSE %2").arg(name).arg(map.errors.value(int(row)), 0, 'f', 4));
        item->setData(kIndexRole, row);
        item->setToolTip(tr("%1: MSE %2\n%3").arg(imageName(map, row)).arg(map.errors.value(int(row)), 0, 'g', 4)
                             .arg(map.files.value(int(row))));
        item->setTextAlignment(Qt::AlignHCenter | Qt::AlignTop);
        m_list->addItem(item);
    }
}

void WorstList::clear()
{
    const QSignalBlocker block(m_list);
    m_list->clear();
}

QVector<qint64> WorstList::rows() const
{
    QVector<qint64> out;
    for (int i = 0; i < m_list->count(); ++i)
        out.append(m_list->item(i)->data(kIndexRole).toLongLong());
    return out;
}

void WorstList::select(int position)
{
    m_list->setCurrentRow(position);
}
