#include "projectsession.h"

#include "util/atomicfile.h"
#include "datasetpanel.h"
#include "export/exportcontroller.h"
#include "losschart.h"
#include "mainwindow.h"
#include "metricsview.h"
#include "recentfiles.h"
#include "project/runfiles.h"
#include "trainingpanel.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QPainter>
#include <QProgressDialog>
#include <QStandardPaths>
#include <QStatusBar>

using aes::TrainingController;

namespace {

QString csvField(const QString &text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QByteArray mapCsv(const aes::LatentSnapshot &map)
{
    QByteArray out = "x,y,label,file\n";
    for (int i = 0; i < map.x.size(); ++i) {
        const QString name = map.classNameAt(i);
        const QString file = i < map.files.size() ? map.files[i] : QString();
        out += QByteArray::number(double(map.x[i]), 'g', 8) + ',' + QByteArray::number(double(map.y[i]), 'g', 8)
            + ',' + csvField(name).toUtf8() + ',' + csvField(file).toUtf8() + '\n';
    }
    return out;
}

// Inputs over their reconstructions, each image enlarged (nearest neighbour) to >= 56 px.
QImage reconstructionGrid(const aes::ReconstructionSnapshot &s)
{
    if (s.inputs.isEmpty())
        return {};
    const QSize cell = s.inputs.first().size();
    const int scale = std::max(1, 56 / std::max(1, std::max(cell.width(), cell.height())));
    const int gap = 4;
    const int w = cell.width() * scale, h = cell.height() * scale;
    QImage grid(int(s.inputs.size()) * (w + gap) + gap, 2 * (h + gap) + gap, QImage::Format_RGB32);
    grid.fill(Qt::white);
    QPainter painter(&grid);
    for (int i = 0; i < s.inputs.size(); ++i) {
        painter.drawImage(QRect(gap + i * (w + gap), gap, w, h), s.inputs[i]);
        if (i < s.reconstructions.size())
            painter.drawImage(QRect(gap + i * (w + gap), 2 * gap + h, w, h), s.reconstructions[i]);
    }
    return grid;
}

bool hasCheckpoint(const QString &runDir)
{
    return !runDir.isEmpty() && QFileInfo::exists(QDir(runDir).filePath(aes::runfiles::kCheckpoint));
}

} // namespace

ProjectSession::ProjectSession(MainWindow *window) : QObject(window), m_window(window)
{
    TrainingController *c = window->controller();
    m_export = new aes::ExportController(this);
    connect(c, &TrainingController::datasetLoaded, this, &ProjectSession::onDatasetLoaded);
    connect(c, &TrainingController::loadFailed, this, &ProjectSession::onLoadFailed);
    connect(c, &TrainingController::modelOpened, this, &ProjectSession::onModelOpened);
    connect(c, &TrainingController::openModelFailed, this, [this](const QString &message) {
        m_viewAfterLoad = {};
        m_window->showProblem(tr("Cannot open the model"), message);
    });
    connect(c, &TrainingController::runSaved, this, &ProjectSession::onRunSaved);
    connect(c, &TrainingController::latentMapReady, this, [this](const aes::LatentSnapshot &map) {
        if (!map.partial)
            m_map = map;
    });
    connect(c, &TrainingController::reconstructionsReady, this,
            [this](const aes::ReconstructionSnapshot &s) { m_reconstructions = s; });
    connect(m_export, &aes::ExportController::finished, this, &ProjectSession::onExportFinished);
    connect(m_export, &aes::ExportController::progress, this, [this](const QString &step, int done, int total) {
        if (m_exportProgress) {
            m_exportProgress->setMaximum(total);
            m_exportProgress->setValue(done);
            m_exportProgress->setLabelText(tr("Exporting: %1\u2026").arg(step));
        }
    });
}

ProjectSession::~ProjectSession() = default;

void ProjectSession::addProjectActions(QMenu *file)
{
    QAction *newProject = file->addAction(tr("&New project"), this, &ProjectSession::newProject);
    newProject->setShortcut(QKeySequence(tr("Ctrl+Shift+N")));
    newProject->setStatusTip(tr("Forget the project file and the model; keep the dataset and the options"));
    QAction *open = file->addAction(tr("Open &project\u2026"), this, &ProjectSession::openWithDialog);
    open->setShortcut(QKeySequence(tr("Ctrl+Alt+O")));
    open->setStatusTip(tr("Open an .aeproj file: its dataset, options, trained model and view"));
    QMenu *recent = file->addMenu(tr("Recent pro&jects"));
    m_recentProjects = new RecentFiles(recent, QStringLiteral("recentProjects"), tr("No recent projects"), this);
    connect(m_recentProjects, &RecentFiles::openRequested, this, &ProjectSession::openProject);
    QAction *saveAction = file->addAction(tr("&Save project"), this, &ProjectSession::save);
    saveAction->setShortcut(QKeySequence::Save);
    QAction *saveAsAction = file->addAction(tr("Save project &as\u2026"), this, &ProjectSession::saveAs);
    saveAsAction->setShortcut(QKeySequence(tr("Ctrl+Shift+S")));
}

void ProjectSession::addModelActions(QMenu *file)
{
    QAction *openModelAction = file->addAction(tr("Open &model\u2026"), this, &ProjectSession::openModelWithDialog);
    openModelAction->setStatusTip(tr("Open a trained model (checkpoint.pt of a run) to browse a dataset through it"));
    m_exportAction = file->addAction(tr("&Export\u2026"), this, &ProjectSession::exportWithDialog);
    m_exportAction->setShortcut(QKeySequence(tr("Ctrl+E")));
    m_exportAction->setStatusTip(tr("TorchScript, ONNX, projector embeddings, images, the map, plots and history"));
}

QString ProjectSession::autosaveRoot()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath(QStringLiteral("runs"));
}

