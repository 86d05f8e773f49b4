#pragma once
// Project files and run directories: File > New / Open / Save / Save As project, the recent
// projects, opening a trained model without training (File > Open model...), and where the
// GUI's training keeps its run files (checkpoint.pt and history.csv after every epoch).
//
// Run directories: a saved project keeps its run beside it ("<name>-run/"); before a project
// is saved, training writes to an autosave run under the application's data folder
// (the newest kAutosaveRuns are kept). Saving a project moves the run's files there.
//
// The session reads what the window shows through the CurrentProject function it is given
// (dataset, load options, form options, view state) and never changes the window itself:
// it asks through its signals (projectOpened, viewRestored, newProjectStarted) and reports
// through message() and problem(). The window owns the title and the view state.
//
// Ownership: owned by its QObject parent (the window); owns its actions and its recent
// projects list; does not own the controller, which must outlive it.
// Threads: GUI thread only. Failure: every problem (unreadable or damaged project, a model
// that cannot be opened, a failed write) is reported by problem() with the file and the
// reason, and changes nothing that was loaded.

#include "controller/trainingcontroller.h"
#include "project/project.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>

class QMenu;
class QWidget;
class RecentFiles;

class ProjectSession final : public QObject {
    Q_OBJECT
public:
    static constexpr int kAutosaveRuns = 10;
    // The project as the window shows it: dataset path, load options, form options and
    // view state (the run directory is the session's).
    using CurrentProject = std::function<aes::Project()>;

    // dialogParent: the window the file dialogs belong to.
    ProjectSession(aes::TrainingController *controller, CurrentProject current, QWidget *dialogParent,
                   QObject *parent = nullptr);
    ~ProjectSession() override;

    // New / Open / recent / Save / Save As at the top of the File menu.
    void addProjectActions(QMenu *file);
    // Open model... further down.
    void addModelActions(QMenu *file);

    // The open project's file (absolute), empty before one is saved or opened.
    QString projectPath() const { return m_projectPath; }
    RecentFiles *recentProjects() const { return m_recentProjects; }

    // Without dialogs (the menu's actions ask for the path first). Problems are reported.
    bool saveProject(const QString &path);
    bool openProject(const QString &path);
    bool openModel(const QString &path);
    void newProject();

    // Before a fresh model starts training: gives it a run directory.
    void prepareNewRun();
    // The autosave folder of runs not (yet) in a project.
    static QString autosaveRoot();
    // Whether runDir holds a checkpoint (the run has finished an epoch or was saved).
    static bool hasCheckpoint(const QString &runDir);
    // The run directory of a project saved at projectPath: "<name>-run", or "<name>-run-N"
    // when that holds a run this window did not write (never written over).
    QString runDirFor(const QString &projectPath) const;

Q_SIGNALS:
    // The project file changed (saved elsewhere, opened, or forgotten: empty).
    void projectChanged(const QString &path);
    // A project was read: the window takes its load and form options and loads its dataset.
    void projectOpened(const aes::Project &project);
    // A project's view state, once its dataset (and model) are loaded.
    void viewRestored(const QJsonObject &view);
    // New project: the window forgets the model and what it showed of it.
    void newProjectStarted();
    void message(const QString &text, int timeoutMs);
    void problem(const QString &title, const QString &message);

private:
    void saveAs();
    void save();
    void openWithDialog();
    void openModelWithDialog();
    void onDatasetLoaded();
    void onLoadFailed();
    void onModelOpened(const aes::OpenedModel &opened);
    void onRunSaved(const QString &dir, const QString &error);
    bool refuseWhileBusy(const QString &what);
    void setProjectPath(const QString &path);

    aes::TrainingController *m_controller;
    CurrentProject m_current;
    QWidget *m_dialogParent;
    QString m_projectPath;
    RecentFiles *m_recentProjects = nullptr;
    QString m_modelAfterLoad;                  // a project's run to open once its dataset is loaded
    QJsonObject m_viewAfterLoad;
};
