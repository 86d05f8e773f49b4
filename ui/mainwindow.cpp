#include "mainwindow.h"

#include "anomalyexplorer.h"
#include "datamodeldock.h"
#include "datasetpanel.h"
#include "exportsession.h"
#include "latentexplorer.h"
#include "latentmap.h"
#include "losschart.h"
#include "metricsview.h"
#include "projectsession.h"
#include "recentfiles.h"
#include "reconstructionview.h"
#include "runspanel.h"
#include "sampledatasets.h"
#include "soundplayer.h"
#include "trainform.h"
#include "trainingpanel.h"
#include "trainingprogress.h"
#include "util/engineversions.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QJsonDocument>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

#include <algorithm>
#include <cmath>

using aes::TrainingController;

namespace {

QString statusText(aes::TrainStatus status)
{
    switch (status) {
    case aes::TrainStatus::Finished: return QObject::tr("Training finished");
    case aes::TrainStatus::Stopped: return QObject::tr("Training stopped");
    case aes::TrainStatus::Diverged: return QObject::tr("Training diverged");
    case aes::TrainStatus::Failed: return QObject::tr("Training failed");
    }
    return {};
}

// The first local file or folder among dropped URLs.
QString droppedPath(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls())
        return {};
    for (const QUrl &url : mime->urls())
        if (url.isLocalFile() && QFileInfo::exists(url.toLocalFile()))
            return url.toLocalFile();
    return {};
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Autoencoder Studio"));
    setAcceptDrops(true);
    m_controller = new TrainingController(this);
    m_player = new SoundPlayer(this);
    createCentralTabs();
    createDock();
    m_session = new ProjectSession(m_controller, [this] { return currentProject(); }, this, this);
    m_exports = new ExportSession(m_controller, m_session, m_lossChart, this, this);
    m_anomalies = new AnomalyExplorer(m_controller, m_session);  // scores the session's run directory
    m_anomalies->setObjectName(QStringLiteral("anomaliesPage"));
    m_tabs->addTab(m_anomalies, tr("Anomalies"));
    m_runsPanel = new RunsPanel(m_controller, m_session);  // the runs beside the session's run directory
    m_runsPanel->setObjectName(QStringLiteral("runsPage"));
    m_tabs->addTab(m_runsPanel, tr("Runs"));
    createMenus();
    m_progress = new TrainingProgress;
    m_progress->setContentsMargins(16, 0, 0, 0);  // a gap after a long message
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->showMessage(tr("Open a folder of images or an IDX file to begin (Ctrl+O), or drop one here"));
    connectController();
    connectSessions();
    resize(1280, 800);
    loadSettings();
    updateActions();
}

MainWindow::~MainWindow()
{
    // Stop the worker (waits for the current batch) before the widgets it reports to go away.
    delete m_controller;
    m_controller = nullptr;
}

