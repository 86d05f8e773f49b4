#include "exportsession.h"

#include "export/exportcontroller.h"
#include "export/imagegrid.h"
#include "losschart.h"
#include "project/runfiles.h"
#include "projectsession.h"
#include "util/atomicfile.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QProgressDialog>

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
    // One line per point: a sampled map's points name their own rows.
    QByteArray out = "x,y,label,file\n";
    for (int i = 0; i < map.x.size(); ++i) {
        const qint64 row = map.rowOf(i);
        const QString name = map.classNameAt(row);
        const QString file = map.files.value(int(row));
        out += QByteArray::number(double(map.x[i]), 'g', 8) + ',' + QByteArray::number(double(map.y[i]), 'g', 8)
            + ',' + csvField(name).toUtf8() + ',' + csvField(file).toUtf8() + '\n';
    }
    return out;
}

// The snapshot's inputs in one row above their reconstructions, each image enlarged
// (nearest neighbour) towards 56 px, with a 4 px white frame and gaps.
QImage snapshotGrid(const aes::ReconstructionSnapshot &s)
{
    aes::ImageGridOptions layout;
    layout.columns = int(s.inputs.size());
    layout.gap = 4;
    layout.border = true;
    layout.minCellSide = 56;
    return aes::reconstructionGrid(s.inputs, s.reconstructions, layout);
}

} // namespace

ExportSession::ExportSession(TrainingController *controller, ProjectSession *runs, LossChart *lossChart,
                             QWidget *dialogParent, QObject *parent)
    : QObject(parent), m_controller(controller), m_runs(runs), m_lossChart(lossChart), m_dialogParent(dialogParent)
{
    m_export = new aes::ExportController(this);
    connect(controller, &TrainingController::datasetLoaded, this, [this] {
        m_map = {};  // of the previous dataset
        m_reconstructions = {};
    });
    connect(controller, &TrainingController::runSaved, this, &ExportSession::onRunSaved);
    connect(controller, &TrainingController::latentMapReady, this, [this](const aes::LatentSnapshot &map) {
        if (!map.partial)
            m_map = map;
    });
    connect(controller, &TrainingController::reconstructionsReady, this,
            [this](const aes::ReconstructionSnapshot &s) { m_reconstructions = s; });
    connect(m_export, &aes::ExportController::finished, this, &ExportSession::onExportFinished);
    connect(m_export, &aes::ExportController::progress, this, [this](const QString &step, int done, int total) {
        if (m_progress) {
            m_progress->setMaximum(total);
            m_progress->setValue(done);
            m_progress->setLabelText(tr("Exporting: %1\u2026").arg(step));
        }
    });
}

ExportSession::~ExportSession() = default;

void ExportSession::addActions(QMenu *file)
{
    QAction *action = file->addAction(tr("&Export\u2026"), this, &ExportSession::exportWithDialog);
    action->setShortcut(QKeySequence(tr("Ctrl+E")));
    action->setStatusTip(tr("TorchScript, ONNX, projector embeddings, images, the map, plots and history"));
}

bool ExportSession::isExporting() const
{
    return m_export->isRunning() || m_waitsForSave;
}

void ExportSession::cancelExport()
{
    m_export->cancel();
    if (m_waitsForSave) {
        m_waitsForSave = false;
        finishExport(false, tr("export cancelled"));
    }
}

void ExportSession::exportWithDialog()
{
    const QString project = m_runs->projectPath();
    ExportChoice initial;
    initial.folder = project.isEmpty()
        ? QDir::home().filePath(QStringLiteral("autoencoder-export"))
        : QFileInfo(project).absoluteDir().filePath(QFileInfo(project).completeBaseName() + QStringLiteral("-export"));
    QString note;
    if (!m_controller->hasModel())
        note = tr("No trained model yet: train or open one to export it.");
    else if (m_controller->state() == TrainingController::State::Idle)
        note = tr("The model as it is now (%1 epochs trained).").arg(m_controller->epochsCompleted());
    else
        note = tr("The model as saved at the end of the last finished epoch (training goes on meanwhile).");
    ExportDialog dialog(initial, note, m_controller->hasModel(), !m_map.x.isEmpty(), m_dialogParent);
    if (dialog.exec() != QDialog::Accepted)
        return;
    exportTo(dialog.choice());
}

