#include "mainwindow.h"

#include "datasetpanel.h"
#include "losschart.h"
#include "reconstructionview.h"
#include "trainingpanel.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using aes::TrainingController;

namespace {

QString duration(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 1e7)
        return QStringLiteral("\u2013");
    const qint64 s = qint64(seconds + 0.5);
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0')).arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

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

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Autoencoder Studio"));
    m_controller = new TrainingController(this);
    createCentralTabs();
    createDock();
    createMenus();
    createStatusBar();
    connectController();
    onStateChanged(TrainingController::State::Idle);
    resize(1280, 800);
}

MainWindow::~MainWindow()
{
    // Stop the worker (waits for the current batch) before the widgets it reports to go away.
    delete m_controller;
    m_controller = nullptr;
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openFolder = file->addAction(tr("Open &folder\u2026"), this, &MainWindow::openFolder);
    openFolder->setShortcut(QKeySequence::Open);
    openFolder->setStatusTip(tr("Load every image under a folder; its subfolders are the classes"));
    QAction *openIdx = file->addAction(tr("Open &IDX file\u2026"), this, &MainWindow::openIdxFile);
    openIdx->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    openIdx->setStatusTip(tr("Load an MNIST-format images file; its labels file is found beside it"));
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Autoencoder Studio"), this, &MainWindow::showAbout);
}

void MainWindow::createDock()
{
    m_datasetPanel = new DatasetPanel;
    m_trainingPanel = new TrainingPanel;
    auto *datasetBox = new QGroupBox(tr("Dataset"));
    (new QVBoxLayout(datasetBox))->addWidget(m_datasetPanel);
    auto *trainingBox = new QGroupBox(tr("Model and training"));
    (new QVBoxLayout(trainingBox))->addWidget(m_trainingPanel);

    auto *content = new QWidget;
    auto *layout = new QVBoxLayout(content);
    layout->addWidget(datasetBox);
    layout->addWidget(trainingBox);
    layout->addStretch(1);

    auto *scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    auto *dock = new QDockWidget(tr("Data and model"), this);
    dock->setObjectName(QStringLiteral("dataAndModelDock"));
    // Movable, but not closable: there is no other way to start training.
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    dock->setWidget(scroll);
    // Wide enough for the form and the sample strip without a horizontal scroll bar.
    dock->setMinimumWidth(content->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    resizeDocks({dock}, {std::max(380, dock->minimumWidth())}, Qt::Horizontal);

    connect(m_trainingPanel, &TrainingPanel::startRequested, this, &MainWindow::startTraining);
    connect(m_trainingPanel, &TrainingPanel::pauseRequested, m_controller, &TrainingController::pause);
    connect(m_trainingPanel, &TrainingPanel::resumeRequested, m_controller, &TrainingController::resume);
    connect(m_trainingPanel, &TrainingPanel::stopRequested, m_controller, &TrainingController::stop);
    connect(m_trainingPanel, &TrainingPanel::learningRateEdited, this, [this](double lr) {
        m_controller->setLearningRate(lr);
        statusBar()->showMessage(tr("Learning rate set to %1 from the next step").arg(lr), 4000);
    });
}

void MainWindow::createCentralTabs()
{
    m_lossChart = new LossChart;
    m_reconstructions = new ReconstructionView;
    m_latentInfo = new QLabel;
    m_latentInfo->setAlignment(Qt::AlignCenter);
    m_latentInfo->setWordWrap(true);
    m_latentInfo->setMaximumWidth(640);  // lines a reader can follow
    m_latentInfo->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    auto *latentPage = new QWidget;
    auto *latentLayout = new QHBoxLayout(latentPage);
    latentLayout->addStretch(1);
    latentLayout->addWidget(m_latentInfo, 4);
    latentLayout->addStretch(1);
    m_latentInfo->setTextFormat(Qt::RichText);
    m_latentInfo->setText(tr(
        "<h3>Latent space</h3>"
        "<p>Every image is compressed to a short code, its point in the model's latent space.</p>"
        "<p>The latent explorer will draw the codes of all images projected to two dimensions, "
        "coloured by class, so you can see which classes the model keeps apart and which it "
        "confuses; hovering a point will show its image, and a point anywhere in the plane can "
        "be decoded back into a new image.</p>"
        "<p style='color:gray'>It needs a trained model: train one first, then look here.</p>"));

    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_lossChart, tr("Loss"));
    m_tabs->addTab(m_reconstructions, tr("Reconstructions"));
    m_tabs->addTab(latentPage, tr("Latent"));
    setCentralWidget(m_tabs);
}

void MainWindow::createStatusBar()
{
    m_progressText = new QLabel;
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_progress->setVisible(false);
    statusBar()->addPermanentWidget(m_progressText);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->showMessage(tr("Open a folder of images or an IDX file to begin"));
}