QString MainWindow::tabFileName(int index)
{
    static const char *const kNames[TabCount] = {"loss", "reconstructions", "metrics", "latent", "anomalies", "runs"};
    return index >= 0 && index < TabCount ? QString::fromLatin1(kNames[index]) : QString();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    m_session->addProjectActions(file);
    file->addSeparator();
    m_openFolderAction = file->addAction(tr("Open &folder\u2026"), this, &MainWindow::openFolder);
    m_openFolderAction->setShortcut(QKeySequence::Open);
    m_openFolderAction->setStatusTip(tr("Load every image under a folder; its subfolders are the classes"));
    m_openIdxAction = file->addAction(tr("Open &IDX file\u2026"), this, &MainWindow::openIdxFile);
    m_openIdxAction->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    m_openIdxAction->setStatusTip(tr("Load an MNIST-format images file; its labels file is found beside it"));
    QMenu *recent = file->addMenu(tr("Open &recent"));
    m_recent = new RecentFiles(recent, QStringLiteral("recentDatasets"), tr("No recent datasets"), this);
    connect(m_recent, &RecentFiles::openRequested, this, &MainWindow::openDataset);
    m_reloadAction = file->addAction(tr("&Reload"), this, &MainWindow::reloadDataset);
    m_reloadAction->setShortcut(QKeySequence::Refresh);
    m_reloadAction->setStatusTip(tr("Load the dataset again with the load options"));
    file->addSeparator();
    m_session->addModelActions(file);
    m_exports->addActions(file);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setObjectName(QStringLiteral("quitAction"));
    quit->setShortcut(QKeySequence(tr("Ctrl+Q")));
    quit->setMenuRole(QAction::QuitRole);

    QMenu *training = menuBar()->addMenu(tr("&Training"));
    m_startAction = training->addAction(tr("&Start / Continue"), this, &MainWindow::startTraining);
    m_startAction->setObjectName(QStringLiteral("startAction"));
    m_startAction->setShortcuts({QKeySequence(tr("Ctrl+Return")), QKeySequence(tr("Ctrl+Enter"))});
    m_pauseAction = training->addAction(tr("&Pause / Resume"), this, &MainWindow::togglePause);
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_pauseAction->setShortcut(QKeySequence(Qt::Key_Space));
    m_stopAction = training->addAction(tr("S&top"), this, &MainWindow::stopTraining);
    m_stopAction->setObjectName(QStringLiteral("stopAction"));
    m_stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    training->addSeparator();
    m_newModelAction = training->addAction(tr("&New model"), this, &MainWindow::newModel);
    m_newModelAction->setObjectName(QStringLiteral("newModelAction"));
    m_newModelAction->setShortcut(QKeySequence::New);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    m_samples = new SampleDatasets(help->addMenu(tr("&Sample datasets")), this);
    connect(m_samples, &SampleDatasets::openRequested, this, &MainWindow::openDataset);
    connect(m_samples, &SampleDatasets::message, statusBar(), &QStatusBar::showMessage);
    connect(m_samples, &SampleDatasets::problem, this, &MainWindow::showProblem);
    help->addSeparator();
    help->addAction(tr("&About Autoencoder Studio"), this, &MainWindow::showAbout)->setMenuRole(QAction::AboutRole);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt)->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::createDock()
{
    auto *dock = new DataModelDock(this);
    m_datasetPanel = dock->datasetPanel();
    m_trainingPanel = dock->trainingPanel();
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    resizeDocks({dock}, {std::max(380, dock->minimumWidth())}, Qt::Horizontal);

    connect(m_datasetPanel, &DatasetPanel::reloadRequested, this, &MainWindow::reloadDataset);
    connect(m_trainingPanel, &TrainingPanel::startRequested, this, &MainWindow::startTraining);
    connect(m_trainingPanel, &TrainingPanel::pauseRequested, m_controller, &TrainingController::pause);
    connect(m_trainingPanel, &TrainingPanel::resumeRequested, m_controller, &TrainingController::resume);
    connect(m_trainingPanel, &TrainingPanel::stopRequested, this, &MainWindow::stopTraining);
    connect(m_trainingPanel, &TrainingPanel::newModelRequested, this, &MainWindow::newModel);
    connect(m_trainingPanel, &TrainingPanel::learningRateEdited, this, [this](double lr) {
        m_controller->setLearningRate(lr);
        statusBar()->showMessage(tr("Learning rate %1 from the next step").arg(lr), 4000);
    });
}

void MainWindow::createCentralTabs()
{
    m_lossChart = new LossChart;
    m_reconstructions = new ReconstructionView;
    m_metrics = new MetricsView;
    m_latentExplorer = new LatentExplorer(m_controller);
    m_latentExplorer->setObjectName(QStringLiteral("latentPage"));
    m_latentMap = m_latentExplorer->map();
    connect(m_latentExplorer, &LatentExplorer::openDatasetRequested, this, &MainWindow::openDataset);
    connect(m_latentExplorer, &LatentExplorer::message, this,
            [this](const QString &text, int timeoutMs) { statusBar()->showMessage(text, timeoutMs); });

    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_lossChart, tr("Loss"));
    m_tabs->addTab(m_reconstructions, tr("Reconstructions"));
    m_tabs->addTab(m_metrics, tr("Metrics"));
    m_tabs->addTab(m_latentExplorer, tr("Latent"));
    setCentralWidget(m_tabs);
}

