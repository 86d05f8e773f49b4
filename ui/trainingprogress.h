#pragma once
// The status bar's progress: a bar over the steps of the run and a line with the epoch,
// the step, images per second and the estimated time left; also the load progress.
//
// Ownership: a plain widget (the status bar takes it). Threads: GUI thread only.

#include "controller/trainingcontroller.h"

#include <QWidget>

class QLabel;
class QProgressBar;

class TrainingProgress final : public QWidget {
    Q_OBJECT
public:
    explicit TrainingProgress(QWidget *parent = nullptr);

    void showLoading(qint64 done, qint64 total);
    // A run begins: busy until the first step says how many steps there are.
    void beginRun(const aes::RunInfo &run, int batchSize);
    void showStep(const aes::StepReport &step);
    void finish();
    QString text() const;

private:
    QLabel *m_text = nullptr;
    QProgressBar *m_bar = nullptr;
    aes::RunInfo m_run;
    int m_batchSize = 1;
};
