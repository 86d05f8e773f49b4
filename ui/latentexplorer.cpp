#include "latentexplorer.h"

#include "imagecaption.h"
#include "interpolationstrip.h"
#include "latent/selection.h"
#include "latentmap.h"
#include "selectionactions.h"
#include "selectionstrip.h"
#include "soundplayer.h"
#include "spectrogramview.h"
#include "traversalgrid.h"
#include "worstlist.h"

#include <QApplication>
#include <QFileDialog>
#include <QLocale>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QShortcut>
#include <QSlider>
#include <QSpinBox>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {
constexpr int kPlayIntervalMs = 450;    // the scrubber's replay: about two epochs a second
constexpr int kToolsHeight = 150;
constexpr int kSelectionImages = 1;     // the purpose of the selection strip's image requests
} // namespace

LatentExplorer::LatentExplorer(aes::TrainingController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    m_map = new LatentMap;
    m_fileActions = new SelectionActions(this, this);
    connect(m_fileActions, &SelectionActions::message, this, &LatentExplorer::message);
    m_worst = new WorstList;
    m_tools = new QTabWidget;
    m_tools->setDocumentMode(true);
    m_selection = new SelectionStrip;
    m_tools->addTab(m_selection, tr("Selection"));
    m_tools->addTab(m_worst, tr("Worst reconstructions"));
    m_tools->addTab(createInterpolationPage(), tr("Interpolation"));
    m_tools->addTab(createTraversalPage(), tr("Traversal grid"));
    m_tools->setFixedHeight(kToolsHeight);
    // P plays the hovered clip (audio data): the card under the mouse cannot take a click.
    m_playKey = new QShortcut(QKeySequence(Qt::Key_P), this);
    m_playKey->setEnabled(false);
    connect(m_playKey, &QShortcut::activated, this, [this] {
        if (m_audio && !m_map->playHovered())
            Q_EMIT message(tr("Hover a point of the map, then press P to hear it."), 4000);
    });
    connect(m_map, &LatentMap::playRequested, this, &LatentExplorer::play);
    m_traversalDialog = new TraversalDialog(this);
    connect(m_traversalDialog, &TraversalDialog::playRequested, this, &LatentExplorer::play);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_map, 1);
    layout->addWidget(createScrubber());
    layout->addWidget(m_tools);

    connect(m_worst, &WorstList::pointSelected, m_map, &LatentMap::highlightPoint);
    connect(m_map, &LatentMap::pointPicked, this, &LatentExplorer::onPointPicked);
    connect(m_map, &LatentMap::selectionChanged, this, &LatentExplorer::updateSelection);
    connect(m_map, &LatentMap::message, this, [this](const QString &text) { Q_EMIT message(text, 5000); });
    connect(m_selection, &SelectionStrip::pointSelected, m_map, &LatentMap::highlightPoint);
    connect(m_selection, &SelectionStrip::hideRequested, m_map, &LatentMap::hideSelection);
    connect(m_selection, &SelectionStrip::showHiddenRequested, this, [this] {
        m_map->showHiddenPoints();
        updateSelection();
    });
    connect(m_selection, &SelectionStrip::clearRequested, m_map, &LatentMap::clearSelection);
    connect(m_selection, &SelectionStrip::exportListRequested, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the selection's file list"), QString(),
                                                          tr("CSV files (*.csv)"));
        if (!path.isEmpty())
            if (const QString e = exportSelectionList(path); !e.isEmpty())
                Q_EMIT message(e, 8000);
    });
    const auto askFolder = [this](const QString &title, QString (LatentExplorer::*action)(const QString &)) {
        const QString dir = QFileDialog::getExistingDirectory(this, title);
        if (!dir.isEmpty())
            if (const QString e = (this->*action)(dir); !e.isEmpty())
                Q_EMIT message(e, 8000);
    };
    connect(m_selection, &SelectionStrip::copyRequested, this, [this, askFolder] {
        askFolder(tr("Copy the selected images into an empty folder"), &LatentExplorer::copySelection);
    });
    connect(m_selection, &SelectionStrip::openAsDatasetRequested, this, [this, askFolder] {
        askFolder(tr("Copy the selected images into an empty folder and open it"), &LatentExplorer::openSelectionAsDataset);
    });
    connect(m_map, &LatentMap::exportClustersRequested, this, [this, askFolder] {
        askFolder(tr("Copy every image into an empty folder, a subfolder per cluster"), &LatentExplorer::exportClusters);
    });
    // The map's point cap is the engine's: maps from now on are sampled to it.
    m_controller->setMapPointCap(m_map->pointCap());
    connect(m_map, &LatentMap::pointCapChanged, m_controller, &aes::TrainingController::setMapPointCap);
    connectController();
    updateScrubber();
}