void MainWindow::connectController()
{
    connect(m_controller, &TrainingController::stateChanged, this, &MainWindow::updateActions);
    connect(m_controller, &TrainingController::modelChanged, this, &MainWindow::updateActions);
    connect(m_controller, &TrainingController::loadProgress, m_progress, &TrainingProgress::showLoading);
    connect(m_controller, &TrainingController::datasetLoaded, this, &MainWindow::onDatasetLoaded);
    connect(m_controller, &TrainingController::loadFailed, this, &MainWindow::onLoadFailed);
    connect(m_controller, &TrainingController::trainingStarted, this, &MainWindow::onTrainingStarted);
    connect(m_controller, &TrainingController::stepsReported, this, &MainWindow::onStepsReported);
    connect(m_controller, &TrainingController::epochReport, this, &MainWindow::onEpochReport);
    connect(m_controller, &TrainingController::reconstructionsReady, m_reconstructions,
            &ReconstructionView::setSnapshot);
    connect(m_controller, &TrainingController::learningRateChanged, this, [this](qint64 step, double lr) {
        m_lossChart->addLearningRateChange(step, lr);
    });
    connect(m_controller, &TrainingController::failed, this,
            [this](const QString &message) { showProblem(tr("Training failed"), message); });
    connect(m_controller, &TrainingController::finished, this, &MainWindow::onFinished);

    connect(m_controller, &TrainingController::modelOpened, this, [this](const aes::OpenedModel &opened) {
        setOptions(opened.model, opened.train);
        showHistory(opened.history);
    });

    connect(m_player, &SoundPlayer::message, this, [this](const QString &text) { statusBar()->showMessage(text, 6000); });
    connect(m_player, &SoundPlayer::rendered, this, [this](const QString &what, double seconds, double ms) {
        statusBar()->showMessage(tr("Playing %1: %2 s of sound, made from its spectrogram in %3 ms")
                                     .arg(what).arg(seconds, 0, 'f', 2).arg(ms, 0, 'f', 0), 6000);
    });

    // The Latent tab (LatentExplorer) wires itself to the controller.
}

void MainWindow::connectSessions()
{
    const auto showMessage = [this](const QString &text, int timeoutMs) { statusBar()->showMessage(text, timeoutMs); };
    connect(m_session, &ProjectSession::message, this, showMessage);
    connect(m_session, &ProjectSession::problem, this, &MainWindow::showProblem);
    connect(m_session, &ProjectSession::projectChanged, this, &MainWindow::updateTitle);
    connect(m_session, &ProjectSession::projectOpened, this, &MainWindow::onProjectOpened);
    connect(m_session, &ProjectSession::viewRestored, this, &MainWindow::applyViewState);
    connect(m_session, &ProjectSession::newProjectStarted, this, &MainWindow::newModel);
    connect(m_exports, &ExportSession::message, this, showMessage);
    connect(m_exports, &ExportSession::problem, this, &MainWindow::showProblem);
    connect(m_anomalies, &AnomalyExplorer::message, this, showMessage);
    connect(m_anomalies, &AnomalyExplorer::problem, this, &MainWindow::showProblem);
    connect(m_runsPanel, &RunsPanel::message, this, showMessage);
    connect(m_runsPanel, &RunsPanel::problem, this, &MainWindow::showProblem);
}

void MainWindow::onProjectOpened(const aes::Project &project)
{
    m_datasetPanel->setLoadOptions(project.load);
    setOptions(project.model, project.train);
    if (!project.datasetPath.isEmpty())
        openDataset(project.datasetPath);
}

