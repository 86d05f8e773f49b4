#pragma once
// The skipped files of a load (path, reason) as a table model for a QTreeView: the view asks
// for the visible rows only, so a report of a million files opens at once and holds no item per
// row (a QTreeWidget made one object per file). Sorting reorders an index, not the rows.
//
// Ownership: a Qt model owned by its parent. Threads: GUI thread only.

#include <QAbstractTableModel>
#include <QPair>
#include <QString>
#include <QVector>

class SkippedFilesModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit SkippedFilesModel(QObject *parent = nullptr);

    void setFiles(const QVector<QPair<QString, QString>> &files);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    QVector<QPair<QString, QString>> m_files;
    QVector<int> m_order;  // row -> file
};
