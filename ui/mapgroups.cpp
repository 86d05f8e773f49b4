#include "mapgroups.h"

#include "latent/kmeans.h"
#include "pointlayer.h"

#include <QCoreApplication>
#include <QLocale>

#include <cmath>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("MapGroups", text);
}

} // namespace

void MapGroups::setMap(const aes::LatentSnapshot &map)
{
    const bool same = map.classNames == m_map.classNames && map.rowCount() == m_map.rowCount();
    m_map = map;
    if (!same) {
        m_classVisible = QVector<bool>(map.classNames.size() + 1, true);
        m_clusters.clear();
        m_clusterK = 0;
        m_clusterVisible.clear();
        m_byCluster = false;
    }
    m_visible = byCluster() ? m_clusterVisible : m_classVisible;
}

void MapGroups::setClusters(const QVector<int> &assignment, int k)
{
    m_clusters = assignment;
    m_clusterK = k;
    m_clusterVisible = QVector<bool>(k, true);
    if (m_byCluster)
        m_visible = m_clusterVisible;
}

void MapGroups::setByCluster(bool byCluster)
{
    visibleFlags() = m_visible;  // what the user chose stays with its colouring
    m_byCluster = byCluster;
    m_visible = this->byCluster() ? m_clusterVisible : m_classVisible;
}

QVector<bool> &MapGroups::visibleFlags()
{
    return byCluster() ? m_clusterVisible : m_classVisible;
}

int MapGroups::count() const
{
    return byCluster() ? m_clusterK : int(m_map.classNames.size()) + 1;
}

int MapGroups::groupOf(qint64 row) const
{
    if (byCluster())
        return m_clusters.value(row, 0);
    const int classes = int(m_map.classNames.size());
    const int label = m_map.labels.value(row, -1);
    return label >= 0 && label < classes ? label : classes;
}

QVector<int> MapGroups::rowGroups() const
{
    return byCluster() ? m_clusters : m_map.labels;
}

QStringList MapGroups::names() const
{
    if (byCluster())
        return aes::clusterNames(m_clusterK);
    return m_map.classNames + QStringList{tr("unlabelled")};
}

QVector<QColor> MapGroups::colors() const
{
    // PointLayer's convention: one colour per group, then the unlabelled points' colour.
    const int groups = byCluster() ? m_clusterK : int(m_map.classNames.size());
    QVector<QColor> colors = classColors(groups);
    if (groups <= kDistinctColors)
        return colors;
    int shown = 0;
    for (int g = 0; g < groups; ++g)
        shown += isVisible(g) ? 1 : 0;
    if (shown > kDistinctColors)
        return colors;
    // A chosen group of at most 20: they share the distinct colours, in list order.
    const QVector<QColor> distinct = classColors(kDistinctColors);
    int next = 0;
    for (int g = 0; g < groups; ++g)
        if (isVisible(g))
            colors[g] = distinct[next++];
    return colors;
}

void MapGroups::setVisible(int group, bool visible)
{
    if (group < 0 || group >= m_visible.size())
        return;
    m_visible[group] = visible;
    visibleFlags() = m_visible;
}

void MapGroups::solo(int group)
{
    if (group < 0 || group >= m_visible.size())
        return;
    bool alone = m_visible[group];
    for (int g = 0; g < m_visible.size(); ++g)
        alone = alone && (g == group || !m_visible[g]);
    for (int g = 0; g < m_visible.size(); ++g)
        m_visible[g] = alone || g == group;
    visibleFlags() = m_visible;
}

QVector<ClassList::Group> MapGroups::entries() const
{
    const int n = count();
    QVector<qint64> counts(n, 0);  // of every image, on a sampled map's points or not
    for (qint64 row = 0; row < m_map.rowCount(); ++row) {
        const int g = groupOf(row);
        if (g >= 0 && g < n)
            ++counts[g];
    }
    const QVector<QColor> palette = colors();
    const QStringList groupNames = names();
    QVector<aes::ClusterStats> stats;
    const bool labelled = !m_map.classNames.isEmpty();
    if (byCluster() && labelled)
        stats = aes::clusterStats(m_clusters, m_clusterK, m_map.labels);
    QVector<ClassList::Group> out;
    for (int g = 0; g < n; ++g) {
        ClassList::Group e;
        e.name = groupNames.value(g);
        e.color = palette.value(g);
        e.count = counts[g];
        e.visible = isVisible(g);
        if (g < stats.size() && !std::isnan(stats[g].purity)) {
            const aes::ClusterStats &s = stats[g];
            e.detail = QStringLiteral("%1%").arg(qRound(100.0 * s.purity));
            e.tooltip = tr("%1: %2 images, %3% of them %4")
                            .arg(e.name)
                            .arg(s.size)
                            .arg(100.0 * s.purity, 0, 'f', 1)
                            .arg(m_map.classNames.value(s.majorityLabel));
        }
        out.append(e);
    }
    return out;
}

QString MapGroups::note() const
{
    QStringList lines;
    const int groups = byCluster() ? m_clusterK : int(m_map.classNames.size());
    if (groups > kDistinctColors) {
        int shown = 0;
        for (int g = 0; g < groups; ++g)
            shown += isVisible(g) ? 1 : 0;
        lines << (shown > kDistinctColors
                      ? tr("%1 %2: colours stay distinct for up to %3. Show at most %3 (filter, None, tick some; "
                           "double-click shows one alone) and they get distinct colours%4.")
                            .arg(groups)
                            .arg(byCluster() ? tr("clusters") : tr("classes"))
                            .arg(kDistinctColors)
                            .arg(byCluster() ? QString() : tr(", or colour by cluster"))
                      : tr("The %1 shown share the %2 distinct colours.")
                            .arg(byCluster() ? tr("clusters") : tr("classes"))
                            .arg(kDistinctColors));
    }
    if (byCluster() && !m_map.classNames.isEmpty()) {
        const double purity = aes::overallPurity(aes::clusterStats(m_clusters, m_clusterK, m_map.labels));
        if (!std::isnan(purity))
            lines << tr("Purity %1%: the share of labelled images in their cluster's most common class.")
                         .arg(100.0 * purity, 0, 'f', 1);
    }
    if (!byCluster() && m_map.classNames.isEmpty() && !m_map.x.isEmpty())
        lines << tr("No labels: cluster the codes to colour the map.");
    return lines.join(QLatin1Char('\n'));
}