aes::Project MainWindow::currentProject() const
{
    aes::Project p;
    p.datasetPath = m_datasetPath;
    p.load = m_datasetPanel->loadOptions();
    p.model = m_trainingPanel->modelOptions();
    p.train = m_trainingPanel->trainOptions();
    p.train.valFraction = m_datasetPanel->validationFraction();
    p.view = QJsonObject{{QStringLiteral("tab"), currentTab()}, {QStringLiteral("anomalies"), m_anomalies->viewState()}};
    return p;
}

void MainWindow::applyViewState(const QJsonObject &view)
{
    m_anomalies->applyViewState(view.value(QStringLiteral("anomalies")).toObject());
    const int tab = view.value(QStringLiteral("tab")).toInt(-1);
    if (tab >= 0 && tab < TabCount)
        showTab(tab);
}

void MainWindow::updateTitle()
{
    const QString project = m_session->projectPath();
    const QString shown = !project.isEmpty() ? project : m_datasetPath;
    setWindowTitle(shown.isEmpty() ? tr("Autoencoder Studio")
                                   : tr("%1 \u2013 Autoencoder Studio").arg(QFileInfo(shown).fileName()));
}

void MainWindow::openDataset(const QString &path)
{
    if (path.isEmpty())
        return;
    if (m_controller->state() != TrainingController::State::Idle) {
        statusBar()->showMessage(tr("Stop training before opening another dataset"), 5000);
        return;
    }
    m_pendingPath = path;
    m_datasetPanel->showLoading(path);
    statusBar()->showMessage(tr("Loading %1\u2026").arg(path));
    m_controller->loadDataset(path, m_datasetPanel->loadOptions());
}

void MainWindow::reloadDataset()
{
    openDataset(m_datasetPath.isEmpty() ? m_pendingPath : m_datasetPath);
}

void MainWindow::openFolder()
{
    const QString start = m_datasetPath.isEmpty() ? QString() : QFileInfo(m_datasetPath).absolutePath();
    openDataset(QFileDialog::getExistingDirectory(this, tr("Open a folder of images"), start));
}

void MainWindow::openIdxFile()
{
    openDataset(QFileDialog::getOpenFileName(
        this, tr("Open an IDX images file"), QStringLiteral("/usr/share/datasets"),
        tr("IDX image files (*idx3-ubyte *idx3-ubyte.gz *.idx *.idx.gz);;All files (*)")));
}

void MainWindow::setOptions(const aes::ModelOptions &model, const aes::TrainOptions &train)
{
    m_trainingPanel->setOptions(model, train);
    m_datasetPanel->setValidationFraction(train.valFraction);
}

void MainWindow::startTraining()
{
    if (m_controller->state() != TrainingController::State::Idle || !m_controller->hasDataset())
        return;
    if (const QString problem = m_trainingPanel->problem(); !problem.isEmpty()) {
        showProblem(tr("Cannot start"), problem);
        return;
    }
    const aes::TrainOptions form = m_trainingPanel->trainOptions();
    if (m_controller->hasModel()) {
        // Epochs is the total the model is trained to; a model that has it already gets that many more.
        const int done = m_controller->epochsCompleted();
        const int total = form.epochs > done ? form.epochs : done + form.epochs;
        m_controller->continueTraining(total, form.learningRate);
        return;
    }
    aes::TrainOptions train = form;
    train.valFraction = m_datasetPanel->validationFraction();
    m_session->prepareNewRun();  // the fresh model's checkpoint goes to a run directory of its own
    if (!m_controller->start(m_trainingPanel->modelOptions(), train))
        return;
    m_lastEpochText.clear();
    m_lossChart->clear();
    m_lossChart->setInitialLearningRate(train.learningRate);
    m_metrics->clear();
    m_reconstructions->clear();
}

void MainWindow::togglePause()
{
    if (m_controller->state() == TrainingController::State::Paused)
        m_controller->resume();
    else
        m_controller->pause();
}

void MainWindow::stopTraining()
{
    m_controller->stop();
}