bool ExportSession::exportTo(const ExportChoice &choice)
{
    if (isExporting())
        return false;
    m_choice = choice;
    m_written.clear();
    m_problems.clear();
    if (!QDir().mkpath(choice.folder)) {
        finishExport(false, tr("cannot create the folder %1").arg(choice.folder));
        return false;
    }
    m_problems = exportViews(choice, &m_written);
    if (!choice.anyModelFormat()) {
        finishExport(m_problems.isEmpty(), QString());
        return true;
    }
    if (!m_controller->hasModel()) {
        finishExport(false, tr("there is no trained model to export"));
        return false;
    }
    m_progress = new QProgressDialog(tr("Exporting\u2026"), tr("Cancel"), 0, 1, m_dialogParent);
    m_progress->setWindowTitle(tr("Export"));
    m_progress->setMinimumDuration(300);
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    connect(m_progress, &QProgressDialog::canceled, this, &ExportSession::cancelExport);
    if (m_controller->state() == TrainingController::State::Idle) {
        // An idle model as it is: its run files first (the checkpoint the export reads).
        if (m_controller->runDirectory().isEmpty())
            m_runs->prepareNewRun();
        m_waitsForSave = m_controller->saveRun(m_controller->runDirectory());
        if (m_waitsForSave)
            return true;
    }
    startModelExport();
    return true;
}

void ExportSession::onRunSaved(const QString &dir, const QString &error)
{
    Q_UNUSED(dir);
    if (!m_waitsForSave)
        return;
    m_waitsForSave = false;
    if (!error.isEmpty()) {
        finishExport(false, error);
        return;
    }
    startModelExport();
}

void ExportSession::startModelExport()
{
    const QString runDir = m_controller->runDirectory();
    if (!ProjectSession::hasCheckpoint(runDir)) {
        finishExport(false, tr("no checkpoint has been saved yet (the first epoch has not ended)"));
        return;
    }
    const QDir folder(m_choice.folder);
    aes::ExportTargets targets;
    if (m_choice.torchscript)
        targets.torchscriptFile = folder.filePath(ExportChoice::torchscriptName());
    if (m_choice.onnx)
        targets.onnxDir = folder.filePath(ExportChoice::onnxName());
    if (m_choice.embeddings)
        targets.embeddingsDir = folder.filePath(ExportChoice::embeddingsName());
    if (m_choice.images) {
        targets.imagesDir = folder.filePath(ExportChoice::imagesName());
        targets.imageCount = m_choice.imageCount;
    }
    m_export->start(runDir, targets);
}

void ExportSession::onExportFinished(const aes::ExportJobResult &result)
{
    m_written << result.written;
    finishExport(result.ok && m_problems.isEmpty(), result.ok ? QString() : result.error);
}

// reason: one more problem (empty: none beyond those collected).
void ExportSession::finishExport(bool ok, const QString &reason)
{
    if (m_progress) {
        m_progress->deleteLater();
        m_progress = nullptr;
    }
    if (!reason.isEmpty() && !m_problems.contains(reason))
        m_problems << reason;
    const QString folder = QDir::toNativeSeparators(m_choice.folder);
    const QString text = ok ? tr("Exported to %1: %2").arg(folder, m_written.join(QStringLiteral("; ")))
                            : m_problems.join(QLatin1Char('\n'));
    if (ok)
        Q_EMIT message(tr("Exported to %1").arg(folder), 8000);
    else if (m_problems.contains(tr("export cancelled")))
        Q_EMIT message(tr("Export cancelled"), 5000);
    else
        Q_EMIT problem(tr("Export failed"), text);
    Q_EMIT exportFinished(ok, text);
}

QStringList ExportSession::exportViews(const ExportChoice &choice, QStringList *written)
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
        const QImage grid = snapshotGrid(m_reconstructions);
        if (grid.isNull())
            problems << tr("cannot write %1: there are no reconstructions yet").arg(path);
        else
            note(aes::writeImageAtomically(path, grid), tr("reconstructions: %1").arg(path));
    }
    for (const auto &[asked, path, pdf] : {std::tuple{choice.lossPng, folder.filePath(ExportChoice::lossPngName()), false},
                                           std::tuple{choice.lossPdf, folder.filePath(ExportChoice::lossPdfName()), true}}) {
        if (!asked)
            continue;
        const bool saved = pdf ? m_lossChart->exportPdf(path) : m_lossChart->exportPng(path);
        note(saved ? QString() : tr("cannot write %1").arg(path), tr("loss plot: %1").arg(path));
    }
    if (choice.historyCsv) {
        const QString path = folder.filePath(ExportChoice::historyName());
        const QString runDir = m_controller->runDirectory();
        QFile history(QDir(runDir).filePath(aes::runfiles::kHistory));
        if (runDir.isEmpty() || !history.open(QIODevice::ReadOnly))
            problems << tr("cannot write %1: no epoch has been recorded yet").arg(path);
        else
            note(aes::writeFileAtomically(path, history.readAll()), tr("history: %1").arg(path));
    }
    return problems;
}
