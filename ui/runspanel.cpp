#include "runspanel.h"

#include "projectsession.h"
#include "runcompareview.h"
#include "runsoverlay.h"
#include "runstablemodel.h"
#include "controller/trainingcontroller.h"
#include "project/runfiles.h"
#include "project/runscontroller.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

using aes::TrainingController;

namespace {

QString clean(const QString &path)
{
    return path.isEmpty() ? QString() : QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

QString nameOf(const QString &dir)
{
    return QFileInfo(dir).fileName();
}

} // namespace

RunsPanel::RunsPanel(TrainingController *controller, ProjectSession *session, QWidget *parent)
    : QWidget(parent), m_controller(controller), m_session(session)
{
    m_runs = new aes::RunsController(this);
    connect(m_runs, &aes::RunsController::listed, this, &RunsPanel::onListed);
    connect(m_runs, &aes::RunsController::compared, this, &RunsPanel::onCompared);

    m_model = new RunsTableModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RunsTableModel::kSortRole);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RunsTableModel::Modified, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_table->horizontalHeader()->setStretchLastSection(true);
    connect(m_table, &QTableView::doubleClicked, this, [this] { openSelected(); });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RunsPanel::updateButtons);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &RunsPanel::updateSpans);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &RunsPanel::updateSpans);
    connect(m_model, &RunsTableModel::tickedChanged, this, [this] {
        m_overlay->setRuns(m_model->tickedRuns());
        updateButtons();
    });

    m_folderLabel = new QLabel(this);
    m_folderLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_folderLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto *folderButton = new QPushButton(tr("Folder\u2026"), this);
    folderButton->setToolTip(tr("Show the runs of another folder (a folder of run directories, or one run)"));
    connect(folderButton, &QPushButton::clicked, this, &RunsPanel::pickFolder);
    m_followButton = new QPushButton(tr("Current run's folder"), this);
    m_followButton->setToolTip(tr("Show the runs beside the current run again, and follow it from now on"));
    connect(m_followButton, &QPushButton::clicked, this, &RunsPanel::followCurrentRun);
    auto *refreshButton = new QPushButton(tr("Refresh"), this);
    connect(refreshButton, &QPushButton::clicked, this, &RunsPanel::refresh);
    m_openButton = new QPushButton(tr("Open"), this);
    m_openButton->setToolTip(tr("Make the selected run the current model, as File > Open model does"));
    connect(m_openButton, &QPushButton::clicked, this, &RunsPanel::openSelected);
    m_compareButton = new QPushButton(tr("Compare"), this);
    m_compareButton->setToolTip(tr("Reconstruct the same images with two selected runs, side by side"));
    connect(m_compareButton, &QPushButton::clicked, this, &RunsPanel::compareSelected);
    m_renameButton = new QPushButton(tr("Rename\u2026"), this);
    connect(m_renameButton, &QPushButton::clicked, this, &RunsPanel::renameSelected);
    m_deleteButton = new QPushButton(tr("Delete\u2026"), this);
    m_deleteButton->setToolTip(tr("Move the selected runs to the trash"));
    connect(m_deleteButton, &QPushButton::clicked, this, &RunsPanel::deleteSelected);

    m_overlay = new RunsOverlay(this);
    m_compare = new RunCompareView(this);
    connect(m_compare, &RunCompareView::cancelRequested, m_runs, &aes::RunsController::cancelCompare);
    connect(m_runs, &aes::RunsController::progress, m_compare, &RunCompareView::showProgress);
    m_lower = new QTabWidget(this);
    m_lower->setDocumentMode(true);
    m_lower->addTab(m_overlay, tr("Curves"));
    m_lower->addTab(m_compare, tr("Compare"));

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_folderLabel, 1);
    bar->addWidget(folderButton);
    bar->addWidget(m_followButton);
    bar->addWidget(refreshButton);
    bar->addSpacing(16);
    bar->addWidget(m_openButton);
    bar->addWidget(m_compareButton);
    bar->addWidget(m_renameButton);
    bar->addWidget(m_deleteButton);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_lower);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 3);
    splitter->setChildrenCollapsible(false);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(splitter, 1);

    // A finished training wrote its run; a new one may go into another folder.
    connect(m_controller, &TrainingController::finished, this, [this] {
        if (m_follow)
            followCurrentRun();
        else
            refresh();
    });
    connect(m_controller, &TrainingController::modelOpened, this, [this] {
        m_model->setCurrentRun(currentRun());
        updateButtons();
    });
    connect(m_controller, &TrainingController::stateChanged, this, &RunsPanel::updateButtons);
    connect(m_session, &ProjectSession::projectChanged, this, [this] {
        if (m_follow)
            followCurrentRun();
    });
    m_folder = currentRunsFolder();
    m_folderLabel->setText(QDir::toNativeSeparators(m_folder));
    m_followButton->setVisible(false);
    updateButtons();
}

