#include "anomalylistmodel.h"

#include "anomalyexport.h"

#include <QFont>

#include <algorithm>
#include <numeric>

namespace {

// Small images are enlarged without blurring, large ones shrunk smoothly.
QPixmap thumbnail(const QImage &image)
{
    if (image.isNull())
        return {};
    const int side = AnomalyListModel::kThumbnailSide;
    const bool small = image.width() <= side && image.height() <= side;
    return QPixmap::fromImage(image.scaled(side, side, Qt::KeepAspectRatio,
                                           small ? Qt::FastTransformation : Qt::SmoothTransformation));
}

} // namespace

AnomalyListModel::AnomalyListModel(QObject *parent) : QAbstractTableModel(parent) {}

void AnomalyListModel::setScores(const aes::AnomalyScores &scores, const QVector<bool> &anomalous)
{
    beginResetModel();
    m_scores = scores;
    m_anomalous = anomalous;
    m_pictures.clear();
    m_order.resize(scores.scores.size());
    std::iota(m_order.begin(), m_order.end(), qint64(0));
    endResetModel();
    sort(ScoreColumn, Qt::DescendingOrder);
}

void AnomalyListModel::clear()
{
    setScores({}, {});
}

void AnomalyListModel::setThreshold(double threshold)
{
    m_threshold = threshold;
    if (!m_order.isEmpty())
        Q_EMIT dataChanged(index(0, FlaggedColumn), index(int(m_order.size()) - 1, FlaggedColumn));
}

void AnomalyListModel::setPictures(const aes::AnomalyImage &pictures)
{
    if (pictures.row < 0 || pictures.row >= m_scores.size())
        return;
    m_pictures.insert(pictures.row, new Pictures{thumbnail(pictures.image), thumbnail(pictures.reconstruction),
                                                 thumbnail(pictures.heatmap)});
    const int row = int(std::find(m_order.begin(), m_order.end(), pictures.row) - m_order.begin());
    Q_EMIT dataChanged(index(row, ImageColumn), index(row, HeatmapColumn), {Qt::DecorationRole});
}

QVector<qint64> AnomalyListModel::picturesMissing(int first, int last) const
{
    QVector<qint64> missing;
    for (int row = std::max(0, first); row <= last && row < m_order.size(); ++row) {
        if (!m_pictures.contains(m_order[row]))
            missing << m_order[row];
    }
    return missing;
}

QString AnomalyListModel::relativeName(qint64 image) const
{
    return anomalyRelativeName(m_scores, image);
}

bool AnomalyListModel::isAnomalous(qint64 image) const
{
    return image >= 0 && image < m_anomalous.size() && m_anomalous[int(image)];
}

QString AnomalyListModel::classText(qint64 image) const
{
    return aes::labelText(m_scores.classNames, m_scores.labels.value(int(image), -1));
}

int AnomalyListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_order.size());
}

int AnomalyListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AnomalyListModel::data(const QModelIndex &index, int role) const
{
    const qint64 image = imageAt(index.row());
    if (image < 0)
        return {};
    const double score = m_scores.scores[int(image)];
    const bool flagged = score >= m_threshold;
    switch (role) {
    case Qt::DecorationRole:
        if (const Pictures *p = m_pictures.object(image)) {
            switch (index.column()) {
            case ImageColumn: return p->image;
            case ReconstructionColumn: return p->reconstruction;
            case HeatmapColumn: return p->heatmap;
            default: break;
            }
        }
        return {};
    case Qt::DisplayRole:
        switch (index.column()) {
        case ScoreColumn: return QString::number(score, 'g', 5);
        case ClassColumn: return classText(image);
        case FlaggedColumn: return flagged ? tr("flagged") : QString();
        case FileColumn: return relativeName(image);
        default: return {};
        }
    case Qt::ToolTipRole:
        switch (index.column()) {
        case ImageColumn: return tr("The image as the model sees it");
        case ReconstructionColumn: return tr("The model's reconstruction");
        case HeatmapColumn: return tr("Where the reconstruction is worst (smoothed error over the image)");
        case ClassColumn:
            return isAnomalous(image) ? tr("An anomalous class (not one of the normal classes)") : tr("A normal class");
        default: return m_scores.paths.value(int(image));
        }
    case Qt::ForegroundRole:
        if (index.column() == FlaggedColumn || index.column() == ScoreColumn)
            return flagged ? QColor(190, 30, 45) : QVariant();
        if (index.column() == ClassColumn && isAnomalous(image))
            return QColor(190, 30, 45);  // the histogram's anomalous colour
        return {};
    case Qt::FontRole:
        if (index.column() == ClassColumn && isAnomalous(image)) {
            QFont font;
            font.setItalic(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == ScoreColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    default:
        return {};
    }
}

QVariant AnomalyListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case ImageColumn: return tr("Input");
    case ReconstructionColumn: return tr("Output");
    case HeatmapColumn: return tr("Heatmap");
    case ScoreColumn: return tr("Score");
    case ClassColumn: return tr("Class");
    case FlaggedColumn: return tr("Verdict");
    case FileColumn: return tr("File");
    default: return {};
    }
}

void AnomalyListModel::sort(int column, Qt::SortOrder order)
{
    if (m_order.isEmpty())
        return;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    QVector<qint64> images;
    for (const QModelIndex &i : before)
        images << imageAt(i.row());
    const auto &s = m_scores.scores;
    // Pictures sort by score too: the list's point is the most anomalous first.
    const auto less = [&](qint64 a, qint64 b) {
        switch (column) {
        case ClassColumn: return classText(a) < classText(b);
        case FileColumn: return m_scores.paths[int(a)] < m_scores.paths[int(b)];
        default: return s[int(a)] < s[int(b)];
        }
    };
    std::stable_sort(m_order.begin(), m_order.end(), [&](qint64 a, qint64 b) {
        return order == Qt::AscendingOrder ? less(a, b) : less(b, a);
    });
    QVector<int> rowOf(int(m_order.size()));
    for (int row = 0; row < m_order.size(); ++row)
        rowOf[int(m_order[row])] = row;
    QModelIndexList after;
    for (int k = 0; k < before.size(); ++k)
        after << (images[k] >= 0 ? index(rowOf[int(images[k])], before[k].column()) : QModelIndex());
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}