void ProjectSession::prepareNewRun()
{
    TrainingController *c = m_window->controller();
    if (!m_projectPath.isEmpty()) {
        c->setRunDirectory(aes::defaultRunDirFor(m_projectPath));
        return;
    }
    // An autosave run per fresh model; the oldest ones go.
    const QDir root(autosaveRoot());
    QDir().mkpath(root.path());
    const QString name = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss-zzz"));
    c->setRunDirectory(root.filePath(name));
    QStringList runs = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    while (runs.size() >= kAutosaveRuns)
        QDir(root.filePath(runs.takeFirst())).removeRecursively();
}

void ProjectSession::newProject()
{
    TrainingController *c = m_window->controller();
    if (c->state() != TrainingController::State::Idle) {
        m_window->statusBar()->showMessage(tr("Stop training before starting a new project"), 5000);
        return;
    }
    m_projectPath.clear();
    c->setRunDirectory({});
    m_window->newModel();
    updateTitle();
    Q_EMIT projectChanged(m_projectPath);
}

QJsonObject ProjectSession::viewState() const
{
    return QJsonObject{{QStringLiteral("tab"), m_window->currentTab()}};
}

void ProjectSession::applyViewState(const QJsonObject &view)
{
    const int tab = view.value(QStringLiteral("tab")).toInt(-1);
    if (tab >= 0 && tab < MainWindow::TabCount)
        m_window->showTab(tab);
}

bool ProjectSession::saveProject(const QString &path)
{
    TrainingController *c = m_window->controller();
    aes::Project p;
    p.datasetPath = m_window->datasetPath();
    p.load = m_window->datasetPanel()->loadOptions();
    p.model = m_window->trainingPanel()->modelOptions();
    p.train = m_window->trainingPanel()->trainOptions();
    p.train.valFraction = m_window->datasetPanel()->validationFraction();
    if (c->hasModel()) {
        // The project's model is the one trained: its options, not the form's.
        p.model = c->modelOptions();
        p.train = c->trainOptions();
    }
    p.runDir = aes::defaultRunDirFor(path);
    p.view = viewState();
    if (const QString error = aes::writeProject(path, p); !error.isEmpty()) {
        m_window->showProblem(tr("Cannot save the project"), error);
        return false;
    }
    // The run's files follow the project: written there now when idle, from the next
    // epoch's end while training.
    const QString previousRun = c->runDirectory();
    if (c->hasModel() && QDir::cleanPath(previousRun) != QDir::cleanPath(p.runDir)) {
        if (c->state() == TrainingController::State::Idle)
            c->saveRun(p.runDir);
        else
            c->setRunDirectory(p.runDir);
    } else {
        c->setRunDirectory(p.runDir);
    }
    m_projectPath = QFileInfo(path).absoluteFilePath();
    m_recentProjects->add(m_projectPath);
    updateTitle();
    m_window->statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(m_projectPath)), 5000);
    Q_EMIT projectChanged(m_projectPath);
    return true;
}

