#pragma once
// The Runs tab: the runs of a folder in a sortable table (options, the kept weights' figures,
// damaged runs greyed with their problem), their curves overlaid for the ticked runs
// (RunsOverlay), two runs compared side by side on the same images (RunCompareView), and
// Open (the run becomes the window's current model, as File > Open model), Rename and Delete.
//
// The folder follows the window's current run (the folder holding its run directory: a
// project's runs, or the autosave runs) until the user picks another with Folder...; the list
// is read again after every training and on Refresh. Listing and comparing run on the
// RunsController's thread.
//
// Ownership: owned by its parent (the window's tabs); owns its RunsController; does not own
// the training controller or the session, which must outlive it. Threads: GUI thread.
// Failure: refusals and failed file operations are reported through problem() and
// message(); a damaged run is a row, never an error.

#include "project/runlist.h"

#include <QWidget>

class ProjectSession;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTabWidget;
class QTableView;
class RunCompareView;
class RunsOverlay;
class RunsTableModel;

namespace aes {
class RunsController;
class TrainingController;
struct RunComparison;
} // namespace aes

class RunsPanel final : public QWidget {
    Q_OBJECT
public:
    RunsPanel(aes::TrainingController *controller, ProjectSession *session, QWidget *parent = nullptr);
    ~RunsPanel() override;

    QString folder() const { return m_folder; }
    // Shows the runs of dir from now on (Folder...); refreshes.
    void setFolder(const QString &dir);
    // The folder of the window's current run again; refreshes.
    void followCurrentRun();
    // Reads the folder again, when the panel is visible; listed() once the table shows it.
    void refresh();

    // Without dialogs (the buttons ask first). "" or why not; the table is refreshed.
    QString renameRun(const QString &dir, const QString &newName);
    QString deleteRun(const QString &dir);
    // Compares two runs; compared() at the end. False when one is running.
    bool compare(const QString &dirA, const QString &dirB);
    bool openRun(const QString &dir);

    // Rows are selected through the view's selection model (tests and the screenshot driver).
    void selectRuns(const QStringList &dirs);
    QStringList selectedRuns() const;

    RunsTableModel *model() const { return m_model; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QTableView *table() const { return m_table; }
    RunsOverlay *overlay() const { return m_overlay; }
    RunCompareView *compareView() const { return m_compare; }
    void showOverlay();
    void showComparison();

Q_SIGNALS:
    void listed();
    void compared(bool ok);
    void message(const QString &text, int timeoutMs);
    void problem(const QString &title, const QString &message);

protected:
    // The list is read when the tab is shown (and after trainings), not at start-up.
    void showEvent(QShowEvent *event) override;

private:
    void onListed(const QString &dir, const QVector<aes::RunEntry> &runs);
    void onCompared(const aes::RunComparison &comparison);
    void updateButtons();
    void updateSpans();
    QString currentRunsFolder() const;
    // The run directory the window trains into or has open: "" when none.
    QString currentRun() const;
    void pickFolder();
    void compareSelected();
    void renameSelected();
    void deleteSelected();
    void openSelected();

    aes::TrainingController *m_controller;
    ProjectSession *m_session;
    aes::RunsController *m_runs = nullptr;
    RunsTableModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_folderLabel = nullptr;
    QPushButton *m_followButton = nullptr;
    QPushButton *m_openButton = nullptr;
    QPushButton *m_compareButton = nullptr;
    QPushButton *m_renameButton = nullptr;
    QPushButton *m_deleteButton = nullptr;
    QTabWidget *m_lower = nullptr;
    RunsOverlay *m_overlay = nullptr;
    RunCompareView *m_compare = nullptr;
    QString m_folder;
    bool m_follow = true;
    QString m_compareA, m_compareB;
};
