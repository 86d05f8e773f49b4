#include "trainingpanel.h"

#include "modelform.h"
#include "trainform.h"

#include <QGridLayout>
#include <QGroupBox>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

using aes::TrainingController;

TrainingPanel::TrainingPanel(QWidget *parent) : QWidget(parent)
{
    m_modelForm = new ModelForm;
    m_trainForm = new TrainForm;
    connect(m_trainForm, &TrainForm::learningRateEdited, this, &TrainingPanel::learningRateEdited);

    auto *modelBox = new QGroupBox(tr("Model"));
    (new QVBoxLayout(modelBox))->addWidget(m_modelForm);
    auto *trainBox = new QGroupBox(tr("Training"));
    (new QVBoxLayout(trainBox))->addWidget(m_trainForm);

    m_lockedHint = new QLabel(tr("These are the options of the current model: Start continues it. "
                                 "<b>New model</b> starts again from fresh weights with options you can change."));
    m_lockedHint->setWordWrap(true);
    m_lockedHint->setVisible(false);
    QPalette hintPalette = m_lockedHint->palette();
    hintPalette.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
    m_lockedHint->setPalette(hintPalette);

    m_start = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"), this);
    m_start->setToolTip(tr("Train on the loaded dataset (Ctrl+Return)"));
    m_pause = new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this);
    m_pause->setToolTip(tr("Pause after the current batch, or resume (Space)"));
    m_stop = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this);
    m_stop->setToolTip(tr("Stop after the current batch; the model keeps what it has learned "
                          "and Continue goes on from there (Esc)"));
    m_newModel = new QPushButton(style()->standardIcon(QStyle::SP_BrowserReload), tr("New model"), this);
    m_newModel->setToolTip(tr("Forget the trained weights: the next Start begins from scratch, "
                              "and every option can be changed again"));
    connect(m_start, &QPushButton::clicked, this, &TrainingPanel::startRequested);
    connect(m_stop, &QPushButton::clicked, this, &TrainingPanel::stopRequested);
    connect(m_newModel, &QPushButton::clicked, this, &TrainingPanel::newModelRequested);
    connect(m_pause, &QPushButton::clicked, this, [this] {
        if (m_state == TrainingController::State::Paused)
            Q_EMIT resumeRequested();
        else
            Q_EMIT pauseRequested();
    });

    m_controls = new QWidget(this);
    auto *controls = new QVBoxLayout(m_controls);
    controls->setContentsMargins(0, 0, 0, 0);
    auto *buttons = new QGridLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_start, 0, 0);
    buttons->addWidget(m_pause, 0, 1);
    buttons->addWidget(m_stop, 1, 0);
    buttons->addWidget(m_newModel, 1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(modelBox);
    layout->addWidget(trainBox);
    controls->addWidget(m_lockedHint);
    controls->addLayout(buttons);
    layout->addWidget(m_controls);

    setState(TrainingController::State::Idle, false, false);
}

aes::ModelOptions TrainingPanel::modelOptions() const
{
    return m_modelForm->options();
}

aes::TrainOptions TrainingPanel::trainOptions() const
{
    return m_trainForm->options();
}

void TrainingPanel::setOptions(const aes::ModelOptions &model, const aes::TrainOptions &train)
{
    m_modelForm->setOptions(model);
    m_trainForm->setOptions(train);
}

void TrainingPanel::setDataShape(const aes::DataShape &shape)
{
    m_modelForm->setDataShape(shape);
    m_trainForm->setDataShape(shape);
}

void TrainingPanel::setAutomatic(const aes::AutoOptions &which)
{
    m_modelForm->setAutomatic(which);
    m_trainForm->setAutomatic(which);
}

aes::AutoOptions TrainingPanel::automatic() const
{
    const aes::AutoOptions model = m_modelForm->automatic();
    aes::AutoOptions a = m_trainForm->automatic();
    a.latent = model.latent;
    a.widths = model.widths;
    return a;
}

void TrainingPanel::setLearningRate(double lr)
{
    m_trainForm->setLearningRate(lr);
}

QString TrainingPanel::problem() const
{
    return m_modelForm->widthsProblem();
}

void TrainingPanel::setState(TrainingController::State state, bool hasDataset, bool hasModel)
{
    m_state = state;
    const bool idle = state == TrainingController::State::Idle;
    const bool running = state == TrainingController::State::Training || state == TrainingController::State::Paused;
    m_modelForm->setEnabled(idle && !hasModel);
    m_trainForm->setEditable(hasModel, running);
    m_trainForm->setEnabled(idle || running);
    m_lockedHint->setVisible(idle && hasModel);

    m_start->setEnabled(idle && hasDataset);
    m_start->setText(hasModel ? tr("Continue") : tr("Start"));
    m_pause->setEnabled(running);
    m_stop->setEnabled(running);
    m_newModel->setEnabled(idle && hasModel);
    const bool paused = state == TrainingController::State::Paused;
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
}
