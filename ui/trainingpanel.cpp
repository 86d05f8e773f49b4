#include "trainingpanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QPushButton>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>

using aes::TrainingController;

namespace {

void selectByText(QComboBox *box, const QString &text)
{
    const int index = box->findText(text);
    if (index >= 0)
        box->setCurrentIndex(index);
}

} // namespace

TrainingPanel::TrainingPanel(QWidget *parent) : QWidget(parent)
{
    m_kind = new QComboBox(this);
    m_kind->addItems(aes::modelKindNames());
    m_kind->setToolTip(tr("Architecture:\n"
                          "dense \u2013 fully connected layers\n"
                          "conv \u2013 convolutional encoder and decoder\n"
                          "keras-conv \u2013 the Keras tutorial's convolutional model\n"
                          "vae \u2013 variational: a smooth, sampleable latent space\n"
                          "denoising \u2013 learns to remove noise added to its input\n"
                          "sparse \u2013 an L1 penalty keeps most of the code near zero"));

    m_latent = new QSpinBox(this);
    m_latent->setRange(1, 1024);
    m_latent->setToolTip(tr("Size of the code each image is compressed to.\n"
                            "Smaller codes compress more and blur more; 2 can be plotted directly."));

    m_epochs = new QSpinBox(this);
    m_epochs->setRange(1, 10000);
    m_epochs->setToolTip(tr("Passes over the training images"));

    m_batch = new QSpinBox(this);
    m_batch->setRange(2, 4096);
    m_batch->setToolTip(tr("Images per optimisation step"));

    m_learningRate = new QDoubleSpinBox(this);
    m_learningRate->setDecimals(5);
    m_learningRate->setRange(1e-5, 1.0);
    m_learningRate->setSingleStep(1e-4);
    m_learningRate->setToolTip(tr("Step size of the optimiser.\n"
                                  "May be changed while training: it applies from the next step."));
    connect(m_learningRate, &QDoubleSpinBox::valueChanged, this, [this](double lr) {
        if (m_state == TrainingController::State::Training || m_state == TrainingController::State::Paused)
            Q_EMIT learningRateEdited(lr);
    });

    m_optimizer = new QComboBox(this);
    m_optimizer->addItems(aes::optimizerKindNames());
    m_optimizer->setToolTip(tr("Adam is a good default; SGD uses momentum 0.9"));

    m_loss = new QComboBox(this);
    m_loss->addItems(aes::lossKindNames());
    m_loss->setToolTip(tr("Reconstruction loss: mse (squared error), bce (binary cross-entropy, "
                          "sharper on mostly black-and-white images) or l1 (absolute error)"));

    auto *form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Model:"), m_kind);
    form->addRow(tr("Latent size:"), m_latent);
    form->addRow(tr("Epochs:"), m_epochs);
    form->addRow(tr("Batch size:"), m_batch);
    form->addRow(tr("Learning rate:"), m_learningRate);
    form->addRow(tr("Optimizer:"), m_optimizer);
    form->addRow(tr("Loss:"), m_loss);

    m_start = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Start"), this);
    m_start->setToolTip(tr("Train a new model on the loaded dataset"));
    m_pause = new QPushButton(style()->standardIcon(QStyle::SP_MediaPause), tr("Pause"), this);
    m_pause->setToolTip(tr("Pause after the current batch, or resume"));
    m_stop = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"), this);
    m_stop->setToolTip(tr("Stop after the current batch; the model keeps what it has learned"));
    connect(m_start, &QPushButton::clicked, this, &TrainingPanel::startRequested);
    connect(m_stop, &QPushButton::clicked, this, &TrainingPanel::stopRequested);
    connect(m_pause, &QPushButton::clicked, this, [this] {
        if (m_state == TrainingController::State::Paused)
            Q_EMIT resumeRequested();
        else
            Q_EMIT pauseRequested();
    });

    auto *buttons = new QHBoxLayout;
    buttons->setContentsMargins(0, 0, 0, 0);
    buttons->addWidget(m_start);
    buttons->addWidget(m_pause);
    buttons->addWidget(m_stop);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addLayout(buttons);

    setOptions(aes::ModelOptions(), aes::TrainOptions());
    setState(TrainingController::State::Idle, false);
}

aes::ModelOptions TrainingPanel::modelOptions() const
{
    aes::ModelOptions model;
    model.kind = aes::modelKindFromString(m_kind->currentText()).value_or(model.kind);
    model.latent = m_latent->value();
    return model;
}

aes::TrainOptions TrainingPanel::trainOptions() const
{
    aes::TrainOptions train;
    train.epochs = m_epochs->value();
    train.batchSize = m_batch->value();
    train.learningRate = m_learningRate->value();
    train.optimizer = aes::optimizerKindFromString(m_optimizer->currentText()).value_or(train.optimizer);
    train.loss = aes::lossKindFromString(m_loss->currentText()).value_or(train.loss);
    return train;
}

void TrainingPanel::setOptions(const aes::ModelOptions &model, const aes::TrainOptions &train)
{
    selectByText(m_kind, aes::toString(model.kind));
    m_latent->setValue(model.latent);
    m_epochs->setValue(train.epochs);
    m_batch->setValue(train.batchSize);
    m_learningRate->setValue(train.learningRate);
    selectByText(m_optimizer, aes::toString(train.optimizer));
    selectByText(m_loss, aes::toString(train.loss));
}

void TrainingPanel::setState(TrainingController::State state, bool hasDataset)
{
    m_state = state;
    const bool idle = state == TrainingController::State::Idle;
    const bool running = state == TrainingController::State::Training || state == TrainingController::State::Paused;
    for (QWidget *w : {static_cast<QWidget *>(m_kind), static_cast<QWidget *>(m_latent),
                       static_cast<QWidget *>(m_epochs), static_cast<QWidget *>(m_batch),
                       static_cast<QWidget *>(m_optimizer), static_cast<QWidget *>(m_loss)})
        w->setEnabled(idle);
    m_learningRate->setEnabled(idle || running);
    m_start->setEnabled(idle && hasDataset);
    m_pause->setEnabled(running);
    m_stop->setEnabled(running);
    const bool paused = state == TrainingController::State::Paused;
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(style()->standardIcon(paused ? QStyle::SP_MediaPlay : QStyle::SP_MediaPause));
}
