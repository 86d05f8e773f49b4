#include "anomalyexplorer.h"

#include "anomaly/anomalycontroller.h"
#include "anomaly/anomalythreshold.h"
#include "anomalycharts.h"
#include "anomalyexport.h"
#include "anomalylistmodel.h"
#include "projectsession.h"
#include "util/atomicfile.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using aes::TrainingController;

namespace {

const QString kThresholdKey = QStringLiteral("threshold");
const QString kKindKey = QStringLiteral("kind");
const QString kDataKey = QStringLiteral("data");
const QString kNormalKey = QStringLiteral("normal");

} // namespace

AnomalyExplorer::AnomalyExplorer(TrainingController *training, ProjectSession *runs, QWidget *parent)
    : QWidget(parent), m_training(training), m_runs(runs)
{
    m_anomaly = new aes::AnomalyController(this);
    m_model = new AnomalyListModel(this);
    m_visibleTimer = new QTimer(this);
    m_visibleTimer->setSingleShot(true);
    m_visibleTimer->setInterval(30);  // one request per burst of scrolling
    connect(m_visibleTimer, &QTimer::timeout, this, &AnomalyExplorer::requestVisiblePictures);

    auto *splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(createResults());
    auto *side = new QWidget;
    auto *sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    m_histogram = new AnomalyHistogram;
    m_curves = new AnomalyCurves;
    sideLayout->addWidget(m_histogram, 1);
    sideLayout->addWidget(m_curves, 1);
    auto *verdictBox = new QGroupBox(tr("At the threshold"));
    auto *verdictLayout = new QFormLayout(verdictBox);
    m_thresholdBox = new QDoubleSpinBox;
    m_thresholdBox->setDecimals(6);
    m_thresholdBox->setKeyboardTracking(false);
    m_thresholdBox->setEnabled(false);
    m_thresholdBox->setToolTip(tr("Images scoring at least this much are flagged"));
    verdictLayout->addRow(tr("Threshold:"), m_thresholdBox);
    m_verdictLabel = new QLabel(tr("No scores yet"));
    m_verdictLabel->setWordWrap(true);
    m_verdictLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    verdictLayout->addRow(m_verdictLabel);
    auto *exports = new QHBoxLayout;
    m_exportCsvButton = new QPushButton(tr("Export list\u2026"));
    m_exportCsvButton->setToolTip(tr("Every scored image as CSV: path, label, score, flagged"));
    m_copyButton = new QPushButton(tr("Copy flagged images\u2026"));
    m_copyButton->setToolTip(tr("Copy the files at or above the threshold to a folder, keeping their relative names"));
    exports->addWidget(m_exportCsvButton);
    exports->addWidget(m_copyButton);
    exports->addStretch(1);
    verdictLayout->addRow(exports);
    sideLayout->addWidget(verdictBox);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 5);
    splitter->setStretchFactor(1, 4);
    splitter->setSizes({460, 440});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createControls());
    layout->addWidget(splitter, 1);

    connect(m_anomaly, &aes::AnomalyController::progress, this, [this](const QString &step, qint64 done, qint64 total) {
        m_progress->setRange(0, int(std::max<qint64>(total, 1)));
        m_progress->setValue(int(done));
        m_status->setText(step == QLatin1String("loading") ? tr("Loading the images\u2026")
                                                           : tr("Scoring %L1 of %L2\u2026").arg(done).arg(total));
    });
    connect(m_anomaly, &aes::AnomalyController::scored, this, &AnomalyExplorer::onScored);
    connect(m_anomaly, &aes::AnomalyController::imageReady, m_model, &AnomalyListModel::setPictures);
    connect(m_training, &TrainingController::runSaved, this, &AnomalyExplorer::onRunSaved);
    connect(m_training, &TrainingController::datasetLoaded, this, [this](const aes::DatasetSummary &summary) {
        m_loadedPath = summary.source;
        setDataPath(m_dataPath);
    });
    connect(m_training, &TrainingController::trainingStarted, this, [this](const aes::RunInfo &run) {
        m_sameModel = m_sameModel && run.continued;
    });
    connect(m_training, &TrainingController::modelChanged, this, [this](bool hasModel) {
        m_sameModel = m_sameModel && hasModel;
    });
    connect(m_training, &TrainingController::modelOpened, this, [this] { m_sameModel = false; });
    connect(m_training, &TrainingController::stateChanged, this, &AnomalyExplorer::updateBusy);
    connect(m_training, &TrainingController::modelChanged, this, &AnomalyExplorer::updateBusy);
    connect(m_histogram, &AnomalyHistogram::thresholdDragged, this, [this](double t) { applyThreshold(t, false); });
    connect(m_histogram, &AnomalyHistogram::thresholdChosen, this, [this](double t) { applyThreshold(t, true); });
    connect(m_thresholdBox, &QDoubleSpinBox::valueChanged, this, [this](double t) { applyThreshold(t, true); });
    connect(m_exportCsvButton, &QPushButton::clicked, this, &AnomalyExplorer::exportCsvWithDialog);
    connect(m_copyButton, &QPushButton::clicked, this, &AnomalyExplorer::exportFlaggedWithDialog);
    setDataPath({});
    updateBusy();
}

