#pragma once
// The rows of the Anomalies tab's list: one scored image each, with its score, class, file,
// whether the threshold flags it, and its pictures (input, reconstruction, heatmap) once they
// have been asked for. Sorted by any column (the model keeps the order itself, so 10 000 rows
// sort at once and the view's row maps to an image in O(1)).
//
// Pictures are kept for the newest kCachedPictures images; picturesMissing() says which of a
// range of rows still need theirs, so only the visible rows are asked for.
//
// Ownership: a plain model; the view does not own it. Threads: GUI thread only.

#include "anomaly/anomalytypes.h"

#include <QAbstractTableModel>
#include <QCache>
#include <QPixmap>
#include <QVector>

class AnomalyListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { ImageColumn, ReconstructionColumn, HeatmapColumn, ScoreColumn, ClassColumn, FlaggedColumn,
                  FileColumn, ColumnCount };
    static constexpr int kCachedPictures = 2000;
    static constexpr int kThumbnailSide = 48;

    explicit AnomalyListModel(QObject *parent = nullptr);

    // New scores (the pictures of the old ones are forgotten); anomalous is per image (empty:
    // no groups). Sorted by score, highest first.
    void setScores(const aes::AnomalyScores &scores, const QVector<bool> &anomalous);
    void clear();
    void setThreshold(double threshold);
    void setPictures(const aes::AnomalyImage &pictures);

    // The image shown in a row, and the images of rows [first, last] without pictures.
    qint64 imageAt(int row) const { return row >= 0 && row < m_order.size() ? m_order[row] : -1; }
    QVector<qint64> picturesMissing(int first, int last) const;
    bool hasPictures(qint64 image) const { return m_pictures.contains(image); }
    const aes::AnomalyScores &scores() const { return m_scores; }
    // The file name as the list shows it: relative to the scored folder.
    QString relativeName(qint64 image) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

private:
    struct Pictures {
        QPixmap image, reconstruction, heatmap;
    };
    QString classText(qint64 image) const;
    bool isAnomalous(qint64 image) const;

    aes::AnomalyScores m_scores;
    QVector<bool> m_anomalous;
    QVector<qint64> m_order;           // row -> image
    double m_threshold = 0.0;
    QCache<qint64, Pictures> m_pictures{kCachedPictures};
};
