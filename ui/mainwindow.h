#pragma once
// The Autoencoder Studio main window: a left dock with the dataset panel and the model
// and training form, central tabs (Loss, Reconstructions, Metrics, Latent, Anomalies, Runs), a status bar
// with the training progress, File / Training / Help menus with shortcuts (Ctrl+O open,
// Ctrl+Return start, Space pause/resume, Esc stop, Ctrl+Q quit), drag and drop of a folder
// or an IDX file, recent datasets, and the options, dataset and layout kept in QSettings.
//
// Project files and Open model are a ProjectSession's, File > Export an ExportSession's; the
// window applies what they ask for and alone sets its title and view state.
//
// Ownership: owns its TrainingController (and through it the worker thread), its panels,
// tabs and both sessions; closing the window mid-batch stops training and waits for the
// batch to end, and cancels an export.
// Threads: GUI thread only. Failures (unreadable data, unusable options, a diverging loss)
// are reported in the status bar and a non-blocking message box; the window stays usable.

#include "model/modeloptions.h"
#include "controller/trainingcontroller.h"
#include "project/project.h"
#include "training/trainoptions.h"

#include <QMainWindow>

class AnomalyExplorer;
class DatasetPanel;
class ExportSession;
class LatentExplorer;
class LatentMap;
class LossChart;
class MetricsView;
class ProjectSession;
class QAction;
class QMessageBox;
class QTabWidget;
class RecentFiles;
class ReconstructionView;
class RunsPanel;
class SampleDatasets;
class SoundPlayer;
class TrainingPanel;
class TrainingProgress;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loads a folder or an IDX file with the dataset panel's load options (ignored while
    // loading or training).
    void openDataset(const QString &path);
    void reloadDataset();
    QString datasetPath() const { return m_datasetPath; }
    // Sets the form; starts training as soon as a dataset is loaded when startWhenLoaded.
    void setOptions(const aes::ModelOptions &model, const aes::TrainOptions &train);
    void setStartWhenLoaded(bool start) { m_startWhenLoaded = start; }
    // Start a new model, or continue the kept one (see TrainingPanel).
    void startTraining();
    void togglePause();
    void stopTraining();
    void newModel();
    void showTab(int index);
    // The window as shown with tab `index` current (for screenshots).
    QImage renderTab(int index);
    // The newest warning shown (a non-modal message box), or nullptr.
    QMessageBox *lastProblem() const { return m_lastProblem; }
    int currentTab() const;
    // Projects and Open model; File > Export (both owned by the window).
    ProjectSession *session() const { return m_session; }
    ExportSession *exportSession() const { return m_exports; }

    // The window's parts (owned by the window), for tests, benchmarks and the screenshot driver.
    aes::TrainingController *controller() const { return m_controller; }
    DatasetPanel *datasetPanel() const { return m_datasetPanel; }
    TrainingPanel *trainingPanel() const { return m_trainingPanel; }
    LossChart *lossChart() const { return m_lossChart; }
    ReconstructionView *reconstructionView() const { return m_reconstructions; }
    MetricsView *metricsView() const { return m_metrics; }
    LatentMap *latentMap() const { return m_latentMap; }
    LatentExplorer *latentExplorer() const { return m_latentExplorer; }
    AnomalyExplorer *anomalyExplorer() const { return m_anomalies; }
    RunsPanel *runsPanel() const { return m_runsPanel; }
    RecentFiles *recentDatasets() const { return m_recent; }
    SoundPlayer *soundPlayer() const { return m_player; }
    SampleDatasets *sampleDatasets() const { return m_samples; }

    enum Tab { LossTab = 0, ReconstructionsTab = 1, MetricsTab = 2, LatentTab = 3, AnomaliesTab = 4, RunsTab = 5, TabCount = 6 };
    static QString tabFileName(int index);  // "loss", "reconstructions", ...

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createMenus();
    void createDock();
    void createCentralTabs();
    void connectController();
    void connectSessions();
    void loadSettings();
    void saveSettings() const;

    void openFolder();
    void openIdxFile();
    void showAbout();
    void updateActions();
    void onDatasetLoaded(const aes::DatasetSummary &summary);
    void onLoadFailed(const QString &message, const aes::DatasetSummary &partial);
    void onTrainingStarted(const aes::RunInfo &run);
    void onStepsReported(const QVector<QPointF> &losses, const aes::StepReport &latest);
    void onEpochReport(const aes::EpochReport &report);
    void onFinished(const aes::TrainOutcome &outcome);
    void onProjectOpened(const aes::Project &project);
    // A warning in the status bar and a non-blocking message box.
    void showProblem(const QString &title, const QString &message);
    // The loss chart's validation points and the metrics of a model's earlier epochs.
    void showHistory(const QVector<aes::EpochReport> &history);
    // Project name, else dataset name, and the application's name.
    void updateTitle();
    // What a project keeps of the view (the tab), and applying it.
    aes::Project currentProject() const;
    void applyViewState(const QJsonObject &view);

    aes::TrainingController *m_controller = nullptr;
    DatasetPanel *m_datasetPanel = nullptr;
    TrainingPanel *m_trainingPanel = nullptr;
    LossChart *m_lossChart = nullptr;
    ReconstructionView *m_reconstructions = nullptr;
    MetricsView *m_metrics = nullptr;
    LatentMap *m_latentMap = nullptr;
    LatentExplorer *m_latentExplorer = nullptr;
    AnomalyExplorer *m_anomalies = nullptr;
    RunsPanel *m_runsPanel = nullptr;
    SoundPlayer *m_player = nullptr;          // plays spectrograms of audio data
    SampleDatasets *m_samples = nullptr;
    QTabWidget *m_tabs = nullptr;
    TrainingProgress *m_progress = nullptr;
    RecentFiles *m_recent = nullptr;
    QMessageBox *m_lastProblem = nullptr;
    ProjectSession *m_session = nullptr;
    ExportSession *m_exports = nullptr;

    QAction *m_openFolderAction = nullptr;
    QAction *m_openIdxAction = nullptr;
    QAction *m_reloadAction = nullptr;
    QAction *m_startAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_newModelAction = nullptr;

    QString m_pendingPath;          // the dataset being loaded
    QString m_datasetPath;          // the dataset loaded
    double m_lastLearningRate = 0;  // of the newest step
    QString m_lastEpochText;        // the newest epoch's validation metrics
    bool m_startWhenLoaded = false;
};
