#include "projectsession.h"

#include "project/runfiles.h"
#include "recentfiles.h"

#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QStandardPaths>

#include <utility>

using aes::TrainingController;

ProjectSession::ProjectSession(TrainingController *controller, CurrentProject current, QWidget *dialogParent,
                               QObject *parent)
    : QObject(parent), m_controller(controller), m_current(std::move(current)), m_dialogParent(dialogParent)
{
    connect(controller, &TrainingController::datasetLoaded, this, &ProjectSession::onDatasetLoaded);
    connect(controller, &TrainingController::loadFailed, this, &ProjectSession::onLoadFailed);
    connect(controller, &TrainingController::modelOpened, this, &ProjectSession::onModelOpened);
    connect(controller, &TrainingController::openModelFailed, this, [this](const QString &text) {
        m_viewAfterLoad = {};
        Q_EMIT problem(tr("Cannot open the model"), text);
    });
    connect(controller, &TrainingController::runSaved, this, &ProjectSession::onRunSaved);
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
}

QString ProjectSession::autosaveRoot()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)).filePath(QStringLiteral("runs"));
}

bool ProjectSession::hasCheckpoint(const QString &runDir)
{
    return !runDir.isEmpty() && QFileInfo::exists(QDir(runDir).filePath(aes::runfiles::kCheckpoint));
}

bool ProjectSession::refuseWhileBusy(const QString &what)
{
    if (m_controller->state() == TrainingController::State::Idle)
        return false;
    Q_EMIT message(what, 5000);
    return true;
}

void ProjectSession::setProjectPath(const QString &path)
{
    m_projectPath = path.isEmpty() ? QString() : QFileInfo(path).absoluteFilePath();
    if (!m_projectPath.isEmpty() && m_recentProjects)
        m_recentProjects->add(m_projectPath);
    Q_EMIT projectChanged(m_projectPath);
}

QString ProjectSession::runDirFor(const QString &projectPath) const
{
    // "<name>-run", unless it holds a run this window did not write there (a CLI run, another
    // project's): then "<name>-run-2", "-3", ... so that no run is ever written over.
    const QString base = aes::defaultRunDirFor(projectPath);
    const QString current = QDir::cleanPath(m_controller->runDirectory());
    QString candidate = base;
    for (int n = 2; hasCheckpoint(candidate) && QDir::cleanPath(candidate) != current; ++n)
        candidate = QStringLiteral("%1-%2").arg(base).arg(n);
    return candidate;
}

void ProjectSession::prepareNewRun()
{
    if (!m_projectPath.isEmpty()) {
        m_controller->setRunDirectory(runDirFor(m_projectPath));
        return;
    }
    // An autosave run per fresh model; the oldest ones go.
    const QDir root(autosaveRoot());
    QDir().mkpath(root.path());
    const QString name = QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-hhmmss-zzz"));
    m_controller->setRunDirectory(root.filePath(name));
    QStringList runs = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    while (runs.size() >= kAutosaveRuns)
        QDir(root.filePath(runs.takeFirst())).removeRecursively();
}

void ProjectSession::newProject()
{
    if (refuseWhileBusy(tr("Stop training before starting a new project")))
        return;
    m_controller->setRunDirectory({});
    Q_EMIT newProjectStarted();
    setProjectPath({});
}

bool ProjectSession::saveProject(const QString &path)
{
    aes::Project p = m_current();
    if (m_controller->hasModel()) {
        // The project's model is the one trained: its options, not the form's.
        p.model = m_controller->modelOptions();
        p.train = m_controller->trainOptions();
    }
    p.runDir = runDirFor(path);
    if (const QString error = aes::writeProject(path, p); !error.isEmpty()) {
        Q_EMIT problem(tr("Cannot save the project"), error);
        return false;
    }
    // The run's files follow the project: written there at once when idle, from the end of
    // the running epoch while training.
    const QString previousRun = m_controller->runDirectory();
    if (m_controller->hasModel() && QDir::cleanPath(previousRun) != QDir::cleanPath(p.runDir)
        && m_controller->state() == TrainingController::State::Idle)
        m_controller->saveRun(p.runDir);
    else
        m_controller->setRunDirectory(p.runDir);
    setProjectPath(path);
    Q_EMIT message(tr("Saved %1").arg(QDir::toNativeSeparators(m_projectPath)), 5000);
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
    QString path = QFileDialog::getSaveFileName(m_dialogParent, tr("Save project"), start,
                                                tr("Autoencoder Studio projects (*.aeproj)"));
    if (path.isEmpty())
        return;
    if (QFileInfo(path).suffix().isEmpty())
        path += QStringLiteral(".aeproj");
    saveProject(path);
}