AnomalyExplorer::~AnomalyExplorer() = default;

QWidget *AnomalyExplorer::createControls()
{
    auto *box = new QWidget;
    auto *rows = new QVBoxLayout(box);
    rows->setContentsMargins(0, 0, 0, 0);
    auto *data = new QHBoxLayout;
    m_dataLabel = new QLabel;
    m_dataLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_dataLabel->setMinimumWidth(120);
    m_dataLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    auto *folder = new QPushButton(tr("Folder\u2026"));
    folder->setToolTip(tr("Score every image under a folder (its subfolders are the classes)"));
    auto *idx = new QPushButton(tr("IDX file\u2026"));
    idx->setToolTip(tr("Score the images of an MNIST-format IDX file"));
    auto *loaded = new QPushButton(tr("Loaded dataset"));
    loaded->setToolTip(tr("Score the dataset the window has loaded"));
    data->addWidget(new QLabel(tr("Score:")));
    data->addWidget(m_dataLabel, 1);
    data->addWidget(folder);
    data->addWidget(idx);
    data->addWidget(loaded);
    connect(folder, &QPushButton::clicked, this, &AnomalyExplorer::chooseFolder);
    connect(idx, &QPushButton::clicked, this, &AnomalyExplorer::chooseIdxFile);
    connect(loaded, &QPushButton::clicked, this, [this] { setDataPath({}); });

    auto *run = new QHBoxLayout;
    m_kind = new QComboBox;
    m_kind->addItem(tr("MSE"), QVariant::fromValue(int(aes::ScoreKind::Mse)));
    m_kind->addItem(tr("1 \u2212 SSIM"), QVariant::fromValue(int(aes::ScoreKind::Ssim)));
    m_kind->addItem(tr("Max of the smoothed error"), QVariant::fromValue(int(aes::ScoreKind::MaxSmoothed)));
    m_kind->setToolTip(tr("MSE: the mean squared error. 1 \u2212 SSIM: structural difference. Max of the "
                          "smoothed error: the worst spot after a blur, for small defects"));
    m_normal = new QLineEdit;
    m_normal->setMaximumWidth(260);
    m_normal->setPlaceholderText(tr("automatic: good/normal/ok, else the trained-on classes"));
    m_normal->setToolTip(tr("The normal classes, separated by commas; every other class counts as anomalous"));
    m_scoreButton = new QPushButton(tr("Score"));
    m_scoreButton->setDefault(true);
    m_cancelButton = new QPushButton(tr("Cancel"));
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(160);
    m_progress->setTextVisible(false);
    m_status = new QLabel;
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setMinimumWidth(120);
    run->addWidget(new QLabel(tr("Score kind:")));
    run->addWidget(m_kind);
    run->addWidget(new QLabel(tr("Normal classes:")));
    run->addWidget(m_normal, 1);
    run->addWidget(m_scoreButton);
    run->addWidget(m_cancelButton);
    run->addWidget(m_progress);
    run->addWidget(m_status, 1);
    connect(m_scoreButton, &QPushButton::clicked, this, &AnomalyExplorer::score);
    connect(m_cancelButton, &QPushButton::clicked, this, &AnomalyExplorer::cancel);
    connect(m_normal, &QLineEdit::editingFinished, this, &AnomalyExplorer::updateGroups);

    rows->addLayout(data);
    rows->addLayout(run);
    return box;
}