void MainWindow::newModel()
{
    if (!m_controller->newModel())
        return;
    m_lossChart->clear();
    m_metrics->clear();
    m_reconstructions->clear();
    m_lastEpochText.clear();
    statusBar()->showMessage(tr("The next Start trains a new model from fresh weights"), 5000);
}

void MainWindow::showTab(int index)
{
    m_tabs->setCurrentIndex(index);
}

QImage MainWindow::renderTab(int index)
{
    showTab(index);
    return grab().toImage();
}

void MainWindow::updateActions()
{
    const TrainingController::State state = m_controller->state();
    const bool idle = state == TrainingController::State::Idle;
    const bool running = state == TrainingController::State::Training || state == TrainingController::State::Paused;
    m_trainingPanel->setState(state, m_controller->hasDataset(), m_controller->hasModel());
    m_datasetPanel->setReloadEnabled(idle && !(m_datasetPath.isEmpty() && m_pendingPath.isEmpty()));
    m_openFolderAction->setEnabled(idle);
    m_openIdxAction->setEnabled(idle);
    m_reloadAction->setEnabled(idle && !(m_datasetPath.isEmpty() && m_pendingPath.isEmpty()));
    m_startAction->setEnabled(idle && m_controller->hasDataset());
    m_startAction->setText(m_controller->hasModel() ? tr("&Continue") : tr("&Start"));
    m_pauseAction->setEnabled(running);
    m_pauseAction->setText(state == TrainingController::State::Paused ? tr("&Resume") : tr("&Pause"));
    m_stopAction->setEnabled(running || state == TrainingController::State::Loading);
    m_newModelAction->setEnabled(idle && m_controller->hasModel());
    if (state == TrainingController::State::Paused)
        statusBar()->showMessage(tr("Paused: Resume (Space) to go on, or Stop (Esc) to keep the model as it is"));
    else if (state == TrainingController::State::Stopping)
        statusBar()->showMessage(tr("Stopping after the current batch\u2026"));
}

void MainWindow::onDatasetLoaded(const aes::DatasetSummary &summary)
{
    m_datasetPath = m_pendingPath.isEmpty() ? summary.source : m_pendingPath;
    m_recent->add(m_datasetPath);
    QSettings().setValue(QStringLiteral("dataset/last"), m_datasetPath);  // for the next start without DATA
    m_datasetPanel->showSummary(summary);
    m_trainingPanel->trainForm()->setAugmentPreview(summary.samples, summary.augmentedSamples);
    m_trainingPanel->setDataShape({summary.channels, summary.height, summary.width,
                                   summary.count - aes::validationCount(summary.count, m_datasetPanel->validationFraction())});
    m_progress->finish();
    m_lossChart->clear();
    m_metrics->clear();
    m_reconstructions->clear();
    const std::optional<aes::AudioOptions> audio =
        summary.audio ? std::optional<aes::AudioOptions>(summary.audioOptions) : std::nullopt;
    m_reconstructions->setAudio(audio, m_player);
    m_latentExplorer->setAudio(audio, m_player);
    statusBar()->showMessage(summary.seconds >= 0.05
                                 ? tr("%1: %2 in %3 s").arg(summary.source, summary.report).arg(summary.seconds, 0, 'f', 1)
                                 : tr("%1: %2").arg(summary.source, summary.report));
    updateTitle();
    updateActions();
    if (m_startWhenLoaded) {
        m_startWhenLoaded = false;
        startTraining();
    }
}

void MainWindow::onLoadFailed(const QString &message, const aes::DatasetSummary &partial)
{
    m_datasetPanel->showFailure(m_pendingPath, message, partial);
    m_progress->finish();
    m_startWhenLoaded = false;
    QString text = tr("Cannot open %1\n\n%2").arg(QDir::toNativeSeparators(m_pendingPath), message);
    if (!partial.skipped.isEmpty())
        text += tr("\n\nThe dataset panel's Details button lists every file and why it was skipped.");
    showProblem(tr("Cannot open the dataset"), text);
    updateActions();
}

