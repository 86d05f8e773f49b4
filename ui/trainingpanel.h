#pragma once
// The model and training form (kind, latent size, epochs, batch, learning rate,
// optimizer, loss) with the Start, Pause/Resume and Stop buttons.
//
// Ownership: a plain widget; emits requests, the main window acts on them.
// Threads: GUI thread only.

#include "modeloptions.h"
#include "trainingcontroller.h"
#include "trainoptions.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QPushButton;
class QSpinBox;

class TrainingPanel final : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget *parent = nullptr);

    // The form's values on top of the defaults of ModelOptions / TrainOptions.
    aes::ModelOptions modelOptions() const;
    aes::TrainOptions trainOptions() const;
    void setOptions(const aes::ModelOptions &model, const aes::TrainOptions &train);
    // Enables what makes sense in this state; Start needs a dataset.
    void setState(aes::TrainingController::State state, bool hasDataset);

Q_SIGNALS:
    void startRequested();
    void pauseRequested();
    void resumeRequested();
    void stopRequested();
    // The learning rate was edited while training runs: apply it from the next step.
    void learningRateEdited(double lr);

private:
    aes::TrainingController::State m_state = aes::TrainingController::State::Idle;
    QComboBox *m_kind = nullptr;
    QSpinBox *m_latent = nullptr;
    QSpinBox *m_epochs = nullptr;
    QSpinBox *m_batch = nullptr;
    QDoubleSpinBox *m_learningRate = nullptr;
    QComboBox *m_optimizer = nullptr;
    QComboBox *m_loss = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_pause = nullptr;
    QPushButton *m_stop = nullptr;
};