void MainWindow::connectController()
{
    connect(m_controller, &TrainingController::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_controller, &TrainingController::loadProgress, this, [this](qint64 done, qint64 total) {
        m_progress->setVisible(true);
        m_progress->setRange(0, int(std::min<qint64>(total, 1 << 30)));
        m_progress->setValue(int(std::min<qint64>(done, 1 << 30)));
        m_progress->setFormat(QStringLiteral("%p%"));
        m_progressText->setText(tr("Loading %1 of %2").arg(QLocale().toString(done), QLocale().toString(total)));
    });
    connect(m_controller, &TrainingController::datasetLoaded, this, [this](const aes::DatasetSummary &summary) {
        m_datasetPanel->showSummary(summary);
        m_progress->setVisible(false);
        m_progressText->clear();
        statusBar()->showMessage(summary.seconds >= 0.05
                                     ? tr("%1: %2 in %3 s").arg(summary.source, summary.report).arg(summary.seconds, 0, 'f', 1)
                                     : tr("%1: %2").arg(summary.source, summary.report));
        setWindowTitle(tr("%1 \u2013 Autoencoder Studio").arg(QFileInfo(summary.source).fileName()));
        onStateChanged(m_controller->state());
        if (m_startWhenLoaded) {
            m_startWhenLoaded = false;
            startTraining();
        }
    });
    connect(m_controller, &TrainingController::loadFailed, this, [this](const QString &message) {
        m_datasetPanel->showFailure(m_pendingPath, message);
        m_progress->setVisible(false);
        m_progressText->clear();
        m_startWhenLoaded = false;
        showProblem(tr("Cannot open the dataset"), tr("%1\n\n%2").arg(m_pendingPath, message));
    });
    connect(m_controller, &TrainingController::trainingStarted, this,
            [this](qint64 trainImages, qint64 valImages, qint64 parameters) {
                statusBar()->showMessage(tr("Training on %1 images, validating on %2; the model has %3 parameters")
                                             .arg(QLocale().toString(trainImages), QLocale().toString(valImages),
                                                  QLocale().toString(parameters)));
            });
    connect(m_controller, &TrainingController::stepsReported, this, &MainWindow::onStepsReported);
    connect(m_controller, &TrainingController::epochReport, this, &MainWindow::onEpochReport);
    connect(m_controller, &TrainingController::reconstructionsReady, m_reconstructions,
            &ReconstructionView::setSnapshot);
    connect(m_controller, &TrainingController::failed, this,
            [this](const QString &message) { showProblem(tr("Training failed"), message); });
    connect(m_controller, &TrainingController::finished, this, &MainWindow::onFinished);
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
    m_controller->loadDataset(path);
}

void MainWindow::openFolder()
{
    openDataset(QFileDialog::getExistingDirectory(this, tr("Open a folder of images")));
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
}

void MainWindow::startTraining()
{
    const aes::ModelOptions model = m_trainingPanel->modelOptions();
    const aes::TrainOptions train = m_trainingPanel->trainOptions();
    if (!m_controller->start(model, train))
        return;
    m_running = train;
    m_lastEpochText.clear();
    m_latentSize = model.latent;
    m_lossChart->clear();
    m_reconstructions->clear();
    m_progress->setVisible(true);
    m_progress->setRange(0, 0);  // busy until the first step tells how many there are
    m_progressText->setText(tr("Preparing the model\u2026"));
}

void MainWindow::showTab(int index)
{
    m_tabs->setCurrentIndex(index);
}

void MainWindow::onStateChanged(TrainingController::State state)
{
    m_trainingPanel->setState(state, m_controller->hasDataset());
    if (state == TrainingController::State::Paused)
        statusBar()->showMessage(tr("Paused: Resume to continue, or Stop to keep the model as it is"));
    else if (state == TrainingController::State::Stopping)
        statusBar()->showMessage(tr("Stopping after the current batch\u2026"));
}

void MainWindow::onStepsReported(const QVector<QPointF> &losses, const aes::StepReport &latest)
{
    m_lossChart->addSteps(losses);
    const qint64 perEpoch = std::max<qint64>(1, latest.stepsPerEpoch);
    const qint64 total = perEpoch * m_running.epochs;
    const qint64 done = (latest.epoch - 1) * perEpoch + latest.stepInEpoch;
    m_progress->setRange(0, int(std::min<qint64>(total, 1 << 30)));
    m_progress->setValue(int(std::min<qint64>(done, 1 << 30)));
    m_progress->setFormat(QStringLiteral("%p%"));
    // Validation passes are not counted: the estimate is a little short, then catches up.
    const double secondsPerStep = latest.imagesPerSecond > 0 ? double(m_running.batchSize) / latest.imagesPerSecond : NAN;
    m_progressText->setText(tr("Epoch %1/%2  \u00b7  step %3/%4  \u00b7  %5 images/s  \u00b7  ETA %6")
                                .arg(latest.epoch).arg(m_running.epochs)
                                .arg(latest.stepInEpoch).arg(latest.stepsPerEpoch)
                                .arg(QLocale().toString(latest.imagesPerSecond, 'f', 0))
                                .arg(duration(double(total - done) * secondsPerStep)));
}

void MainWindow::onEpochReport(const aes::EpochReport &report)
{
    m_lossChart->addValidation(report.epoch, report.valLoss);
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
    m_progress->setVisible(false);
    m_progressText->clear();
    QString text = tr("%1: %2").arg(statusText(outcome.status), outcome.message);
    if (!m_lastEpochText.isEmpty())
        text += tr(" \u2013 %1").arg(m_lastEpochText);
    statusBar()->showMessage(text);
    if (outcome.status == aes::TrainStatus::Diverged)
        showProblem(statusText(outcome.status), outcome.message);
    if (outcome.epochsCompleted > 0)
        m_latentInfo->setText(m_latentInfo->text().replace(
            tr("It needs a trained model: train one first, then look here."),
            tr("A model with a %1-number code has been trained for %2 epochs.").arg(m_latentSize).arg(outcome.epochsCompleted)));
}

void MainWindow::showProblem(const QString &title, const QString &message)
{
    statusBar()->showMessage(title);
    // Non-blocking: training and tests go on while the message is shown.
    auto *box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
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