QWidget *AnomalyExplorer::createResults()
{
    m_list = new QTableView;
    m_list->setModel(m_model);
    m_list->setSortingEnabled(true);
    m_list->horizontalHeader()->setSortIndicator(AnomalyListModel::ScoreColumn, Qt::DescendingOrder);
    m_list->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_list->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_list->setIconSize(QSize(AnomalyListModel::kThumbnailSide, AnomalyListModel::kThumbnailSide));
    m_list->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_list->verticalHeader()->setDefaultSectionSize(AnomalyListModel::kThumbnailSide + 6);
    m_list->verticalHeader()->hide();
    m_list->horizontalHeader()->setStretchLastSection(true);
    for (int c : {AnomalyListModel::ImageColumn, AnomalyListModel::ReconstructionColumn, AnomalyListModel::HeatmapColumn})
        m_list->setColumnWidth(c, AnomalyListModel::kThumbnailSide + 14);
    m_list->setColumnWidth(AnomalyListModel::ScoreColumn, 72);
    m_list->setColumnWidth(AnomalyListModel::ClassColumn, 100);
    m_list->setColumnWidth(AnomalyListModel::FlaggedColumn, 64);
    m_list->setMinimumWidth(420);
    const auto later = [this] { m_visibleTimer->start(); };
    connect(m_list->verticalScrollBar(), &QScrollBar::valueChanged, this, later);
    connect(m_list->verticalScrollBar(), &QScrollBar::rangeChanged, this, later);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, later);
    connect(m_model, &QAbstractItemModel::modelReset, this, later);
    return m_list;
}

void AnomalyExplorer::setDataPath(const QString &path)
{
    m_dataPath = path;
    const QString shown = dataPath();
    m_dataLabel->setText(shown.isEmpty() ? tr("the data the model was trained on")
                                         : QDir::toNativeSeparators(shown));
    m_dataLabel->setToolTip(m_dataLabel->text());
}

QString AnomalyExplorer::dataPath() const
{
    return m_dataPath.isEmpty() ? m_loadedPath : m_dataPath;
}

void AnomalyExplorer::setScoreKind(aes::ScoreKind kind)
{
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(int(kind))));
}

aes::ScoreKind AnomalyExplorer::scoreKind() const
{
    return aes::ScoreKind(m_kind->currentData().toInt());
}

void AnomalyExplorer::setNormalClasses(const QStringList &names)
{
    m_normal->setText(names.join(QStringLiteral(", ")));
    updateGroups();
}

void AnomalyExplorer::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Score the images of a folder"), dataPath());
    if (!dir.isEmpty())
        setDataPath(dir);
}

void AnomalyExplorer::chooseIdxFile()
{
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Score the images of an IDX file"), QStringLiteral("/usr/share/datasets"),
        tr("IDX image files (*idx3-ubyte *idx3-ubyte.gz *.idx *.idx.gz);;All files (*)"));
    if (!file.isEmpty())
        setDataPath(file);
}

bool AnomalyExplorer::isBusy() const
{
    return m_waitsForSave || m_anomaly->isScoring();
}

void AnomalyExplorer::updateBusy()
{
    const bool busy = isBusy();
    m_scoreButton->setEnabled(!busy && m_training->hasModel());
    m_scoreButton->setToolTip(m_training->hasModel() ? tr("Score every image with the current model")
                                                     : tr("Train or open a model first"));
    m_cancelButton->setEnabled(busy);
    m_progress->setVisible(busy);
    m_kind->setEnabled(!busy);
    const bool haveScores = m_scores.size() > 0 && !busy;
    m_exportCsvButton->setEnabled(haveScores);
    m_copyButton->setEnabled(haveScores && QFileInfo(m_scores.source).isDir());
    m_thresholdBox->setEnabled(haveScores);
}