bool ProjectSession::openProject(const QString &path)
{
    if (refuseWhileBusy(tr("Stop training before opening a project")))
        return false;
    QString error;
    const std::optional<aes::Project> p = aes::readProject(path, &error);
    if (!p) {
        Q_EMIT problem(tr("Cannot open the project"), error);
        return false;
    }
    const QString absolute = QFileInfo(path).absoluteFilePath();
    const QString runDir = p->runDir.isEmpty() ? aes::defaultRunDirFor(absolute) : p->runDir;
    m_controller->setRunDirectory(runDir);
    m_modelAfterLoad = hasCheckpoint(runDir) ? runDir : QString();
    m_viewAfterLoad = p->view;
    setProjectPath(absolute);
    // The window loads the project's dataset; its model follows in onDatasetLoaded.
    Q_EMIT projectOpened(*p);
    if (p->datasetPath.isEmpty() && !m_modelAfterLoad.isEmpty())
        m_controller->openModel(std::exchange(m_modelAfterLoad, QString()));
    return true;
}

void ProjectSession::openWithDialog()
{
    const QString start = m_projectPath.isEmpty() ? QDir::homePath() : QFileInfo(m_projectPath).absolutePath();
    const QString path = QFileDialog::getOpenFileName(m_dialogParent, tr("Open project"), start,
                                                      tr("Autoencoder Studio projects (*.aeproj);;All files (*)"));
    if (!path.isEmpty())
        openProject(path);
}

void ProjectSession::onDatasetLoaded()
{
    if (!m_modelAfterLoad.isEmpty())
        m_controller->openModel(std::exchange(m_modelAfterLoad, QString()));
    else if (!m_viewAfterLoad.isEmpty())
        Q_EMIT viewRestored(std::exchange(m_viewAfterLoad, {}));
}

void ProjectSession::onLoadFailed()
{
    // The project's dataset moved or broke: the model still opens, with the dataset its
    // checkpoint names when that one loads.
    if (!m_modelAfterLoad.isEmpty())
        m_controller->openModel(std::exchange(m_modelAfterLoad, QString()));
}

bool ProjectSession::openModel(const QString &path)
{
    if (refuseWhileBusy(tr("Stop training before opening a model")))
        return false;
    Q_EMIT message(tr("Opening %1\u2026").arg(QDir::toNativeSeparators(path)), 0);
    return m_controller->openModel(path);
}

void ProjectSession::openModelWithDialog()
{
    const QString path = QFileDialog::getOpenFileName(m_dialogParent, tr("Open a trained model"),
        QDir::homePath(), tr("Checkpoints (*.pt);;All files (*)"));
    if (!path.isEmpty())
        openModel(path);
}

void ProjectSession::onModelOpened(const aes::OpenedModel &opened)
{
    // Training goes on in the model's own run directory, unless a project holds it.
    if (m_projectPath.isEmpty())
        m_controller->setRunDirectory(QFileInfo(opened.path).absolutePath());
    Q_EMIT message(
        opened.resumable
            ? tr("Opened %1: %2 epochs trained \u2013 Continue (Ctrl+Return) goes on exactly from here")
                  .arg(QDir::toNativeSeparators(opened.path)).arg(opened.epochsCompleted)
            : tr("Opened %1 (weights only: continuing starts a new optimiser)").arg(QDir::toNativeSeparators(opened.path)),
        0);
    if (!m_viewAfterLoad.isEmpty())
        Q_EMIT viewRestored(std::exchange(m_viewAfterLoad, {}));
}

void ProjectSession::onRunSaved(const QString &dir, const QString &error)
{
    Q_UNUSED(dir);
    if (!error.isEmpty())
        Q_EMIT message(tr("The checkpoint could not be saved: %1").arg(error), 0);
}
