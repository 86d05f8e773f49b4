#include "classlist.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QSpinBox>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace {

constexpr int kGroupRole = Qt::UserRole + 1;
constexpr int kSwatch = 12;

QIcon swatch(const QColor &color)
{
    QPixmap pixmap(kSwatch, kSwatch);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(color.darker(130)));
    painter.setBrush(color);
    painter.drawEllipse(QRectF(1.0, 1.0, kSwatch - 2.0, kSwatch - 2.0));
    return QIcon(pixmap);
}

} // namespace

ClassList::ClassList(QWidget *parent) : QWidget(parent)
{
    m_colourBy = new QComboBox;
    m_colourBy->addItem(tr("Colour by class"));
    m_colourBy->addItem(tr("Colour by cluster"));
    m_colourBy->setToolTip(tr("What the colours of the map show: the dataset's classes, or k-means clusters of the codes"));
    connect(m_colourBy, &QComboBox::activated, this, [this](int index) { Q_EMIT colourByClusters(index == 1); });
    m_k = new QSpinBox;
    m_k->setRange(2, 100);
    m_k->setValue(8);
    m_k->setPrefix(tr("k "));
    m_k->setToolTip(tr("How many clusters k-means looks for"));
    m_seed = new QSpinBox;
    m_seed->setRange(0, 999999);
    m_seed->setValue(1);
    m_seed->setPrefix(tr("seed "));
    m_seed->setToolTip(tr("The seed of k-means' start: the same seed gives the same clusters"));
    m_cluster = new QPushButton(tr("Cluster"));
    m_cluster->setToolTip(tr("k-means on the codes of every image (in latent space, not on the map), then colour by cluster"));
    connect(m_cluster, &QPushButton::clicked, this,
            [this] { Q_EMIT clusterRequested(m_k->value(), quint64(m_seed->value())); });
    m_exportClusters = new QPushButton(tr("Export clusters as folders..."));
    m_exportClusters->setToolTip(tr("Copy every image's file into a folder per cluster"));
    connect(m_exportClusters, &QPushButton::clicked, this, &ClassList::exportClustersRequested);
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, this, &ClassList::applyFilter);

    m_tree = new QTreeWidget;
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Class"), tr("Images"), QString()});
    m_tree->header()->setStretchLastSection(false);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_tree->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_tree->header()->setSectionResizeMode(2, QHeaderView::ResizeToContents);
    m_tree->setIconSize(QSize(kSwatch, kSwatch));
    m_tree->setToolTip(tr("Tick to show, untick to hide; double-click a row to show it alone (again: all)"));
    connect(m_tree, &QTreeWidget::itemChanged, this, [this](QTreeWidgetItem *item, int column) {
        if (m_filling || column != 0)
            return;
        Q_EMIT visibilityToggled(item->data(0, kGroupRole).toInt(), item->checkState(0) == Qt::Checked);
    });
    connect(m_tree, &QTreeWidget::itemDoubleClicked, this,
            [this](QTreeWidgetItem *item) { Q_EMIT soloRequested(item->data(0, kGroupRole).toInt()); });

    auto *all = new QPushButton(tr("All"));
    auto *none = new QPushButton(tr("None"));
    all->setToolTip(tr("Show every row the filter leaves"));
    none->setToolTip(tr("Hide every row the filter leaves"));
    connect(all, &QPushButton::clicked, this, [this] { Q_EMIT setAllRequested(shownGroups(), true); });
    connect(none, &QPushButton::clicked, this, [this] { Q_EMIT setAllRequested(shownGroups(), false); });
    m_note = new QLabel;
    m_note->setWordWrap(true);
    m_note->setStyleSheet(QStringLiteral("color: #606060;"));
    m_note->hide();

    auto *clusterRow = new QHBoxLayout;
    clusterRow->setContentsMargins(0, 0, 0, 0);
    clusterRow->addWidget(m_k, 1);
    clusterRow->addWidget(m_seed, 1);
    auto *filterRow = new QHBoxLayout;
    filterRow->setContentsMargins(0, 0, 0, 0);
    filterRow->addWidget(m_filter, 1);
    filterRow->addWidget(all);
    filterRow->addWidget(none);
    for (QPushButton *b : {all, none})
        b->setMaximumWidth(44);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 0, 4);
    layout->setSpacing(3);
    layout->addWidget(m_colourBy);
    layout->addLayout(clusterRow);
    layout->addWidget(m_cluster);
    layout->addLayout(filterRow);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_note);
    layout->addWidget(m_exportClusters);
    setFixedWidth(210);
    setClustersAvailable(false);
    setCanCluster(false);
    setGroups({}, false, QString());
}

void ClassList::setGroups(const QVector<Group> &groups, bool clusters, const QString &note)
{
    m_filling = true;
    m_tree->clear();
    m_tree->setHeaderLabels({clusters ? tr("Cluster") : tr("Class"), tr("Images"), clusters ? tr("Purity") : QString()});
    m_tree->setColumnHidden(2, !clusters);
    const QLocale locale;
    for (int g = 0; g < groups.size(); ++g) {
        const Group &group = groups[g];
        if (group.count == 0)
            continue;
        auto *item = new QTreeWidgetItem(m_tree);
        item->setData(0, kGroupRole, g);
        item->setText(0, group.name);
        item->setIcon(0, swatch(group.color));
        item->setText(1, locale.toString(group.count));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(2, group.detail);
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(0, group.visible ? Qt::Checked : Qt::Unchecked);
        if (!group.visible)
            for (int column = 0; column < 3; ++column)
                item->setForeground(column, QColor(Qt::gray));
        const QString tip = group.tooltip.isEmpty() ? group.name : group.tooltip;
        for (int column = 0; column < 3; ++column)
            item->setToolTip(column, tip);
    }
    {
        const QSignalBlocker block(m_colourBy);
        m_colourBy->setCurrentIndex(clusters ? 1 : 0);
    }
    m_exportClusters->setVisible(clusters);
    m_note->setText(note);
    m_note->setVisible(!note.isEmpty());
    applyFilter();
    m_filling = false;
}

void ClassList::setClustersAvailable(bool available)
{
    m_colourBy->setEnabled(available);
}

void ClassList::setCanCluster(bool can)
{
    m_cluster->setEnabled(can);
    m_k->setEnabled(can);
    m_seed->setEnabled(can);
}

QTreeWidgetItem *ClassList::itemOf(int group) const
{
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        if (m_tree->topLevelItem(i)->data(0, kGroupRole).toInt() == group)
            return m_tree->topLevelItem(i);
    return nullptr;
}

QVector<int> ClassList::shownGroups() const
{
    QVector<int> groups;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        if (!m_tree->topLevelItem(i)->isHidden())
            groups << m_tree->topLevelItem(i)->data(0, kGroupRole).toInt();
    return groups;
}

void ClassList::applyFilter()
{
    const QString text = m_filter->text().trimmed();
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_tree->topLevelItem(i);
        item->setHidden(!text.isEmpty() && !item->text(0).contains(text, Qt::CaseInsensitive));
    }
}