bool AnomalyExplorer::score()
{
    if (isBusy())
        return false;
    if (!m_training->hasModel()) {
        Q_EMIT message(tr("Train or open a model before scoring"), 5000);
        Q_EMIT scored(false);
        return false;
    }
    if (m_training->state() == TrainingController::State::Idle) {
        // The model as it is now: its run files first (the checkpoint the scoring reads).
        if (m_training->runDirectory().isEmpty())
            m_runs->prepareNewRun();
        m_waitsForSave = m_training->saveRun(m_training->runDirectory());
        if (m_waitsForSave) {
            m_status->setText(tr("Saving the model\u2026"));
            updateBusy();
            return true;
        }
    }
    startScoring();
    return true;
}

void AnomalyExplorer::onRunSaved(const QString &dir, const QString &error)
{
    // The scored model saved elsewhere (its project was saved): the threshold goes with it.
    if (error.isEmpty() && m_sameModel && QDir::cleanPath(dir) != QDir::cleanPath(m_thresholdRunDir)) {
        m_thresholdRunDir = dir;
        if (m_thresholdWritten)
            writeThreshold();
    }
    if (!m_waitsForSave)
        return;
    m_waitsForSave = false;
    if (!error.isEmpty()) {
        m_status->setText(tr("Not scored"));
        updateBusy();
        Q_EMIT problem(tr("Cannot score"), tr("The model could not be saved: %1").arg(error));
        Q_EMIT scored(false);
        return;
    }
    startScoring();
}

void AnomalyExplorer::startScoring()
{
    const QString runDir = m_training->runDirectory();
    if (!ProjectSession::hasCheckpoint(runDir)) {
        updateBusy();
        Q_EMIT problem(tr("Cannot score"), tr("No checkpoint has been saved yet (the first epoch has not ended)."));
        Q_EMIT scored(false);
        return;
    }
    aes::AnomalyRequest request;
    request.runDir = runDir;
    request.dataPath = dataPath();
    request.kind = scoreKind();
    m_model->clear();
    m_anomaly->scoreFolder(request);
    m_progress->setRange(0, 0);
    m_status->setText(tr("Loading the model and the images\u2026"));
    updateBusy();
}

void AnomalyExplorer::cancel()
{
    if (m_waitsForSave) {
        m_waitsForSave = false;  // the save goes on; its answer is ignored
        m_status->setText(tr("Cancelled"));
        updateBusy();
        Q_EMIT scored(false);
    }
    m_anomaly->cancel();
}

void AnomalyExplorer::onScored(const aes::AnomalyScores &scores)
{
    if (scores.cancelled) {
        m_status->setText(tr("Cancelled"));
        updateBusy();
        Q_EMIT message(tr("Scoring cancelled"), 5000);
        Q_EMIT scored(false);
        return;
    }
    if (!scores.error.isEmpty()) {
        m_status->setText(tr("Not scored"));
        updateBusy();
        Q_EMIT problem(tr("Cannot score"), scores.error);
        Q_EMIT scored(false);
        return;
    }
    m_scores = scores;
    m_thresholdRunDir = scores.request.runDir;
    m_thresholdWritten = false;
    m_sameModel = true;
    m_status->setText(tr("%L1 scored (epoch %2)").arg(scores.size()).arg(scores.epoch));
    m_status->setToolTip(tr("%L1 images of %2 scored with the model of epoch %3")
                             .arg(scores.size()).arg(QDir::toNativeSeparators(scores.source)).arg(scores.epoch));
    const auto [lo, hi] = std::minmax_element(m_scores.scores.begin(), m_scores.scores.end());
    const double low = m_scores.scores.isEmpty() ? 0.0 : *lo;
    const double high = m_scores.scores.isEmpty() ? 1.0 : *hi;
    {
        const QSignalBlocker block(m_thresholdBox);
        // About four significant digits at the scores' scale (MSE can be 1e-4, SSIM near 1).
        const double magnitude = std::max(std::abs(high), 1e-12);
        m_thresholdBox->setDecimals(std::clamp(4 - int(std::floor(std::log10(magnitude))), 2, 12));
        m_thresholdBox->setRange(low, high);
        m_thresholdBox->setSingleStep(std::max((high - low) / 100.0, 1e-6));
    }
    m_newScores = true;
    updateGroups();  // the list, the plots, and the threshold
    updateBusy();
    Q_EMIT scored(true);
}

