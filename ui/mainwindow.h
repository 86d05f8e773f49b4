#pragma once
// The Autoencoder Studio main window: a left dock with the dataset summary and the
// model/training form, central tabs (Loss, Reconstructions, Latent), a status bar with
// the training progress, and the File and Help menus.
//
// Ownership: owns its TrainingController (and through it the worker thread); closing the
// window mid-batch stops training and waits for the batch to end.
// Threads: GUI thread only. Failures (unreadable data, unusable options, a diverging loss)
// are reported in the status bar and a non-blocking message box; the window stays usable.

#include "modeloptions.h"
#include "trainingcontroller.h"
#include "trainoptions.h"

#include <QMainWindow>

class DatasetPanel;
class LossChart;
class QLabel;
class QProgressBar;
class QTabWidget;
class ReconstructionView;
class TrainingPanel;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads a folder or an IDX file (ignored while loading or training).
    void openDataset(const QString &path);
    // Sets the form; starts training as soon as a dataset is loaded when startWhenLoaded.
    void setOptions(const aes::ModelOptions &model, const aes::TrainOptions &train);
    void setStartWhenLoaded(bool start) { m_startWhenLoaded = start; }
    void startTraining();
    void showTab(int index);

    aes::TrainingController *controller() const { return m_controller; }
    DatasetPanel *datasetPanel() const { return m_datasetPanel; }
    TrainingPanel *trainingPanel() const { return m_trainingPanel; }
    LossChart *lossChart() const { return m_lossChart; }
    ReconstructionView *reconstructionView() const { return m_reconstructions; }

    enum Tab { LossTab = 0, ReconstructionsTab = 1, LatentTab = 2 };

private:
    void createMenus();
    void createDock();
    void createCentralTabs();
    void createStatusBar();
    void connectController();

    void openFolder();
    void openIdxFile();
    void showAbout();
    void onStateChanged(aes::TrainingController::State state);
    void onStepsReported(const QVector<QPointF> &losses, const aes::StepReport &latest);
    void onEpochReport(const aes::EpochReport &report);
    void onFinished(const aes::TrainOutcome &outcome);
    void showProblem(const QString &title, const QString &message);

    aes::TrainingController *m_controller = nullptr;
    DatasetPanel *m_datasetPanel = nullptr;
    TrainingPanel *m_trainingPanel = nullptr;
    LossChart *m_lossChart = nullptr;
    ReconstructionView *m_reconstructions = nullptr;
    QLabel *m_latentInfo = nullptr;
    QTabWidget *m_tabs = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_progressText = nullptr;

    QString m_pendingPath;          // the dataset being loaded
    aes::TrainOptions m_running;    // options of the current run, for progress and ETA
    QString m_lastEpochText;        // the newest epoch's validation metrics
    int m_latentSize = 0;
    bool m_startWhenLoaded = false;
};