void ProjectSession::save()
{
    if (m_projectPath.isEmpty())
        saveAs();
    else
        saveProject(m_projectPath);
}

void ProjectSession::saveAs()
{
    const QString start = m_projectPath.isEmpty()
        ? QDir::home().filePath(tr("untitled.aeproj")) : m_projectPath;
    QString path = QFileDialog::getSaveFileName(m_window, tr("Save project"), start,
                                                tr("Autoencoder Studio projects (*.aeproj)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".aeproj");
    saveProject(path);
}

bool ProjectSession::openProject(const QString &path)
{
    TrainingController *c = m_window->controller();
    if (c->state() != TrainingController::State::Idle) {
        m_window->statusBar()->showMessage(tr("Stop training before opening a project"), 5000);
        return false;
    }
    QString error;
    const std::optional<aes::Project> p = aes::readProject(path, &error);
    if (!p) {
        m_window->showProblem(tr("Cannot open the project"), error);
        return false;
    }
    m_projectPath = QFileInfo(path).absoluteFilePath();
    m_recentProjects->add(m_projectPath);
    m_window->datasetPanel()->setLoadOptions(p->load);
    m_window->setOptions(p->model, p->train);
    const QString runDir = p->runDir.isEmpty() ? aes::defaultRunDirFor(m_projectPath) : p->runDir;
    c->setRunDirectory(runDir);
    m_modelAfterLoad = hasCheckpoint(runDir) ? runDir : QString();
    m_viewAfterLoad = p->view;
    updateTitle();
    Q_EMIT projectChanged(m_projectPath);
    if (!p->datasetPath.isEmpty()) {
        m_window->openDataset(p->datasetPath);
    } else if (!m_modelAfterLoad.isEmpty()) {
        c->openModel(std::exchange(m_modelAfterLoad, QString()));
    }
    return true;
}

void ProjectSession::openWithDialog()
{
    const QString start = m_projectPath.isEmpty() ? QDir::homePath() : QFileInfo(m_projectPath).absolutePath();
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Open project"), start,
                                                      tr("Autoencoder Studio projects (*.aeproj);;All files (*)"));
    if (!path.isEmpty())
        openProject(path);
}

void ProjectSession::onDatasetLoaded()
{
    m_map = {};  // of the previous dataset
    m_reconstructions = {};
    if (!m_modelAfterLoad.isEmpty())
        m_window->controller()->openModel(std::exchange(m_modelAfterLoad, QString()));
    else if (!m_viewAfterLoad.isEmpty())
        applyViewState(std::exchange(m_viewAfterLoad, {}));
}

void ProjectSession::onLoadFailed()
{
    // The project's dataset moved or broke: the model still opens, with the dataset its
    // checkpoint names when that one loads.
    if (!m_modelAfterLoad.isEmpty())
        m_window->controller()->openModel(std::exchange(m_modelAfterLoad, QString()));
}

bool ProjectSession::openModel(const QString &path)
{
    TrainingController *c = m_window->controller();
    if (c->state() != TrainingController::State::Idle) {
        m_window->statusBar()->showMessage(tr("Stop training before opening a model"), 5000);
        return false;
    }
    m_window->statusBar()->showMessage(tr("Opening %1\u2026").arg(QDir::toNativeSeparators(path)));
    return c->openModel(path);
}

void ProjectSession::openModelWithDialog()
{
    const QString path = QFileDialog::getOpenFileName(m_window, tr("Open a trained model"),
        QDir::homePath(), tr("Checkpoints (*.pt);;All files (*)"));
    if (!path.isEmpty())
        openModel(path);
}

void ProjectSession::onModelOpened(const aes::OpenedModel &opened)
{
    TrainingController *c = m_window->controller();
    m_window->setOptions(opened.model, opened.train);
    // Training on goes on in the model's own run directory, unless a project holds it.
    if (m_projectPath.isEmpty())
        c->setRunDirectory(QFileInfo(opened.path).absolutePath());
    m_window->showHistory(opened.history);
    m_window->statusBar()->showMessage(
        opened.resumable
            ? tr("Opened %1: %2 epochs trained \u2013 Continue (Ctrl+Return) goes on exactly from here")
                  .arg(QDir::toNativeSeparators(opened.path)).arg(opened.epochsCompleted)
            : tr("Opened %1 (weights only: continuing starts a new optimiser)").arg(QDir::toNativeSeparators(opened.path)));
    if (!m_viewAfterLoad.isEmpty())
        applyViewState(std::exchange(m_viewAfterLoad, {}));
}

void ProjectSession::updateTitle()
{
    m_window->setWindowTitle(m_projectPath.isEmpty()
        ? tr("Autoencoder Studio")
        : tr("%1 \u2013 Autoencoder Studio").arg(QFileInfo(m_projectPath).fileName()));
}

// ---- Export ----

bool ProjectSession::isExporting() const
{
    return m_export->isRunning() || m_exportWaitsForSave;
}

void ProjectSession::cancelExport()
{
    m_export->cancel();
    if (m_exportWaitsForSave) {
        m_exportWaitsForSave = false;
        m_exportProblems << tr("export cancelled");
        finishExport(false, tr("export cancelled"));
    }
}

void ProjectSession::exportWithDialog()
{
    TrainingController *c = m_window->controller();
    ExportChoice initial;
    initial.folder = m_projectPath.isEmpty()
        ? QDir::home().filePath(QStringLiteral("autoencoder-export"))
        : QFileInfo(m_projectPath).absoluteDir().filePath(QFileInfo(m_projectPath).completeBaseName() + QStringLiteral("-export"));
    QString note;
    if (!c->hasModel())
        note = tr("No trained model yet: train or open one to export it.");
    else if (c->state() == TrainingController::State::Idle)
        note = tr("The model as it is now (%1 epochs trained).").arg(c->epochsCompleted());
    else
        note = tr("The model as saved at the end of the last finished epoch (training goes on meanwhile).");
    ExportDialog dialog(initial, note, c->hasModel(), !m_map.x.isEmpty(), m_window);
    if (dialog.exec() != QDialog::Accepted)
        return;
    exportTo(dialog.choice());
}

bool ProjectSession::exportTo(const ExportChoice &choice)
{
    if (isExporting())
        return false;
    TrainingController *c = m_window->controller();
    m_exportChoice = choice;
    m_exportWritten.clear();
    m_exportProblems.clear();
    if (!QDir().mkpath(choice.folder)) {
        finishExport(false, tr("cannot create the folder %1").arg(choice.folder));
        return false;
    }
    m_exportProblems = exportViews(choice, &m_exportWritten);
    if (!choice.anyModelFormat()) {
        finishExport(m_exportProblems.isEmpty(), QString());
        return true;
    }
    if (!c->hasModel()) {
        m_exportProblems << tr("there is no trained model to export");
        finishExport(false, QString());
        return false;
    }
    m_exportProgress = new QProgressDialog(tr("Exporting\u2026"), tr("Cancel"), 0, 1, m_window);
    m_exportProgress->setWindowTitle(tr("Export"));
    m_exportProgress->setMinimumDuration(300);
    m_exportProgress->setAutoClose(false);
    m_exportProgress->setAutoReset(false);
    connect(m_exportProgress, &QProgressDialog::canceled, this, &ProjectSession::cancelExport);
    if (c->state() == TrainingController::State::Idle) {
        // The model as it is now: its run files first (the checkpoint the export reads).
        if (c->runDirectory().isEmpty())
            prepareNewRun();
        m_exportWaitsForSave = c->saveRun(c->runDirectory());
        if (m_exportWaitsForSave)
            return true;
    }
    startModelExport();
    return true;
}

void ProjectSession::onRunSaved(const QString &dir, const QString &error)
{
    if (!error.isEmpty())
        m_window->statusBar()->showMessage(tr("The checkpoint could not be saved: %1").arg(error));
    if (!m_exportWaitsForSave)
        return;
    m_exportWaitsForSave = false;
    if (!error.isEmpty()) {
        m_exportProblems << error;
        finishExport(false, QString());
        return;
    }
    Q_UNUSED(dir);
    startModelExport();
}

void ProjectSession::startModelExport()
{
    const QString runDir = m_window->controller()->runDirectory();
    if (!hasCheckpoint(runDir)) {
        m_exportProblems << tr("no checkpoint has been saved yet (the first epoch has not ended)");
        finishExport(false, QString());
        return;
    }
    const QDir folder(m_exportChoice.folder);
    aes::ExportTargets targets;
    if (m_exportChoice.torchscript)
        targets.torchscriptFile = folder.filePath(ExportChoice::torchscriptName());
    if (m_exportChoice.onnx)
        targets.onnxDir = folder.filePath(ExportChoice::onnxName());
    if (m_exportChoice.embeddings)
        targets.embeddingsDir = folder.filePath(ExportChoice::embeddingsName());
    if (m_exportChoice.images) {
        targets.imagesDir = folder.filePath(ExportChoice::imagesName());
        targets.imageCount = m_exportChoice.imageCount;
    }
    m_export->start(runDir, targets);
}

void ProjectSession::onExportFinished(const aes::ExportJobResult &result)
{
    m_exportWritten << result.written;
    if (!result.ok)
        m_exportProblems << result.error;
    finishExport(result.ok && m_exportProblems.isEmpty(), QString());
}

void ProjectSession::finishExport(bool ok, const QString &message)
{
    if (m_exportProgress) {
        m_exportProgress->deleteLater();
        m_exportProgress = nullptr;
    }
    if (!message.isEmpty() && !m_exportProblems.contains(message))
        m_exportProblems << message;
    const QString text = ok
        ? tr("Exported to %1: %2").arg(QDir::toNativeSeparators(m_exportChoice.folder), m_exportWritten.join(QStringLiteral("; ")))
        : m_exportProblems.join(QLatin1Char('\n'));
    if (ok)
        m_window->statusBar()->showMessage(tr("Exported to %1").arg(QDir::toNativeSeparators(m_exportChoice.folder)), 8000);
    else if (!m_exportProblems.contains(tr("export cancelled")))
        m_window->showProblem(tr("Export failed"), text);
    else
        m_window->statusBar()->showMessage(tr("Export cancelled"), 5000);
    Q_EMIT exportFinished(ok, text);
}

QStringList ProjectSession::exportViews(const ExportChoice &choice, QStringList *written)
{
    QStringList problems;
    const QDir folder(choice.folder);
    const auto note = [&](const QString &error, const QString &what) {
        if (error.isEmpty())
            *written << what;
        else
            problems << error;
    };
    if (choice.mapCsv) {
        const QString path = folder.filePath(ExportChoice::mapCsvName());
        if (m_map.x.isEmpty())
            problems << tr("cannot write %1: there is no latent map yet").arg(path);
        else
            note(aes::writeFileAtomically(path, mapCsv(m_map)), tr("map: %1").arg(path));
    }
    if (choice.reconstructionsPng) {
        const QString path = folder.filePath(ExportChoice::reconstructionsName());
        const QImage grid = reconstructionGrid(m_reconstructions);
        if (grid.isNull())
            problems << tr("cannot write %1: there are no reconstructions yet").arg(path);
        else
            note(aes::writeImageAtomically(path, grid), tr("reconstructions: %1").arg(path));
    }
    if (choice.lossPng) {
        const QString path = folder.filePath(ExportChoice::lossPngName());
        note(m_window->lossChart()->exportPng(path) ? QString() : tr("cannot write %1").arg(path),
             tr("loss plot: %1").arg(path));
    }
    if (choice.lossPdf) {
        const QString path = folder.filePath(ExportChoice::lossPdfName());
        note(m_window->lossChart()->exportPdf(path) ? QString() : tr("cannot write %1").arg(path),
             tr("loss plot: %1").arg(path));
    }
    if (choice.historyCsv) {
        const QString path = folder.filePath(ExportChoice::historyName());
        QFile history(QDir(m_window->controller()->runDirectory()).filePath(aes::runfiles::kHistory));
        if (m_window->controller()->runDirectory().isEmpty() || !history.open(QIODevice::ReadOnly))
            problems << tr("cannot write %1: no epoch has been recorded yet").arg(path);
        else
            note(aes::writeFileAtomically(path, history.readAll()), tr("history: %1").arg(path));
    }
    return problems;
}
