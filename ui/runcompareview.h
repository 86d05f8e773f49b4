#pragma once
// The Runs tab's side-by-side comparison of two runs: the same images as each run reconstructs
// them, in rows "input | A | B | error difference", with each image's MSE under A and B and
// their difference (green where A reconstructs better, red where B does). The difference map
// colours each pixel the same way: green where A's reconstruction is closer to the input,
// red where B's is. Small images are enlarged by whole factors (crisp), rows flow into as many
// columns as the width holds.
//
// Ownership: a widget; holds a copy of the comparison. Threads: GUI thread. Failure: an
// error or a cancelled comparison is shown as text in place of the rows.

#include "project/runcompare.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QScrollArea;
class CompareRows;

class RunCompareView final : public QWidget {
    Q_OBJECT
public:
    explicit RunCompareView(QWidget *parent = nullptr);

    // Before a comparison's answer: the two names and a progress bar with Cancel.
    void showRunning(const QString &nameA, const QString &nameB);
    void showProgress(const QString &step, qint64 done, qint64 total);
    void setComparison(const aes::RunComparison &comparison, const QString &nameA, const QString &nameB);
    void clear();
    const aes::RunComparison &comparison() const { return m_comparison; }
    QString summaryText() const;

    // aes::differenceMap: white where equal, green where a is closer to the input, red where b is.
    static QImage differenceMap(const QImage &input, const QImage &a, const QImage &b);

Q_SIGNALS:
    void cancelRequested();

private:
    QLabel *m_summary = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancel = nullptr;
    QScrollArea *m_scroll = nullptr;
    CompareRows *m_rows = nullptr;
    aes::RunComparison m_comparison;
};
