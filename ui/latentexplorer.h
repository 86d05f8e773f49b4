#pragma once
// The Latent tab: the map (LatentMap, with its class list and side panel) over a time
// scrubber that replays how the map formed epoch by epoch, and four tools below: the
// selection (its images and actions: file list, copy, open as dataset, hide), the worst
// reconstructions, an interpolation strip between two picked points, and the traversal
// grid over the visible region. It talks to the controller for every answer.
//
// Ownership: a plain QWidget; does not own the controller (which must outlive it).
// Threads: GUI thread only.
// Failure: requests the controller refuses (no model yet) are reported by message().

#include "controller/trainingcontroller.h"

#include <QHash>

#include <optional>
#include <QVector>
#include <QWidget>

class InterpolationStrip;
class LatentMap;
class QLabel;
class QPushButton;
class QShortcut;
class QSlider;
class QSpinBox;
class QTabWidget;
class SelectionActions;
class SelectionStrip;
class SoundPlayer;
class QTimer;
class QToolButton;
class TraversalDialog;
class WorstList;

class LatentExplorer final : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMaxEpochs = 1000;  // maps kept for the scrubber (2 floats a point each)

    explicit LatentExplorer(aes::TrainingController *controller, QWidget *parent = nullptr);

    LatentMap *map() const { return m_map; }
    WorstList *worstList() const { return m_worst; }
    InterpolationStrip *interpolationStrip() const { return m_strip; }
    TraversalDialog *traversalDialog() const { return m_traversalDialog; }
    SelectionStrip *selectionStrip() const { return m_selection; }
    QSlider *scrubber() const { return m_scrubber; }
    QTabWidget *tools() const { return m_tools; }

    // A new map from the controller: shown (unless an older epoch is being replayed) and
    // kept for the scrubber, one history per projection (method and dimensions); a map of
    // another dataset forgets them all. Intermediate t-SNE layouts are shown, not kept.
    void addMap(const aes::LatentSnapshot &map);
    void clear();
    // The maps kept, oldest first, and the one the scrubber shows.
    const QVector<aes::LatentSnapshot> &history() const { return m_history; }
    void showHistory(int position);

    // Interpolation ends (rows of the map); the strip is asked for once both are set.
    void setInterpolationEnd(int end, qint64 index);  // end 0 = A, 1 = B
    qint64 interpolationEnd(int end) const { return m_ends[end]; }
    // Asks for the traversal grid over the map's visible region.
    void requestTraversal();
    // Audio data (nullopt: images): spectrograms in colour, and the hovered clip (P key), the
    // pinned or decoded point, the interpolation and the traversal grid's rows played through
    // player (which must outlive the explorer).
    void setAudio(const std::optional<aes::AudioOptions> &audio, SoundPlayer *player);
    // Plays the interpolation strip's clips one after another; false when there are none.
    bool playInterpolation();

    // The selection's actions (the buttons ask for the file or folder, then call these).
    // Each returns an empty string or the message shown to the user. Copies run in the
    // background (fileActions(): progress, Cancel, finished() and a report of failed files).
    // The file list as CSV: path,label (and distance after a search).
    QString exportSelectionList(const QString &csvPath);
    // Starts copying the selected images' files into dir (empty or new), a subfolder per class.
    QString copySelection(const QString &dir);
    // copySelection, then dir asked for as the dataset (openDatasetRequested) once copied.
    QString openSelectionAsDataset(const QString &dir);
    // Starts copying every image's file into dir (empty or new), a subfolder per cluster.
    QString exportClusters(const QString &dir);
    SelectionActions *fileActions() const { return m_fileActions; }

Q_SIGNALS:
    void message(const QString &text, int timeoutMs);
    void openDatasetRequested(const QString &folder);

private:
    void play(const QImage &spectrogram, const QString &what);
    QWidget *createScrubber();
    QWidget *createInterpolationPage();
    QWidget *createTraversalPage();
    void updateSelection();
    void connectController();
    void updateScrubber();
    void requestInterpolation();
    void onPointPicked(qint64 index);
    void updateEndLabels();

    aes::TrainingController *m_controller;
    LatentMap *m_map = nullptr;
    QVector<aes::LatentSnapshot> m_history;          // of the projection shown
    QString m_historyKey;                             // method and dimensions of m_history
    QHash<QString, QVector<aes::LatentSnapshot>> m_histories;  // of the other projections
    int m_shown = -1;                     // position in m_history; -1: a live (partial) map
    QSlider *m_scrubber = nullptr;
    QLabel *m_epochLabel = nullptr;
    QToolButton *m_play = nullptr;
    QTimer *m_playTimer = nullptr;
    QTabWidget *m_tools = nullptr;
    WorstList *m_worst = nullptr;
    SelectionStrip *m_selection = nullptr;
    SelectionActions *m_fileActions = nullptr;
    InterpolationStrip *m_strip = nullptr;
    QLabel *m_endLabels[2] = {nullptr, nullptr};
    QSpinBox *m_steps = nullptr;
    QPushButton *m_playStrip = nullptr;   // audio only
    QShortcut *m_playKey = nullptr;       // P, audio only
    std::optional<aes::AudioOptions> m_audio;
    SoundPlayer *m_player = nullptr;
    qint64 m_ends[2] = {-1, -1};
    int m_nextEnd = 0;                    // which end the next shift+click sets
    QSpinBox *m_gridSize = nullptr;
    QPushButton *m_traverse = nullptr;
    TraversalDialog *m_traversalDialog = nullptr;
};