void MainWindow::onTrainingStarted(const aes::RunInfo &run)
{
    m_progress->beginRun(run, m_controller->trainOptions().batchSize);
    // Short: the progress readout takes the right of the status bar while training.
    const QString data = tr("%1 + %2 images, %3 parameters")
                             .arg(QLocale().toString(run.trainImages), QLocale().toString(run.valImages),
                                  QLocale().toString(run.parameters));
    statusBar()->showMessage(run.continued
                                 ? tr("Continuing to epoch %1 \u00b7 %2").arg(run.totalEpochs).arg(data)
                                 : tr("Training %1 epochs \u00b7 %2").arg(run.totalEpochs).arg(data));
}

void MainWindow::onStepsReported(const QVector<QPointF> &losses, const aes::StepReport &latest)
{
    m_lossChart->addSteps(losses);
    m_lossChart->addLearningRate(latest.globalStep, latest.learningRate);
    m_progress->showStep(latest);
    m_lastLearningRate = latest.learningRate;
}

void MainWindow::onEpochReport(const aes::EpochReport &report)
{
    m_lossChart->addValidation(report.epoch, report.valLoss);
    m_metrics->addEpoch(report);
    QString text = tr("Epoch %1: training loss %2, validation loss %3, PSNR %4 dB, SSIM %5")
                       .arg(report.epoch).arg(report.trainLoss, 0, 'g', 4).arg(report.valLoss, 0, 'g', 4)
                       .arg(report.valPsnr, 0, 'f', 2).arg(report.valSsim, 0, 'f', 3);
    if (std::isfinite(report.knnAccuracy))
        text += tr(", kNN accuracy %1%").arg(report.knnAccuracy * 100.0, 0, 'f', 1);
    statusBar()->showMessage(text);
    m_lastEpochText = tr("validation loss %1, PSNR %2 dB").arg(report.valLoss, 0, 'g', 4).arg(report.valPsnr, 0, 'f', 2);
}

void MainWindow::onFinished(const aes::TrainOutcome &outcome)
{
    m_progress->finish();
    QString text = tr("%1: %2").arg(statusText(outcome.status), outcome.message);
    if (!m_lastEpochText.isEmpty())
        text += tr(" \u2013 %1").arg(m_lastEpochText);
    if (outcome.status == aes::TrainStatus::Stopped || outcome.status == aes::TrainStatus::Finished)
        text += tr(" \u2013 Continue (Ctrl+Return) goes on from here");
    statusBar()->showMessage(text);
    if (outcome.status == aes::TrainStatus::Diverged) {
        // Suggest, and pre-fill, a lower rate; Continue goes on from the restored weights.
        const double lr = m_lastLearningRate > 0 ? m_lastLearningRate : m_trainingPanel->trainOptions().learningRate;
        const double lower = lr / 4.0;
        m_trainingPanel->setLearningRate(lower);
        showProblem(statusText(outcome.status),
                    tr("%1\n\nThe learning rate field now holds %2, a quarter of %3. Press Continue to go on "
                       "from the restored weights with it, or New model to start again.")
                        .arg(outcome.message).arg(lower, 0, 'g', 3).arg(lr, 0, 'g', 3));
    }
}

void MainWindow::showProblem(const QString &title, const QString &message)
{
    statusBar()->showMessage(title);
    // Non-blocking: training and tests go on while the message is shown.
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    m_lastProblem = box;
    connect(box, &QObject::destroyed, this, [this, box] {
        if (m_lastProblem == box)
            m_lastProblem = nullptr;
    });
    box->open();
}

int MainWindow::currentTab() const
{
    return m_tabs->currentIndex();
}

void MainWindow::showHistory(const QVector<aes::EpochReport> &history)
{
    m_lossChart->clear();
    m_metrics->clear();
    m_reconstructions->clear();
    m_lastEpochText.clear();
    for (const aes::EpochReport &report : history) {
        m_lossChart->addValidation(report.epoch, report.valLoss);
        m_metrics->addEpoch(report);
    }
}