QWidget *LatentExplorer::createScrubber()
{
    m_play = new QToolButton;
    m_play->setText(tr("Play"));
    m_play->setCheckable(true);
    m_play->setToolTip(tr("Replay how the map formed, epoch by epoch"));
    m_scrubber = new QSlider(Qt::Horizontal);
    m_scrubber->setPageStep(1);
    m_scrubber->setToolTip(tr("The map after each epoch: drag to see how it formed"));
    m_epochLabel = new QLabel;
    m_epochLabel->setMinimumWidth(150);
    m_playTimer = new QTimer(this);
    m_playTimer->setInterval(kPlayIntervalMs);
    connect(m_scrubber, &QSlider::valueChanged, this, [this](int position) {
        if (position != m_shown)
            showHistory(position);
    });
    connect(m_play, &QToolButton::toggled, this, [this](bool playing) {
        if (playing && m_scrubber->value() >= m_scrubber->maximum())
            m_scrubber->setValue(0);
        playing ? m_playTimer->start() : m_playTimer->stop();
    });
    connect(m_playTimer, &QTimer::timeout, this, [this] {
        if (m_scrubber->value() >= m_scrubber->maximum())
            m_play->setChecked(false);
        else
            m_scrubber->setValue(m_scrubber->value() + 1);
    });
    auto *row = new QWidget;
    auto *layout = new QHBoxLayout(row);
    layout->setContentsMargins(6, 0, 6, 0);
    layout->addWidget(new QLabel(tr("Epochs")));
    layout->addWidget(m_play);
    layout->addWidget(m_scrubber, 1);
    layout->addWidget(m_epochLabel);
    return row;
}

void LatentExplorer::setAudio(const std::optional<aes::AudioOptions> &audio, SoundPlayer *player)
{
    m_audio = audio;
    m_player = player;
    const bool on = audio.has_value();
    // Without an audio output the buttons stay, disabled, saying why.
    const bool canPlay = player && player->available();
    const QString reason = player ? player->unavailableReason() : tr("No audio output");
    m_map->setSpectrograms(on, canPlay, reason);
    m_strip->setSpectrograms(on);
    m_traversalDialog->setSpectrograms(on, canPlay, reason);
    m_playStrip->setVisible(on);
    m_playStrip->setEnabled(canPlay);
    m_playStrip->setToolTip(canPlay ? tr("The strip's clips one after another, from A to B") : reason);
    m_playKey->setEnabled(on);
}

bool LatentExplorer::playInterpolation()
{
    const QImage sweep = SpectrogramView::concatenated(m_strip->images());
    if (sweep.isNull())
        return false;
    play(sweep, tr("the interpolation"));
    return true;
}

void LatentExplorer::play(const QImage &spectrogram, const QString &what)
{
    if (!m_audio || !m_player)
        return;
    m_player->play(spectrogram, *m_audio, what);
}

