#pragma once
// The training half of the training panel: every field of aes::TrainOptions a user sets.
// Epochs (and early stopping), batch, learning rate, optimizer, loss and schedule up front; weight decay, momentum (SGD
// only), seed, compute threads, the kNN metric and augmentation in a folded "Advanced" section. The
// validation fraction belongs to the dataset panel.
//
// The learning rate takes values like 2e-3 and steps through 1, 2, 5 x 10^k. While a run
// is going (setRunning(true)) an edited rate is emitted as learningRateEdited.
//
// Ownership: a plain widget. Threads: GUI thread only.

#include "training/datadefaults.h"
#include "training/trainoptions.h"

#include <QImage>
#include <QVector>
#include <QWidget>

#include <optional>

class CollapsibleSection;
class QCheckBox;
class QLabel;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QSpinBox;

class TrainForm final : public QWidget {
    Q_OBJECT
public:
    explicit TrainForm(QWidget *parent = nullptr);

    aes::TrainOptions options() const;   // valFraction left at its default
    // Explicit values: a project's or run's options (nothing left automatic).
    void setOptions(const aes::TrainOptions &options);
    // Epochs, batch size and schedule left automatic ("auto (16)") follow this data
    // (training/datadefaults.h); before any data they are the engine's defaults.
    void setDataShape(const aes::DataShape &shape);
    // The fields `which` marks (epochs, batch size, schedule) back to automatic; which of them are.
    void setAutomatic(const aes::AutoOptions &which);
    aes::AutoOptions automatic() const;
    // The preview under "Augment training images" (shown while it is ticked): each image
    // above, the same image as one augmented training batch sees it below.
    void setAugmentPreview(const QVector<QImage> &originals, const QVector<QImage> &augmented);
    // Locked: every field but epochs and learning rate is disabled (they belong to a kept
    // model); running: only the learning rate can change.
    void setEditable(bool locked, bool running);
    void setLearningRate(double lr);
    double learningRate() const;
    int epochs() const;
    void setEpochs(int epochs);
    CollapsibleSection *advancedSection() const { return m_advanced; }

Q_SIGNALS:
    void learningRateEdited(double lr);

private:
    void updateOptimizerRows();
    void updateAutomaticTexts();
    // The automatic values for the data (or the engine's defaults before any).
    aes::TrainOptions automaticValues() const;
    std::optional<aes::DataShape> m_shape;

    bool m_running = false;
    QFormLayout *m_advancedForm = nullptr;
    QSpinBox *m_epochs = nullptr;
    QSpinBox *m_batch = nullptr;
    QDoubleSpinBox *m_learningRate = nullptr;
    QComboBox *m_optimizer = nullptr;
    QComboBox *m_loss = nullptr;
    CollapsibleSection *m_advanced = nullptr;
    QDoubleSpinBox *m_weightDecay = nullptr;
    QDoubleSpinBox *m_momentum = nullptr;
    QSpinBox *m_seed = nullptr;
    QSpinBox *m_threads = nullptr;
    QComboBox *m_device = nullptr;   // auto, then what LibTorch sees (cpu, cuda:N)
    QCheckBox *m_knn = nullptr;
    QComboBox *m_schedule = nullptr;
    QCheckBox *m_earlyStopping = nullptr;
    QCheckBox *m_augment = nullptr;
    QLabel *m_augmentPreview = nullptr;
};
