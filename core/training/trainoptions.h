#pragma once
// How a model is trained, and what the trainer reports. Plain values, no torch.

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <limits>
#include <optional>

namespace aes {

enum class LossKind { Mse, Bce, L1 };
enum class OptimizerKind { Adam, AdamW, Sgd };
// How the learning rate changes over a run (training/lrschedule.h has the formulas).
enum class ScheduleKind { Constant, Cosine, OneCycle, Plateau };

// `--epochs auto` (and the GUI's early stopping): the most epochs a run may take.
constexpr int kAutoEpochCap = 200;

struct TrainOptions {
    LossKind loss = LossKind::Mse;
    OptimizerKind optimizer = OptimizerKind::Adam;
    // Batch 32 at 5e-3: more (cheap) steps per epoch reach a given validation MSE in less
    // wall time than 64 or 128 on small images (docs/PERFORMANCE.md).
    double learningRate = 5e-3;
    int batchSize = 32;
    int epochs = 10;
    double weightDecay = 0.0;
    double momentum = 0.9;        // SGD only
    quint64 seed = 1;             // weights, shuffling, noise and the validation split
    double valFraction = 0.1;
    int threads = 0;              // compute threads; 0 = automatic (every core or one: see trainer.cpp)
    // Where to train: "auto" (the first CUDA device when there is one, else the CPU), "cpu",
    // "cuda" or "cuda:N" (model/device.h). Automatic threads apply to the CPU only.
    QString device = QStringLiteral("auto");
    bool knn = true;              // kNN accuracy of validation codes each epoch (needs labels)
    ScheduleKind schedule = ScheduleKind::Constant;
    // Early stopping: end the run when the validation loss has not improved by minDelta
    // (relative) for patience epochs, keeping the best epoch's weights; epochs is then a cap.
    bool augment = false;         // flips, shifts and brightness/contrast jitter of training batches
    bool earlyStopping = false;
    int patience = 5;
    double minDelta = 1.0e-3;
    int debugNanAtStep = -1;      // fault injection for tests: poison the loss at this global step
    int debugAllocFailAtStep = -1;  // ... and an allocation failure half-way through this step

    QString validate() const;
    QJsonObject toJson() const;
    static std::optional<TrainOptions> fromJson(const QJsonObject &json, QString *error);
};

QString toString(LossKind loss);
QString toString(OptimizerKind optimizer);
QString toString(ScheduleKind schedule);              // "constant", "cosine", "onecycle", "plateau"
std::optional<ScheduleKind> scheduleKindFromString(const QString &name);
QStringList scheduleKindNames();
std::optional<LossKind> lossKindFromString(const QString &name);
std::optional<OptimizerKind> optimizerKindFromString(const QString &name);
QStringList lossKindNames();
QStringList optimizerKindNames();

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

struct StepReport {
    int epoch = 0;                // 1-based
    qint64 stepInEpoch = 0;       // 1-based
    qint64 stepsPerEpoch = 0;
    qint64 globalStep = 0;        // 1-based, over the whole run
    double loss = kNoValue;       // this batch's training loss
    double imagesPerSecond = 0.0; // over the current epoch so far
    double learningRate = 0.0;
    bool learningRateSet = false; // a rate the user set took effect at this step (and changed it)
};

struct EpochReport {
    int epoch = 0;
    double trainLoss = kNoValue;      // mean training loss of the epoch
    double valLoss = kNoValue;        // same loss on the validation set (no noise, no sampling)
    double valMse = kNoValue;
    double valPsnr = kNoValue;        // dB, mean over images
    double valSsim = kNoValue;        // scikit-image's defaults: 7x7 uniform window
    double knnAccuracy = kNoValue;    // NaN without labels
    double seconds = 0.0;             // cumulative training wall time, validation included
    double imagesPerSecond = 0.0;     // training throughput of this epoch
};

QJsonObject toJson(const EpochReport &report);
// Missing or wrongly typed fields give an error message.
std::optional<EpochReport> epochReportFromJson(const QJsonObject &json, QString *error);

enum class TrainStatus { Finished, Stopped, Diverged, Failed };

struct TrainOutcome {
    TrainStatus status = TrainStatus::Finished;
    QString message;                  // what happened, for the user
    int epochsCompleted = 0;
    int bestEpoch = 0;                // early stopping: the epoch whose weights were kept (else 0)
};

} // namespace aes