// Normal and anomalous images from the normal classes, and everything that shows them.
void AnomalyExplorer::updateGroups()
{
    m_anomalous.clear();
    if (!m_scores.classNames.isEmpty()) {
        QStringList given;
        for (const QString &name : m_normal->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
            if (!name.trimmed().isEmpty())
                given << name.trimmed();
        QString error;
        if (const auto normal = aes::normalClasses(m_scores.classNames, given, m_scores.trainedOn, &error)) {
            m_anomalous.resize(m_scores.labels.size());
            for (int i = 0; i < m_scores.labels.size(); ++i)
                m_anomalous[i] = m_scores.labels[i] >= 0 && !normal->contains(m_scores.labels[i]);
        } else {
            Q_EMIT message(error, 8000);
        }
    }
    const bool groups = m_anomalous.contains(true) && m_anomalous.contains(false);
    m_model->setScores(m_scores, groups ? m_anomalous : QVector<bool>());
    m_list->horizontalHeader()->setSortIndicator(AnomalyListModel::ScoreColumn, Qt::DescendingOrder);
    m_histogram->setScores(m_scores.scores, m_anomalous);
    m_curves->setScores(m_scores.scores, m_anomalous);

    // New scores: the project's threshold when it was made for this kind of score, else the
    // best F1, else the 95th percentile of the scores. Other groups keep the threshold.
    double threshold = m_threshold;
    const bool pick = m_newScores;
    m_newScores = false;
    if (!pick) {
    } else if (m_savedThreshold && m_savedKind == m_scores.request.kind) {
        threshold = *m_savedThreshold;
        m_savedThreshold.reset();
    } else if (groups) {
        threshold = aes::evaluateScores(m_scores.scores, m_anomalous).threshold;
    } else if (!m_scores.scores.isEmpty()) {
        QVector<double> sorted = m_scores.scores;
        std::sort(sorted.begin(), sorted.end());
        threshold = sorted[int(std::floor(0.95 * (sorted.size() - 1)))];
    }
    applyThreshold(threshold, false);
}

void AnomalyExplorer::setThreshold(double threshold)
{
    applyThreshold(threshold, true);
}

// commit: the user settled on it; the run directory gets it.
void AnomalyExplorer::applyThreshold(double threshold, bool commit)
{
    if (!std::isfinite(threshold))
        return;
    m_threshold = threshold;
    {
        const QSignalBlocker block(m_thresholdBox);
        m_thresholdBox->setValue(threshold);
    }
    m_histogram->setThreshold(threshold);
    m_model->setThreshold(threshold);
    updateVerdicts();
    if (commit)
        writeThreshold();
}

void AnomalyExplorer::writeThreshold()
{
    if (m_thresholdRunDir.isEmpty() || m_scores.scores.isEmpty())
        return;
    aes::AnomalyThreshold saved;
    saved.kind = m_scores.request.kind;
    saved.sigma = m_scores.request.sigma;
    saved.threshold = m_threshold;
    m_thresholdWritten = true;
    if (const QString error = aes::writeAnomalyThreshold(m_thresholdRunDir, saved); !error.isEmpty())
        Q_EMIT message(tr("The threshold could not be saved with the model: %1").arg(error), 8000);
}

aes::Verdicts AnomalyExplorer::verdicts() const
{
    if (m_anomalous.size() == m_scores.scores.size())
        return aes::verdictsAt(m_scores.scores, m_anomalous, m_threshold);
    return aes::verdictsAt(m_scores.scores, QVector<bool>(m_scores.scores.size(), false), m_threshold);
}

QString AnomalyExplorer::verdictText() const
{
    if (m_scores.scores.isEmpty())
        return tr("No scores yet");
    const aes::Verdicts v = verdicts();
    const qint64 flagged = v.truePositives + v.falsePositives;
    if (!(m_anomalous.contains(true) && m_anomalous.contains(false)))
        return tr("%L1 of %L2 images flagged").arg(flagged).arg(m_scores.size());
    return tr("%L1 flagged: %L2 anomalous, %L3 normal\n%L4 anomalous missed, %L5 normal passed")
        .arg(flagged).arg(v.truePositives).arg(v.falsePositives).arg(v.falseNegatives).arg(v.trueNegatives);
}

void AnomalyExplorer::updateVerdicts()
{
    m_verdictLabel->setText(verdictText());
    m_curves->setVerdicts(verdicts());
}

void AnomalyExplorer::requestVisiblePictures()
{
    if (m_model->rowCount() == 0 || m_anomaly->isScoring())
        return;
    const int first = std::max(0, m_list->rowAt(0));
    int last = m_list->rowAt(m_list->viewport()->height() - 1);
    if (last < 0)
        last = m_model->rowCount() - 1;
    // Rows scrolled past are not wanted any more; the top row is answered first (newest first).
    m_anomaly->clearImageRequests();
    const QVector<qint64> missing = m_model->picturesMissing(first, last);
    for (auto it = missing.rbegin(); it != missing.rend(); ++it)
        m_anomaly->requestImage(*it);
}

QString AnomalyExplorer::exportCsv(const QString &path) const
{
    QVector<qint64> order(m_model->rowCount());
    for (int row = 0; row < order.size(); ++row)
        order[row] = m_model->imageAt(row);
    return writeAnomalyCsv(path, m_scores, order, m_threshold);
}

QString AnomalyExplorer::exportFlagged(const QString &folder, int *copied) const
{
    return copyFlaggedImages(folder, m_scores, m_threshold, copied);
}

void AnomalyExplorer::exportCsvWithDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the scored list"),
                                                      QDir::home().filePath(QStringLiteral("anomaly-scores.csv")),
                                                      tr("CSV files (*.csv)"));
    if (path.isEmpty())
        return;
    if (const QString error = exportCsv(path); !error.isEmpty())
        Q_EMIT problem(tr("Export failed"), error);
    else
        Q_EMIT message(tr("%L1 scores written to %2").arg(m_scores.size()).arg(QDir::toNativeSeparators(path)), 8000);
}

