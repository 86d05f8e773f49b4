#pragma once
// The Anomalies tab: scores every image of a folder or IDX file (by default the loaded
// dataset) with the current model, off the GUI thread with progress and cancel, and shows
// the result: a list of the images sorted by score with their thumbnails, reconstructions
// and heatmaps (asked for the visible rows only), the scores' histogram per group (normal:
// the named normal classes, else good/normal/ok, else the classes the model was trained on)
// with a draggable threshold, the ROC and precision-recall curves, and the verdicts at the
// threshold. Exports the scored list (CSV) and copies the flagged images to a folder.
//
// "The current model" is the run directory's checkpoint: an idle model is saved there first
// (as File > Export does); a training one is scored as saved at the end of its last epoch.
// The threshold is part of the project's view state (viewState()) and is written to the run
// directory (anomaly.json) whenever the user settles on one, so exports carry it.
//
// Ownership: a plain QWidget; owns its AnomalyController (and through it the scoring thread
// with its loaded model). Does not own the training controller or the project session,
// which must outlive it. Threads: GUI thread only.
// Failure: a model or data that cannot be scored, and failed exports, are reported by
// problem(); a cancel and other news by message().

#include "anomaly/anomalytypes.h"
#include "controller/trainingcontroller.h"

#include <QJsonObject>
#include <QWidget>

#include <optional>

class AnomalyCurves;
class AnomalyHistogram;
class AnomalyListModel;
class ProjectSession;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableView;
class QTimer;

namespace aes {
class AnomalyController;
} // namespace aes

class AnomalyExplorer final : public QWidget {
    Q_OBJECT
public:
    AnomalyExplorer(aes::TrainingController *training, ProjectSession *runs, QWidget *parent = nullptr);
    ~AnomalyExplorer() override;

    // What Score scores: a folder or IDX file; empty: the loaded dataset (else the run's own).
    void setDataPath(const QString &path);
    QString dataPath() const;
    void setScoreKind(aes::ScoreKind kind);
    aes::ScoreKind scoreKind() const;
    // The normal classes by name; empty: chosen automatically (see normalClasses()).
    void setNormalClasses(const QStringList &names);

    // The Score button: scores with the current model; scored() follows (false when refused).
    bool score();
    void cancel();
    bool isBusy() const;

    // The threshold as the user sets it (the line, the spin box): the verdicts follow and the
    // run directory gets it.
    void setThreshold(double threshold);
    double threshold() const { return m_threshold; }
    aes::Verdicts verdicts() const;
    QString verdictText() const;
    const aes::AnomalyScores &scores() const { return m_scores; }
    const QVector<bool> &anomalous() const { return m_anomalous; }

    // Without dialogs: "" or the problem. exportFlagged copies the flagged images' files under
    // folder with their names relative to the scored folder; copied counts them.
    QString exportCsv(const QString &path) const;
    QString exportFlagged(const QString &folder, int *copied = nullptr) const;

    // What a project keeps: data, score kind, normal classes and threshold.
    QJsonObject viewState() const;
    void applyViewState(const QJsonObject &state);

    aes::AnomalyController *anomalyController() const { return m_anomaly; }
    QTableView *list() const { return m_list; }
    AnomalyListModel *listModel() const { return m_model; }
    AnomalyHistogram *histogram() const { return m_histogram; }
    AnomalyCurves *curves() const { return m_curves; }

Q_SIGNALS:
    void scored(bool ok);
    void message(const QString &text, int timeoutMs);
    void problem(const QString &title, const QString &message);

private:
    QWidget *createControls();
    QWidget *createResults();
    void chooseFolder();
    void chooseIdxFile();
    void onRunSaved(const QString &dir, const QString &error);
    void startScoring();
    void onScored(const aes::AnomalyScores &scores);
    void updateGroups();
    void applyThreshold(double threshold, bool commit);
    void writeThreshold();
    void updateVerdicts();
    void updateBusy();
    void requestVisiblePictures();
    void exportCsvWithDialog();
    void exportFlaggedWithDialog();

    aes::TrainingController *m_training;
    ProjectSession *m_runs;
    aes::AnomalyController *m_anomaly = nullptr;
    AnomalyListModel *m_model = nullptr;

    QLabel *m_dataLabel = nullptr;
    QComboBox *m_kind = nullptr;
    QLineEdit *m_normal = nullptr;
    QPushButton *m_scoreButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_status = nullptr;
    QTableView *m_list = nullptr;
    AnomalyHistogram *m_histogram = nullptr;
    AnomalyCurves *m_curves = nullptr;
    QDoubleSpinBox *m_thresholdBox = nullptr;
    QLabel *m_verdictLabel = nullptr;
    QPushButton *m_exportCsvButton = nullptr;
    QPushButton *m_copyButton = nullptr;
    QTimer *m_visibleTimer = nullptr;

    QString m_dataPath;               // chosen by the user; empty: m_loadedPath
    QString m_loadedPath;             // the window's dataset
    aes::AnomalyScores m_scores;
    QVector<bool> m_anomalous;        // per image; empty: no groups
    double m_threshold = 0.0;
    std::optional<double> m_savedThreshold;   // from the project, for the next scores of its kind
    aes::ScoreKind m_savedKind = aes::ScoreKind::Mse;
    bool m_newScores = false;         // the next updateGroups() picks a threshold
    // Where the threshold goes: the run of the scored model, followed when that model is
    // saved elsewhere (a project saved: its run moves), until a new model starts.
    QString m_thresholdRunDir;
    bool m_thresholdWritten = false;
    bool m_sameModel = false;
    bool m_waitsForSave = false;
};
