#pragma once
// What the latent map's colours stand for: the dataset's classes (and the unlabelled points),
// or k-means clusters of the codes; which of these groups are shown, their colours, and the
// rows of the class list beside the map.
//
// Colours: classColors() keeps up to kDistinctColors (20) groups apart. Beyond that, the
// groups shown share the distinct colours when at most 20 of them are shown (a group of
// classes chosen in the list), else every group takes a hue around the circle and the list's
// note says how to get distinct colours back (show fewer groups, or colour by cluster).
//
// Ownership: a plain value owned by the LatentMap. Threads: GUI thread only. Failure: none.

#include "classlist.h"
#include "controller/controllertypes.h"

#include <QColor>
#include <QStringList>
#include <QVector>

class MapGroups {
public:
    // Groups are of dataset rows (every image, also those a sampled map does not draw); counts too.
    // A new map: classes kept when they are the same (and the same number of images), else
    // every class shown and the clusters dropped.
    void setMap(const aes::LatentSnapshot &map);
    // Clusters of every row (0..k-1, from latent/kmeans), and whether to colour by them.
    void setClusters(const QVector<int> &assignment, int k);
    bool hasClusters() const { return m_clusterK > 0; }
    const QVector<int> &clusters() const { return m_clusters; }
    int clusterCount() const { return m_clusterK; }
    void setByCluster(bool byCluster);
    bool byCluster() const { return m_byCluster && hasClusters(); }

    // Groups of the colouring shown: classes + 1 (the last: unlabelled), or k clusters.
    int count() const;
    int groupOf(qint64 row) const;
    // The group of every row, as PointLayer takes them (unlabelled rows: -1).
    QVector<int> rowGroups() const;
    QVector<QColor> colors() const;    // count() entries (+ a last one PointLayer wants)
    QStringList names() const;

    bool isVisible(int group) const { return m_visible.value(group, true); }
    void setVisible(int group, bool visible);
    // Only group shown; when it already is the only one, every group shown again.
    void solo(int group);

    // The class list's rows and its note.
    QVector<ClassList::Group> entries() const;
    QString note() const;

private:
    QVector<bool> &visibleFlags();

    aes::LatentSnapshot m_map;         // shares the map's data
    QVector<int> m_clusters;
    int m_clusterK = 0;
    bool m_byCluster = false;
    QVector<bool> m_visible;           // of the colouring shown
    QVector<bool> m_classVisible;      // kept while clusters are shown, and back
    QVector<bool> m_clusterVisible;
};
