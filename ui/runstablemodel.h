#pragma once
// The Runs tab's table: one row per run of a folder with its options and the figures of the
// weights it keeps (early stopping's best epoch, else the last), a check box per run for the
// overlay chart, damaged runs greyed with their problem. kSortRole gives each cell's value
// to sort by (numbers as numbers; a missing figure sorts after every number).
//
// Ownership: holds copies of the runs. Threads: GUI thread. Failure: none; a damaged run is
// a row that says why it cannot be read.

#include "project/runlist.h"

#include <QAbstractTableModel>
#include <QSet>

class RunsTableModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Status, Model, Latent, Epochs, ValMse, Psnr, Ssim, Knn, Time, Modified, ColumnCount };
    static constexpr int kSortRole = Qt::UserRole + 1;

    explicit RunsTableModel(QObject *parent = nullptr);

    // Replaces the rows; runs ticked before (by directory) stay ticked.
    void setRuns(const QVector<aes::RunEntry> &runs);
    const QVector<aes::RunEntry> &runs() const { return m_runs; }
    const aes::RunEntry &run(int row) const { return m_runs.at(row); }
    int rowOf(const QString &dir) const;
    // The run that is current in the window (training or open), shown in bold; "" for none.
    void setCurrentRun(const QString &dir);

    // The overlay's runs, in table order; readable runs only can be ticked.
    QVector<aes::RunEntry> tickedRuns() const;
    void setTicked(int row, bool ticked);
    bool isTicked(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

Q_SIGNALS:
    void tickedChanged();

private:
    QVariant display(const aes::RunEntry &run, int column) const;
    QVariant sortValue(const aes::RunEntry &run, int column) const;
    QString tooltip(const aes::RunEntry &run) const;

    QVector<aes::RunEntry> m_runs;
    QSet<QString> m_ticked;        // directories
    QString m_current;
};
