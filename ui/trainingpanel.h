#pragma once
// The model and training form (ModelForm + TrainForm, each in a group box) with the Start
// (or Continue), Pause/Resume, Stop and New model buttons.
//
// While a model is kept (after a run), its architecture and training options are shown
// locked: only epochs and the learning rate can change, and Start continues it; "New
// model" unlocks everything and the next Start begins from fresh weights. While training,
// only the learning rate can change (applied from the next step).
//
// Ownership: a plain widget; emits requests, the main window acts on them.
// Threads: GUI thread only.

#include "model/modeloptions.h"
#include "controller/trainingcontroller.h"
#include "training/datadefaults.h"
#include "training/trainoptions.h"

#include <QWidget>

class ModelForm;
class QLabel;
class QPushButton;
class TrainForm;

class TrainingPanel final : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget *parent = nullptr);

    // The form's values on top of the defaults of ModelOptions / TrainOptions.
    aes::ModelOptions modelOptions() const;
    aes::TrainOptions trainOptions() const;
    void setOptions(const aes::ModelOptions &model, const aes::TrainOptions &train);
    // Options left automatic (latent, widths, epochs, batch, schedule) follow the data open
    // (training/datadefaults.h); the options above are then resolved for it.
    void setDataShape(const aes::DataShape &shape);
    void setAutomatic(const aes::AutoOptions &which);
    aes::AutoOptions automatic() const;
    void setLearningRate(double lr);
    // Enables what makes sense in this state; Start needs a dataset.
    void setState(aes::TrainingController::State state, bool hasDataset, bool hasModel);
    // "" when the form can be used, else what to fix.
    QString problem() const;

    ModelForm *modelForm() const { return m_modelForm; }
    TrainForm *trainForm() const { return m_trainForm; }
    // The hint and the buttons: part of this panel until a caller moves them elsewhere
    // (the main window keeps them in sight below the scrolling form).
    QWidget *controls() const { return m_controls; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *pauseButton() const { return m_pause; }
    QPushButton *stopButton() const { return m_stop; }
    QPushButton *newModelButton() const { return m_newModel; }

Q_SIGNALS:
    void startRequested();
    void pauseRequested();
    void resumeRequested();
    void stopRequested();
    void newModelRequested();
    // The learning rate was edited while training runs: apply it from the next step.
    void learningRateEdited(double lr);

private:
    aes::TrainingController::State m_state = aes::TrainingController::State::Idle;
    ModelForm *m_modelForm = nullptr;
    TrainForm *m_trainForm = nullptr;
    QWidget *m_controls = nullptr;
    QLabel *m_lockedHint = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_stop = nullptr;
    QPushButton *m_newModel = nullptr;
};