void AnomalyExplorer::exportFlaggedWithDialog()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Copy the flagged images to"));
    if (folder.isEmpty())
        return;
    int copied = 0;
    if (const QString error = exportFlagged(folder, &copied); !error.isEmpty())
        Q_EMIT problem(tr("Copy failed"), tr("%1 (%L2 copied before)").arg(error).arg(copied));
    else
        Q_EMIT message(tr("%L1 flagged images copied to %2").arg(copied).arg(QDir::toNativeSeparators(folder)), 8000);
}

QJsonObject AnomalyExplorer::viewState() const
{
    QJsonObject state{{kKindKey, aes::toString(scoreKind())}, {kDataKey, m_dataPath}};
    if (!m_normal->text().trimmed().isEmpty())
        state.insert(kNormalKey, m_normal->text().trimmed());
    if (m_scores.size() > 0)
        state.insert(kThresholdKey, m_threshold);
    return state;
}

void AnomalyExplorer::applyViewState(const QJsonObject &state)
{
    if (const auto kind = aes::scoreKindFromString(state.value(kKindKey).toString())) {
        setScoreKind(*kind);
        m_savedKind = *kind;
    }
    setDataPath(state.value(kDataKey).toString());
    m_normal->setText(state.value(kNormalKey).toString());
    if (state.contains(kThresholdKey)) {
        m_savedThreshold = state.value(kThresholdKey).toDouble();
        if (m_scores.size() > 0 && m_scores.request.kind == m_savedKind) {
            applyThreshold(*m_savedThreshold, false);
            m_savedThreshold.reset();
        }
    }
}