QWidget *LatentExplorer::createInterpolationPage()
{
    auto *page = new QWidget;
    m_strip = new InterpolationStrip;
    m_strip->setHint(tr("Shift+click two points of the map (A, then B), or pin a point and use the buttons: "
                        "the images decoded on the way from A's code to B's appear here."));
    m_steps = new QSpinBox;
    m_steps->setRange(3, 32);
    m_steps->setValue(10);
    m_steps->setToolTip(tr("Images in the strip, both ends included"));
    connect(m_steps, &QSpinBox::valueChanged, this, [this] { requestInterpolation(); });
    auto *controls = new QGridLayout;
    for (int end = 0; end < 2; ++end) {
        m_endLabels[end] = new QLabel;
        m_endLabels[end]->setMinimumWidth(150);
        auto *use = new QPushButton(end == 0 ? tr("Pinned as A") : tr("Pinned as B"));
        use->setToolTip(tr("Use the point pinned on the map"));
        connect(use, &QPushButton::clicked, this, [this, end] {
            if (m_map->pinnedPoint() < 0)
                Q_EMIT message(tr("Pin a point first: click it on the map."), 4000);
            else
                setInterpolationEnd(end, m_map->pinnedPoint());
        });
        controls->addWidget(m_endLabels[end], end, 0);
        controls->addWidget(use, end, 1);
    }
    auto *stepsRow = new QHBoxLayout;
    stepsRow->addWidget(new QLabel(tr("Images")));
    stepsRow->addWidget(m_steps);
    controls->addLayout(stepsRow, 2, 0, 1, 2);
    m_playStrip = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play A \u2192 B"));
    m_playStrip->setObjectName(QStringLiteral("interpolationPlay"));
    m_playStrip->setToolTip(tr("The strip's clips one after another, from A to B"));
    m_playStrip->hide();
    connect(m_playStrip, &QPushButton::clicked, this, [this] {
        if (!playInterpolation())
            Q_EMIT message(tr("Pick two points first: the strip is empty."), 4000);
    });
    controls->addWidget(m_playStrip, 3, 0, 1, 2);
    controls->setRowStretch(4, 1);
    auto *layout = new QHBoxLayout(page);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addLayout(controls);
    layout->addWidget(m_strip, 1);
    updateEndLabels();
    return page;
}

QWidget *LatentExplorer::createTraversalPage()
{
    auto *page = new QWidget;
    auto *text = new QLabel(tr("Decodes a grid of images over the part of the map you see: zoom and pan "
                               "the map first. The grid can be saved as a PNG."));
    text->setWordWrap(true);
    m_gridSize = new QSpinBox;
    m_gridSize->setRange(2, 32);
    m_gridSize->setValue(12);
    m_gridSize->setSuffix(tr(" per side"));
    m_traverse = new QPushButton(tr("Decode visible region"));
    connect(m_traverse, &QPushButton::clicked, this, &LatentExplorer::requestTraversal);
    auto *row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Grid")));
    row->addWidget(m_gridSize);
    row->addWidget(m_traverse);
    row->addStretch(1);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(text);
    layout->addLayout(row);
    layout->addStretch(1);
    return page;
}

