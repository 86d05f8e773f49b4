#pragma once
// The list beside the latent map of what its colours mean: one row per class (or per cluster
// when the map is coloured by k-means clusters) with its colour, name, image count and, for
// clusters, the purity against the labels. A filter narrows the rows by name; clicking a
// row's box hides or shows its points, double-clicking a row shows it alone (again: all).
// Above it, the colouring: by class or by cluster, with k, the seed and the button that runs
// k-means. A note under the list states the palette's limit (colours stay distinct up to 20)
// and what to do beyond it.
//
// It does not change the map itself: the user's choices leave as signals, and the map sets
// the rows (setGroups) after each change.
// Ownership: a plain QWidget, owned by the LatentMap it sits beside.
// Threads: GUI thread only. Failure: none.

#include <QColor>
#include <QString>
#include <QVector>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTreeWidget;
class QTreeWidgetItem;

class ClassList final : public QWidget {
    Q_OBJECT
public:
    struct Group {
        QString name;
        QColor color;
        qint64 count = 0;
        bool visible = true;
        QString detail;                // third column (a cluster's purity), may be empty
        QString tooltip;
    };

    explicit ClassList(QWidget *parent = nullptr);

    // The rows, in group order (the map's group numbers); clusters: the list's columns and
    // buttons for clusters. note: shown under the list (empty: hidden).
    void setGroups(const QVector<Group> &groups, bool clusters, const QString &note);
    // Whether clusters exist to colour by (the colouring choice is enabled then).
    void setClustersAvailable(bool available);
    // Whether the map has codes to cluster (the k-means button is enabled then).
    void setCanCluster(bool can);

    QTreeWidget *tree() const { return m_tree; }
    QLineEdit *filter() const { return m_filter; }
    QComboBox *colourBy() const { return m_colourBy; }
    QSpinBox *clusterCount() const { return m_k; }
    QSpinBox *clusterSeed() const { return m_seed; }
    // The row of group (nullptr when there is none).
    QTreeWidgetItem *itemOf(int group) const;
    // Groups whose rows the filter leaves shown.
    QVector<int> shownGroups() const;

Q_SIGNALS:
    void visibilityToggled(int group, bool visible);
    void soloRequested(int group);
    // Every group the filter shows made visible (visible true) or hidden.
    void setAllRequested(const QVector<int> &groups, bool visible);
    void colourByClusters(bool clusters);
    void clusterRequested(int k, quint64 seed);
    void exportClustersRequested();

private:
    void applyFilter();

    QComboBox *m_colourBy = nullptr;
    QSpinBox *m_k = nullptr;
    QSpinBox *m_seed = nullptr;
    QPushButton *m_cluster = nullptr;
    QPushButton *m_exportClusters = nullptr;
    QLineEdit *m_filter = nullptr;
    QTreeWidget *m_tree = nullptr;
    QLabel *m_note = nullptr;
    bool m_filling = false;            // setGroups is filling the tree: no signals
};