void MainWindow::showAbout()
{
    const aes::EngineVersions versions = aes::engineVersions();
    QMessageBox::about(this, tr("About Autoencoder Studio"),
                       tr("<h3>Autoencoder Studio %1</h3>"
                          "<p>Train autoencoders on your own images and watch them learn.</p>"
                          "<p>Qt %2<br>LibTorch %3<br>OpenCV %4</p>")
                           .arg(QStringLiteral(AES_VERSION), versions.qt, versions.torch, versions.opencv));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    // The worker stops after the current batch, an export at its next step; the
    // destructors wait for them.
    m_controller->stop();
    m_exports->cancelExport();
    m_anomalies->cancel();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedPath(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString path = droppedPath(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    openDataset(path);
}

// Options, load options, view toggles and the window layout, in the user's QSettings.
void MainWindow::loadSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    QString error;
    const auto model = aes::ModelOptions::fromJson(
        QJsonDocument::fromJson(settings.value(QStringLiteral("options/model")).toByteArray()).object(), &error);
    const auto train = aes::TrainOptions::fromJson(
        QJsonDocument::fromJson(settings.value(QStringLiteral("options/train")).toByteArray()).object(), &error);
    if (model && train)
        setOptions(*model, *train);
    // Which of them follow the data; every one when the settings do not say.
    const QJsonObject automatic = QJsonDocument::fromJson(settings.value(QStringLiteral("options/automatic")).toByteArray()).object();
    m_trainingPanel->setAutomatic(automatic.isEmpty() ? aes::AutoOptions() : aes::autoOptionsFromJson(automatic));
    const auto load = aes::LoadOptions::fromJson(
        QJsonDocument::fromJson(settings.value(QStringLiteral("options/load")).toByteArray()).object(), &error);
    m_datasetPanel->setLoadOptions(load.value_or(aes::LoadOptions{}));
    m_datasetPanel->setCacheEnabled(settings.value(QStringLiteral("dataset/cache"), true).toBool());
    m_lossChart->setLogScale(settings.value(QStringLiteral("view/logScale"), false).toBool());
    m_reconstructions->setShowError(settings.value(QStringLiteral("view/showError"), false).toBool());
    m_latentMap->setPointCap(settings.value(QStringLiteral("view/mapPoints"), m_latentMap->pointCap()).toLongLong());
    m_tabs->setCurrentIndex(std::clamp(settings.value(QStringLiteral("view/tab"), 0).toInt(), 0, TabCount - 1));
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    aes::TrainOptions train = m_trainingPanel->trainOptions();
    train.valFraction = m_datasetPanel->validationFraction();
    settings.setValue(QStringLiteral("options/model"),
                      QJsonDocument(m_trainingPanel->modelOptions().toJson()).toJson(QJsonDocument::Compact));
    settings.setValue(QStringLiteral("options/train"), QJsonDocument(train.toJson()).toJson(QJsonDocument::Compact));
    settings.setValue(QStringLiteral("options/automatic"),
                      QJsonDocument(aes::toJson(m_trainingPanel->automatic())).toJson(QJsonDocument::Compact));
    settings.setValue(QStringLiteral("options/load"),
                      QJsonDocument(m_datasetPanel->loadOptions().toJson()).toJson(QJsonDocument::Compact));
    if (!m_datasetPath.isEmpty())
        settings.setValue(QStringLiteral("dataset/last"), m_datasetPath);
    settings.setValue(QStringLiteral("dataset/cache"), m_datasetPanel->cacheEnabled());
    settings.setValue(QStringLiteral("view/logScale"), m_lossChart->isLogScale());
    settings.setValue(QStringLiteral("view/showError"), m_reconstructions->showsError());
    settings.setValue(QStringLiteral("view/mapPoints"), m_latentMap->pointCap());
    settings.setValue(QStringLiteral("view/tab"), m_tabs->currentIndex());
}