void LatentExplorer::connectController()
{
    aes::TrainingController *c = m_controller;
    connect(c, &aes::TrainingController::latentMapReady, this, &LatentExplorer::addMap);
    connect(c, &aes::TrainingController::latentMapFailed, this,
            [this](const QString &text) { Q_EMIT message(tr("Latent map: %1").arg(text), 6000); });
    connect(c, &aes::TrainingController::decodedImage, m_map, &LatentMap::setDecodedImage);
    connect(c, &aes::TrainingController::datasetImage, m_map, &LatentMap::setImage);
    connect(c, &aes::TrainingController::pointDetails, m_map, &LatentMap::setPointDetails);
    connect(m_map, &LatentMap::imageRequested, c, &aes::TrainingController::requestImage);
    connect(m_selection, &SelectionStrip::imagesWanted, this,
            [c](const QVector<qint64> &rows) { c->requestImages(kSelectionImages, rows); });
    connect(c, &aes::TrainingController::imagesReady, this, [this](const aes::ImageSet &images) {
        if (images.purpose == kSelectionImages)
            m_selection->setImages(images);
    });
    connect(m_map, &LatentMap::decodeRequested, c, &aes::TrainingController::decodeAt);
    connect(m_map, &LatentMap::projectionRequested, this, [this](std::optional<aes::ProjectionMethod> method, int dimX,
                                                                 int dimY, const aes::UmapParameters &umap) {
        if (!m_controller->requestLatentMap(method, dimX, dimY, umap))
            Q_EMIT message(tr("Train a model first: the map shows its codes."), 4000);
        else if (method && aes::isIterative(*method))
            Q_EMIT message(tr("%1 of %2 images: this can take a while.")
                               .arg(method == aes::ProjectionMethod::Umap ? tr("UMAP") : tr("t-SNE"))
                               .arg(m_controller->datasetSummary().count), 0);
    });
    connect(c, &aes::TrainingController::interpolationReady, this, [this](const aes::Interpolation &result) {
        if (result.from == m_ends[0] && result.to == m_ends[1])
            m_strip->setImages(result.images);
    });
    connect(c, &aes::TrainingController::traversalReady, this, [this](const aes::TraversalGrid &grid) {
        m_traversalDialog->setGrid(grid);
        m_traversalDialog->show();
        m_traversalDialog->raise();
    });
    // A new model or dataset: the maps kept belong to nothing.
    connect(c, &aes::TrainingController::modelChanged, this, [this](bool hasModel) {
        if (!hasModel)
            clear();
    });
}

void LatentExplorer::addMap(const aes::LatentSnapshot &map)
{
    if (map.partial) {
        // An intermediate t-SNE layout: shown live, not kept.
        m_map->setReplay(false);
        m_map->setMap(map);
        return;
    }
    const bool live = m_shown < 0 || m_shown == m_history.size() - 1;
    // One history per projection: switching to t-SNE and back finds the epochs again.
    const QString key = QStringLiteral("%1 %2 %3").arg(aes::toString(map.method)).arg(map.dimX).arg(map.dimY);
    if (!m_history.isEmpty() && m_history.last().rowCount() != map.rowCount()) {
        m_history.clear();  // another dataset: the old maps belong to nothing
        m_histories.clear();
    }
    const bool sameKind = key == m_historyKey;
    if (!sameKind) {
        if (!m_history.isEmpty())
            m_histories.insert(m_historyKey, m_history);
        m_history = m_histories.take(key);  // empty when this projection is new
        m_historyKey = key;
    }
    aes::LatentSnapshot kept = map;
    if (!m_history.isEmpty()) {
        aes::LatentSnapshot &last = m_history.last();
        if (kept.labels == last.labels)
            kept.labels = last.labels;  // one shared copy for every epoch
        last.worstImages.clear();       // only the shown map's list needs them
        last.codes.clear();             // the map keeps the newest codes for searches
        if (last.epoch == kept.epoch)
            m_history.removeLast();     // a map asked for again within the epoch
    }
    if (m_history.size() >= kMaxEpochs)
        m_history.remove(1);            // keep the first: where the map started
    m_history.append(kept);
    m_worst->setMap(map);
    if (live || !sameKind) {
        m_shown = int(m_history.size()) - 1;
        m_map->setReplay(false);
        m_map->setMap(map);
    }
    updateScrubber();
}

void LatentExplorer::clear()
{
    m_play->setChecked(false);
    m_history.clear();
    m_histories.clear();
    m_historyKey.clear();
    m_shown = -1;
    m_ends[0] = m_ends[1] = -1;
    m_nextEnd = 0;
    m_map->setReplay(false);
    m_map->clear();
    m_worst->clear();
    m_strip->setImages({});
    updateEndLabels();
    updateScrubber();
}

void LatentExplorer::showHistory(int position)
{
    if (position < 0 || position >= m_history.size())
        return;
    m_shown = position;
    const bool newest = position == m_history.size() - 1;
    m_map->setReplay(!newest, tr("Replaying epoch %1 of %2: clicks decode again at the newest map.")
                                  .arg(m_history.at(position).epoch)
                                  .arg(m_history.last().epoch));
    m_map->setMap(m_history.at(position));
    updateScrubber();
}