RunsPanel::~RunsPanel() = default;

void RunsPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_follow)
        m_folder = currentRunsFolder();
    refresh();
}

QString RunsPanel::currentRun() const
{
    const QString dir = m_controller->runDirectory();
    return ProjectSession::hasCheckpoint(dir) || m_controller->hasModel() ? clean(dir) : QString();
}

QString RunsPanel::currentRunsFolder() const
{
    const QString run = m_controller->runDirectory();
    if (!run.isEmpty())
        return clean(QFileInfo(run).absolutePath());
    if (!m_session->projectPath().isEmpty())
        return clean(QFileInfo(m_session->projectPath()).absolutePath());
    return clean(ProjectSession::autosaveRoot());
}

void RunsPanel::setFolder(const QString &dir)
{
    m_follow = false;
    m_folder = clean(dir);
    refresh();
}

void RunsPanel::followCurrentRun()
{
    m_follow = true;
    m_folder = currentRunsFolder();
    refresh();
}

void RunsPanel::refresh()
{
    m_folderLabel->setText(QDir::toNativeSeparators(m_folder));
    m_folderLabel->setToolTip(m_follow ? tr("The runs beside the current run") : QString());
    // Only a folder picked by hand needs a way back.
    m_followButton->setVisible(!m_follow);
    // A hidden tab reads nothing: showing it lists the folder.
    if (isVisible())
        m_runs->list(m_folder);
}

void RunsPanel::onListed(const QString &dir, const QVector<aes::RunEntry> &runs)
{
    if (dir != m_folder)
        return;  // an older folder's answer
    const QStringList selected = selectedRuns();
    m_model->setRuns(runs);
    m_model->setCurrentRun(currentRun());
    selectRuns(selected);
    if (m_table->horizontalHeader()->sectionSize(RunsTableModel::Name) <= m_table->horizontalHeader()->defaultSectionSize()) {
        m_table->resizeColumnsToContents();
        // The problem of a damaged run spans the figures' columns: it must not widen the model's.
        m_table->setColumnWidth(RunsTableModel::Model, std::min(m_table->columnWidth(RunsTableModel::Model), 110));
    }
    m_overlay->setRuns(m_model->tickedRuns());
    updateSpans();
    updateButtons();
    int damaged = 0;
    for (const aes::RunEntry &run : runs)
        damaged += !run.ok();
    if (damaged > 0)
        Q_EMIT message(tr("%1 of the runs in %2 cannot be read (greyed; the row says why)")
                           .arg(damaged).arg(QDir::toNativeSeparators(dir)), 8000);
    Q_EMIT listed();
}

void RunsPanel::updateSpans()
{
    m_table->clearSpans();
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const int source = m_proxy->mapToSource(m_proxy->index(row, 0)).row();
        if (!m_model->run(source).ok())
            m_table->setSpan(row, RunsTableModel::Model, 1, RunsTableModel::Modified - RunsTableModel::Model);
    }
}

QStringList RunsPanel::selectedRuns() const
{
    QStringList dirs;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        dirs << m_model->run(m_proxy->mapToSource(index).row()).dir;
    return dirs;
}

void RunsPanel::selectRuns(const QStringList &dirs)
{
    QItemSelection selection;
    for (const QString &dir : dirs) {
        const int row = m_model->rowOf(dir);
        if (row < 0)
            continue;
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        selection.select(index, index.siblingAtColumn(RunsTableModel::ColumnCount - 1));
    }
    m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
}

void RunsPanel::updateButtons()
{
    QVector<aes::RunEntry> selected;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        selected << m_model->run(m_proxy->mapToSource(index).row());
    const bool idle = m_controller->state() == TrainingController::State::Idle;
    const bool oneOk = selected.size() == 1 && selected[0].ok();
    m_openButton->setEnabled(oneOk && idle);
    const bool twoSelected = selected.size() == 2 && selected[0].ok() && selected[1].ok();
    m_compareButton->setEnabled(!m_runs->isComparing() && (twoSelected || m_model->tickedRuns().size() == 2));
    m_renameButton->setEnabled(selected.size() == 1);
    m_deleteButton->setEnabled(!selected.isEmpty());
}

void RunsPanel::pickFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Show the runs of a folder"), m_folder);
    if (!dir.isEmpty())
        setFolder(dir);
}

void RunsPanel::showOverlay()
{
    m_lower->setCurrentWidget(m_overlay);
}

void RunsPanel::showComparison()
{
    m_lower->setCurrentWidget(m_compare);
}

