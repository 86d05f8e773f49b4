#include "skippedfilesmodel.h"

#include <algorithm>
#include <numeric>

SkippedFilesModel::SkippedFilesModel(QObject *parent) : QAbstractTableModel(parent) {}

void SkippedFilesModel::setFiles(const QVector<QPair<QString, QString>> &files)
{
    beginResetModel();
    m_files = files;
    m_order.resize(m_files.size());
    std::iota(m_order.begin(), m_order.end(), 0);
    endResetModel();
}

int SkippedFilesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_files.size());
}

int SkippedFilesModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 2;
}

QVariant SkippedFilesModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_order.size() || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    const auto &file = m_files[m_order[index.row()]];
    return index.column() == 0 ? file.first : file.second;
}

QVariant SkippedFilesModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == 0 ? tr("File") : tr("Reason");
}

void SkippedFilesModel::sort(int column, Qt::SortOrder order)
{
    Q_EMIT layoutAboutToBeChanged();
    const auto key = [&](int i) -> const QString & { return column == 0 ? m_files[i].first : m_files[i].second; };
    // Stable: rows with the same reason keep their path order.
    std::stable_sort(m_order.begin(), m_order.end(), [&](int a, int b) {
        return order == Qt::AscendingOrder ? key(a) < key(b) : key(b) < key(a);
    });
    Q_EMIT layoutChanged();
}