void LatentExplorer::updateScrubber()
{
    const QSignalBlocker block(m_scrubber);
    const int count = int(m_history.size());
    m_scrubber->setRange(0, std::max(0, count - 1));
    m_scrubber->setValue(std::max(0, m_shown));
    m_scrubber->setEnabled(count > 1);
    m_play->setEnabled(count > 1);
    if (count == 0)
        m_epochLabel->setText(tr("no maps yet"));
    else if (m_shown == count - 1 || m_shown < 0)
        m_epochLabel->setText(tr("epoch %1 (newest)").arg(m_history.last().epoch));
    else
        m_epochLabel->setText(tr("epoch %1 of %2").arg(m_history.at(m_shown).epoch).arg(m_history.last().epoch));
}

void LatentExplorer::onPointPicked(qint64 index)
{
    setInterpolationEnd(m_nextEnd, index);  // and the next pick sets the other end
}

void LatentExplorer::setInterpolationEnd(int end, qint64 index)
{
    if (end < 0 || end > 1)
        return;
    m_ends[end] = index;
    m_nextEnd = 1 - end;
    m_tools->setCurrentIndex(m_tools->indexOf(m_strip->parentWidget()));
    m_map->setMarkedPoints(m_ends[0], m_ends[1]);
    updateEndLabels();
    requestInterpolation();
}

void LatentExplorer::updateEndLabels()
{
    const aes::LatentSnapshot &map = m_map->map();
    for (int end = 0; end < 2; ++end) {
        const qint64 index = m_ends[end];
        m_endLabels[end]->setText(QStringLiteral("<b>%1</b> %2").arg(end == 0 ? QStringLiteral("A") : QStringLiteral("B"),
                                                                      index >= 0 ? imageName(map, index).toHtmlEscaped()
                                                                                 : tr("not picked")));
    }
}

void LatentExplorer::requestInterpolation()
{
    if (m_ends[0] < 0 || m_ends[1] < 0)
        return;
    if (!m_controller->requestInterpolation(m_ends[0], m_ends[1], m_steps->value()))
        Q_EMIT message(tr("Train a model first: interpolation decodes its codes."), 4000);
}

void LatentExplorer::requestTraversal()
{
    const int n = m_gridSize->value();
    if (m_map->map().x.isEmpty() || !m_controller->requestTraversal(m_map->visibleRegion(), n, n))
        Q_EMIT message(tr("Train a model first: the grid decodes its codes."), 4000);
}

void LatentExplorer::updateSelection()
{
    m_selection->setSelection(m_map->map(), m_map->selection(), m_map->selectionDistances(), m_map->selectionQuery(),
                              m_map->hiddenCount());
    if (!m_map->selection().isEmpty())
        m_tools->setCurrentWidget(m_selection);
}

QString LatentExplorer::exportSelectionList(const QString &csvPath)
{
    return m_fileActions->exportList(csvPath, m_map->map(), m_map->selection(), m_map->selectionDistances());
}

QString LatentExplorer::copySelection(const QString &dir)
{
    return m_fileActions->copyRows(dir, m_map->map(), m_map->selection());
}

QString LatentExplorer::openSelectionAsDataset(const QString &dir)
{
    // Opened once copied; a cancelled copy is not what the user asked to open.
    return m_fileActions->copyRows(dir, m_map->map(), m_map->selection(), [this, dir](const aes::CopyResult &result) {
        if (!result.cancelled && result.copied > 0)
            Q_EMIT openDatasetRequested(dir);
    });
}

QString LatentExplorer::exportClusters(const QString &dir)
{
    const MapGroups &groups = m_map->groups();
    if (!groups.hasClusters())
        return tr("Cluster the codes first (the list beside the map).");
    return m_fileActions->copyClusters(dir, m_map->map(), groups.clusters(), groups.clusterCount());
}
