#pragma once
// File > Export: the Export dialog, then the model formats (TorchScript, ONNX, projector
// embeddings, reconstruction images) written off the GUI thread by an ExportController with
// progress and cancel, and the views written from what the window shows: the latent map as
// CSV, the newest reconstructions as one grid image, the loss plot (PNG, PDF) and the
// run's history. An idle model is saved to its run directory first (the export reads the
// checkpoint); a training one is exported as saved at the end of its last epoch.
//
// Ownership: owned by its QObject parent (the window); owns its action, export controller
// and progress dialog. Does not own the controller, the project session or the loss chart,
// which must outlive it.
// Threads: GUI thread only. Failure: exportFinished() says what was written or why not;
// failures are also reported by problem() (a cancel only by message()). Every file is
// written atomically: a failed or cancelled export leaves no partial file.

#include "controller/trainingcontroller.h"
#include "exportdialog.h"

#include <QObject>
#include <QString>
#include <QStringList>

class LossChart;
class ProjectSession;
class QAction;
class QMenu;
class QProgressDialog;
class QWidget;

namespace aes {
class ExportController;
struct ExportJobResult;
} // namespace aes

class ExportSession final : public QObject {
    Q_OBJECT
public:
    // runs: the run directory policy and the project's folder (the default destination);
    // lossChart: the plot exported as loss.png / loss.pdf; dialogParent: the window the
    // dialogs belong to.
    ExportSession(aes::TrainingController *controller, ProjectSession *runs, LossChart *lossChart,
                  QWidget *dialogParent, QObject *parent = nullptr);
    ~ExportSession() override;

    // Export... in the File menu.
    void addActions(QMenu *file);

    // Starts an export of choice (model formats in the background); exportFinished() follows.
    // False when one is running already, the folder cannot be made, or a model format is
    // asked for without a model.
    bool exportTo(const ExportChoice &choice);
    bool isExporting() const;
    void cancelExport();

Q_SIGNALS:
    // ok: every asked-for file was written; text: what was written, or the reasons.
    void exportFinished(bool ok, const QString &text);
    void message(const QString &text, int timeoutMs);
    void problem(const QString &title, const QString &message);

private:
    void exportWithDialog();
    void onRunSaved(const QString &dir, const QString &error);
    void startModelExport();
    void onExportFinished(const aes::ExportJobResult &result);
    void finishExport(bool ok, const QString &reason);
    // The window's views to files; a message for each failure.
    QStringList exportViews(const ExportChoice &choice, QStringList *written);

    aes::TrainingController *m_controller;
    ProjectSession *m_runs;
    LossChart *m_lossChart;
    QWidget *m_dialogParent;
    aes::ExportController *m_export = nullptr;
    QProgressDialog *m_progress = nullptr;

    aes::LatentSnapshot m_map;                 // the newest complete map
    aes::ReconstructionSnapshot m_reconstructions;
    bool m_waitsForSave = false;               // the model is being saved before its export
    ExportChoice m_choice;
    QStringList m_written;
    QStringList m_problems;
};