bool RunsPanel::openRun(const QString &dir)
{
    return m_session->openModel(QDir(dir).filePath(aes::runfiles::kCheckpoint));
}

void RunsPanel::openSelected()
{
    const QStringList dirs = selectedRuns();
    if (dirs.size() == 1 && m_model->run(m_model->rowOf(dirs[0])).ok())
        openRun(dirs[0]);
}

bool RunsPanel::compare(const QString &dirA, const QString &dirB)
{
    aes::CompareRequest request;
    request.runA = dirA;
    request.runB = dirB;
    if (!m_runs->compare(request))
        return false;
    m_compareA = nameOf(dirA);
    m_compareB = nameOf(dirB);
    m_compare->showRunning(m_compareA, m_compareB);
    showComparison();
    updateButtons();
    return true;
}

void RunsPanel::compareSelected()
{
    QStringList dirs = selectedRuns();
    if (dirs.size() != 2) {
        dirs.clear();
        for (const aes::RunEntry &run : m_model->tickedRuns())
            dirs << run.dir;
    }
    if (dirs.size() == 2)
        compare(dirs[0], dirs[1]);
}

void RunsPanel::onCompared(const aes::RunComparison &comparison)
{
    m_compare->setComparison(comparison, m_compareA, m_compareB);
    updateButtons();
    Q_EMIT compared(comparison.ok());
}

QString RunsPanel::renameRun(const QString &dir, const QString &newName)
{
    const QString name = newName.trimmed();
    if (name.isEmpty() || name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')) || name == QLatin1String(".")
        || name == QLatin1String(".."))
        return tr("\"%1\" is not a folder name").arg(name);
    const QString from = clean(dir);
    const QString to = QDir(QFileInfo(from).absolutePath()).filePath(name);
    if (to == from)
        return {};
    if (QFileInfo::exists(to))
        return tr("%1 exists already: choose another name").arg(QDir::toNativeSeparators(to));
    const bool current = clean(m_controller->runDirectory()) == from;
    if (current && m_controller->state() != TrainingController::State::Idle)
        return tr("%1 is being trained: stop training first").arg(nameOf(from));
    if (current && !m_session->projectPath().isEmpty())
        return tr("%1 is the open project's run: Save project as\u2026 gives the project and its run another name")
            .arg(nameOf(from));
    if (!QDir().rename(from, to))
        return tr("%1 cannot be renamed to %2").arg(QDir::toNativeSeparators(from), name);
    // The window's model goes on writing into the run under its new name.
    if (current)
        m_controller->setRunDirectory(to);
    refresh();
    return {};
}

void RunsPanel::renameSelected()
{
    const QStringList dirs = selectedRuns();
    if (dirs.size() != 1)
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename run"), tr("New name of %1:").arg(nameOf(dirs[0])),
                                               QLineEdit::Normal, nameOf(dirs[0]), &ok);
    if (!ok)
        return;
    if (const QString error = renameRun(dirs[0], name); !error.isEmpty())
        Q_EMIT problem(tr("Cannot rename the run"), error);
}

QString RunsPanel::deleteRun(const QString &dir)
{
    const QString path = clean(dir);
    if (path == clean(m_controller->runDirectory())
        && (m_controller->state() != TrainingController::State::Idle || m_controller->hasModel()))
        return tr("%1 is the window's current run: New model or open another run before deleting it").arg(nameOf(path));
    if (!QFileInfo(path).isDir())
        return tr("%1 is not a folder").arg(QDir::toNativeSeparators(path));
    // The trash where the desktop has one; otherwise gone for good (the dialog said so).
    if (!QFile::moveToTrash(path) && !QDir(path).removeRecursively())
        return tr("%1 cannot be deleted").arg(QDir::toNativeSeparators(path));
    refresh();
    return {};
}

void RunsPanel::deleteSelected()
{
    const QStringList dirs = selectedRuns();
    if (dirs.isEmpty())
        return;
    QStringList names;
    for (const QString &dir : dirs)
        names << nameOf(dir);
    const auto answer = QMessageBox::question(
        this, tr("Delete runs"),
        tr("Move %n run(s) to the trash?\n\n%1\n\nWhere there is no trash they are deleted for good.", nullptr,
           int(dirs.size())).arg(names.join(QLatin1Char('\n'))),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes)
        return;
    QStringList errors;
    for (const QString &dir : dirs)
        if (const QString error = deleteRun(dir); !error.isEmpty())
            errors << error;
    if (!errors.isEmpty())
        Q_EMIT problem(tr("Cannot delete every run"), errors.join(QLatin1Char('\n')));
    else
        Q_EMIT message(tr("Deleted %n run(s)", nullptr, int(dirs.size())), 5000);
}
