#pragma once
// The window's persistence: project files (File > New / Open / Save / Save As, recent
// projects), opening a trained model without training (File > Open model...), where the
// GUI's training keeps its run files (checkpoint.pt and history.csv after every epoch), and
// File > Export (model formats off the GUI thread with progress and cancel; the latent map,
// reconstruction grid, loss plot and history from what the window shows).
//
// Run directories: a saved project keeps its run beside it ("<name>-run/"); before a project
// is saved, training writes to an autosave run under the application's data folder
// (the newest kAutosaveRuns are kept). Saving a project moves the run's files there.
//
// Ownership: owned by the MainWindow; owns its actions, export controller and dialogs.
// Threads: GUI thread only. Failure: every problem (unreadable or damaged project, a model
// that cannot be opened, a failed write) is shown through MainWindow::showProblem with the
// file and the reason, and changes nothing that was loaded.

#include "controller/trainingcontroller.h"
#include "exportdialog.h"
#include "project/project.h"

#include <QObject>
#include <QString>

class MainWindow;
class QAction;
class QMenu;
class QProgressDialog;
class RecentFiles;

namespace aes {
class ExportController;
struct ExportJobResult;
} // namespace aes

class ProjectSession final : public QObject {
    Q_OBJECT
public:
    static constexpr int kAutosaveRuns = 10;

    explicit ProjectSession(MainWindow *window);
    ~ProjectSession() override;

    // New / Open / recent / Save / Save As at the top of the File menu.
    void addProjectActions(QMenu *file);
    // Open model... and Export... further down.
    void addModelActions(QMenu *file);

    QString projectPath() const { return m_projectPath; }
    RecentFiles *recentProjects() const { return m_recentProjects; }

    // Without dialogs (the menu's actions ask for the path first). Problems are shown.
    bool saveProject(const QString &path);
    bool openProject(const QString &path);
    bool openModel(const QString &path);
    void newProject();
    // Starts an export of choice (model formats in the background); exportFinished() follows.
    bool exportTo(const ExportChoice &choice);
    bool isExporting() const;
    void cancelExport();

    // Before a fresh model starts training: gives it a run directory.
    void prepareNewRun();
    // The autosave folder of runs not (yet) in a project.
    static QString autosaveRoot();

Q_SIGNALS:
    void projectChanged(const QString &path);
    // ok: every asked-for file was written; message: what was written, or the reason.
    void exportFinished(bool ok, const QString &message);

private:
    void saveAs();
    void save();
    void openWithDialog();
    void openModelWithDialog();
    void exportWithDialog();
    void onDatasetLoaded();
    void onLoadFailed();
    void onModelOpened(const aes::OpenedModel &opened);
    void onRunSaved(const QString &dir, const QString &error);
    void startModelExport();
    void onExportFinished(const aes::ExportJobResult &result);
    void finishExport(bool ok, const QString &message);
    // The window's views to files; a message for each failure.
    QStringList exportViews(const ExportChoice &choice, QStringList *written);
    void updateTitle();
    QJsonObject viewState() const;
    void applyViewState(const QJsonObject &view);

    MainWindow *m_window;
    QString m_projectPath;
    RecentFiles *m_recentProjects = nullptr;
    aes::ExportController *m_export = nullptr;
    QProgressDialog *m_exportProgress = nullptr;
    QAction *m_exportAction = nullptr;

    aes::LatentSnapshot m_map;                 // the newest complete map
    aes::ReconstructionSnapshot m_reconstructions;
    QString m_modelAfterLoad;                  // a project's run to open once its dataset is loaded
    QJsonObject m_viewAfterLoad;
    bool m_exportWaitsForSave = false;         // the model is being saved before its export
    ExportChoice m_exportChoice;
    QStringList m_exportWritten;
    QStringList m_exportProblems;
};
