#include "training/trainer.h"

#include "training/trainerstate.h"

#include "model/autoencoder.h"
#include "model/checkpoint.h"
#include "model/devicetensors.h"
#include "model/evalmode.h"
#include "training/augment.h"
#include "training/distributed.h"
#include "training/metrics.h"
#include "training/trainingcontrol.h"
#include "util/errormessage.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QThread>

#include <cmath>
#include <cstring>
#include <malloc.h>
#include <mutex>

namespace aes {

namespace F = torch::nn::functional;

// One optimizer step that moves the parameters by more than this many times their own norm
// is taken as divergence (see relativeStepSize).
constexpr double kMaxRelativeStep = 5.0;

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(const TrainOptions &o, Autoencoder &model, double lr)
{
    switch (o.optimizer) {
    case OptimizerKind::Adam:
        return std::make_unique<torch::optim::Adam>(
            model->parameters(), torch::optim::AdamOptions(lr).weight_decay(o.weightDecay));
    case OptimizerKind::AdamW:
        return std::make_unique<torch::optim::AdamW>(
            model->parameters(), torch::optim::AdamWOptions(lr).weight_decay(o.weightDecay));
    case OptimizerKind::Sgd:
        return std::make_unique<torch::optim::SGD>(
            model->parameters(),
            torch::optim::SGDOptions(lr).momentum(o.momentum).weight_decay(o.weightDecay));
    }
    return nullptr;
}

void setLearningRate(torch::optim::Optimizer &optimizer, double lr)
{
    for (auto &group : optimizer.param_groups())
        group.options().set_lr(lr);
}

void moveOptimizerState(torch::optim::Optimizer &optimizer, const c10::Device &device)
{
    const auto move = [&](torch::Tensor t) { return t.defined() ? t.to(device) : t; };
    for (auto &entry : optimizer.state()) {
        torch::optim::OptimizerParamState *state = entry.second.get();
        if (auto *adam = dynamic_cast<torch::optim::AdamParamState *>(state)) {
            adam->exp_avg(move(adam->exp_avg()));
            adam->exp_avg_sq(move(adam->exp_avg_sq()));
            adam->max_exp_avg_sq(move(adam->max_exp_avg_sq()));
        } else if (auto *adamw = dynamic_cast<torch::optim::AdamWParamState *>(state)) {
            adamw->exp_avg(move(adamw->exp_avg()));
            adamw->exp_avg_sq(move(adamw->exp_avg_sq()));
            adamw->max_exp_avg_sq(move(adamw->max_exp_avg_sq()));
        } else if (auto *sgd = dynamic_cast<torch::optim::SGDParamState *>(state)) {
            sgd->momentum_buffer(move(sgd->momentum_buffer()));
        }
    }
}

std::vector<torch::Tensor> stateTensors(Autoencoder &model)
{
    std::vector<torch::Tensor> tensors = model->parameters();
    for (const auto &b : model->buffers())
        tensors.push_back(b);
    return tensors;
}

void Trainer::State::rollBack(const TrainOptions &train)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> current = stateTensors(model);
    for (size_t i = 0; i < current.size() && i < lastGood.size(); ++i)
        current[i].copy_(lastGood[i]);
    optimizer = makeOptimizer(train, model, learningRate);
}

namespace {

// Steps of an epoch over n training images: a last batch of one image is dropped (batch
// norm cannot train on it).
qint64 stepsPerEpoch(qint64 n, int batchSize)
{
    const qint64 batch = std::min<qint64>(batchSize, n);
    if (batch < 1)
        return 0;
    qint64 steps = (n + batch - 1) / batch;
    if (steps > 1 && n % batch == 1)
        --steps;
    return steps;
}

// How far one optimizer step moved the parameters (the first `count` of `now`), relative to
// their size before it: ||now - before|| / ||before||. A sound step moves them by a small
// fraction (Adam's first steps by about lr / the weights' typical magnitude, ~0.1-0.5 at the
// usual 1e-3..1e-2); a runaway learning rate by hundreds or more. NaN or infinity when a
// weight became non-finite.
double relativeStepSize(const std::vector<torch::Tensor> &now, const std::vector<torch::Tensor> &before,
                        size_t count)
{
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> moved, size;
    moved.reserve(count);
    size.reserve(count);
    for (size_t i = 0; i < count; ++i) {
        moved.push_back(torch::sub(now[i], before[i]).norm());
        size.push_back(before[i].norm());
    }
    if (count == 0)
        return 0.0;
    // One synchronisation for all tensors: the per-tensor norms are stacked first.
    const torch::Tensor sums = torch::stack({torch::stack(moved).square().sum(), torch::stack(size).square().sum()});
    const auto v = sums.to(torch::kCPU, torch::kDouble).contiguous();
    const double movedNorm = std::sqrt(v.data_ptr<double>()[0]);
    const double sizeNorm = std::sqrt(v.data_ptr<double>()[1]);
    return movedNorm / std::max(sizeNorm, 1e-12);
}

// True for LibTorch's and the C++ runtime's allocation failures.
bool isOutOfMemory(const std::exception &e)
{
    const char *what = e.what();
    return dynamic_cast<const std::bad_alloc *>(&e) != nullptr || std::strstr(what, "can't allocate memory")
        || std::strstr(what, "out of memory");
}

torch::Tensor reconstructionLoss(LossKind kind, const ForwardResult &r, const torch::Tensor &target)
{
    switch (kind) {
    case LossKind::Mse: return F::mse_loss(r.reconstruction(), target);
    // From the logits: stable where sigmoid saturates.
    case LossKind::Bce: return F::binary_cross_entropy_with_logits(r.logits, target);
    case LossKind::L1: return F::l1_loss(r.reconstruction(), target);
    }
    return {};
}

// Automatic compute threads (TrainOptions::threads == 0). Every core is not always faster: a
// small model's operations last tens of microseconds, and each parallel one waits for every
// thread, so on a loaded machine (or beside a busy GUI) two threads were measured up to 5x
// slower than one (docs/PERFORMANCE.md). Each epoch therefore times its first steps with every
// core and with one thread, and trains the rest of it with the faster. The first step after
// a switch is not timed (allocations, thread start-up); the steps timed are real training.
class ThreadChoice {
public:
    // Inactive on CUDA (the host threads only feed the device) and in a data-parallel run
    // (each process takes its share of the cores).
    ThreadChoice(int requested, qint64 steps, bool choose)
        : m_cores(std::max(1, QThread::idealThreadCount())),
          m_active(choose && requested == 0 && m_cores > 1 && steps >= 4 * kTimedSteps)
    {
    }
    void beforeStep(qint64 step)
    {
        if (m_active && step == 0)
            setComputeThreads(m_cores);
        else if (m_active && step == kTimedSteps + 1)
            setComputeThreads(1);
    }
    void afterStep(qint64 step, qint64 ns)
    {
        if (!m_active || step == 0 || step == kTimedSteps + 1)
            return;
        m_ns[step <= kTimedSteps ? 0 : 1] += ns;
        if (step == 2 * kTimedSteps + 1) {
            setComputeThreads(m_ns[1] < m_ns[0] ? 1 : m_cores);
            m_active = false;
        }
    }

private:
    static constexpr qint64 kTimedSteps = 3;
    int m_cores;
    bool m_active;
    qint64 m_ns[2] = {0, 0};  // every core, one thread
};

// Every training step allocates and frees the same few-megabyte activation buffers. glibc
// serves blocks above its mmap threshold (128 KiB at first) with fresh mappings and unmaps them
// on free, so each step paid page faults and page clearing again: 27% of a keras-conv run's
// time was in the kernel (perf). Keeping blocks up to 32 MiB in the heap, and not trimming it
// below 256 MiB of free space, lets steps reuse the same memory. Larger blocks (the dataset)
// still get their own mappings. Process-wide and set once; harmless for the rest of the app.
void keepStepBuffers()
{
    static std::once_flag once;
    std::call_once(once, [] {
        mallopt(M_MMAP_THRESHOLD, 32 << 20);
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
    });
}

// A failed run's message; allocation failures say what to try.
QString runFailureMessage(const std::exception &e)
{
    const QString message = errorMessage(e);
    if (!isOutOfMemory(e))
        return message;
    const QString advice = dynamic_cast<const c10::Error *>(&e)
        ? QStringLiteral("Out of memory: %1. Try a smaller batch size, image size or model.")
        : QStringLiteral("Out of memory (%1). Try a smaller batch size, image size or model.");
    return advice.arg(message);
}

// splitmix64's finaliser: nearby inputs give unrelated 64-bit seeds.
quint64 mixBits(quint64 x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// The seed of one random stream of one rank's step.
quint64 streamSeed(quint64 seed, int rank, qint64 step, int stream)
{
    return mixBits(mixBits(mixBits(seed) ^ quint64(rank)) ^ quint64(step)) ^ mixBits(quint64(stream));
}

// A data-parallel rank's random numbers (augmentation; dropout, vae sampling and noise from
// LibTorch's default generators) come from streams seeded by (seed, rank, step) before each
// step: they differ between ranks as between the batches of one process, and a resumed run
// draws exactly what the uninterrupted run drew without any rank's generator state in the
// checkpoint (rank 0 writes it, and every rank reads it back).
void seedStepStreams(at::Generator &augment, const c10::Device &device, quint64 seed, int rank, qint64 step)
{
    {
        std::lock_guard<std::mutex> lock(augment.mutex());
        augment.set_current_seed(streamSeed(seed, rank, step, 0));
    }
    at::Generator cpu = at::detail::getDefaultCPUGenerator();
    {
        std::lock_guard<std::mutex> lock(cpu.mutex());
        cpu.set_current_seed(streamSeed(seed, rank, step, 1));
    }
    if (device.is_cuda()) {
        at::Generator gpu = at::globalContext().defaultGenerator(device);
        std::lock_guard<std::mutex> lock(gpu.mutex());
        gpu.set_current_seed(streamSeed(seed, rank, step, 2));
    }
}

} // namespace


int setComputeThreads(int threads)
{
    const int n = threads > 0 ? threads : std::max(1, QThread::idealThreadCount());
    if (at::get_num_threads() != n)
        at::set_num_threads(n);
    return n;
}

Trainer::Trainer(const Dataset &data, const Split &split, const ModelOptions &model,
                 const TrainOptions &train)
    : m_data(data), m_split(split), m_model(model), m_train(train),
      m_state(std::make_unique<State>(train, qint64(train.epochs) * stepsPerEpoch(split.train.numel(), train.batchSize)))
{
}

void Trainer::setEpochs(int total)
{
    m_train.epochs = total;
    m_state->schedule.setTotalSteps(qint64(total) * stepsPerEpoch(m_split.train.numel(), m_train.batchSize));
}

Trainer::~Trainer() = default;

std::unique_ptr<Trainer> Trainer::create(const Dataset &data, const Split &split, ModelOptions model,
                                         const TrainOptions &train, QString *error)
{
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return nullptr;
    };
    if (data.size() == 0)
        return fail(QStringLiteral("the dataset is empty"));
    if (!split.train.defined() || split.train.numel() == 0)
        return fail(QStringLiteral("no training images"));
    model.channels = data.channels();
    model.height = data.height();
    model.width = data.width();
    QString problem = model.validate();
    if (problem.isEmpty())
        problem = train.validate();
    if (!problem.isEmpty())
        return fail(problem);

    QString deviceError;
    const std::optional<c10::Device> device = resolveDevice(train.device, &deviceError);
    if (!device)
        return fail(deviceError);

    keepStepBuffers();
    std::unique_ptr<Trainer> t(new Trainer(data, split, model, train));
    try {
        torch::manual_seed(train.seed);
        // Built on the CPU (the same initial weights on every device), then moved.
        t->m_state->model = Autoencoder(model);
        t->m_state->model->to(*device);
        t->m_state->device = *device;
        t->m_state->learningRate = train.learningRate;
        t->m_state->optimizer = makeOptimizer(train, t->m_state->model, train.learningRate);
        t->m_state->shuffle = at::make_generator<at::CPUGeneratorImpl>(train.seed);
    } catch (const std::exception &e) {
        return fail(QStringLiteral("cannot build the model: %1").arg(QString::fromUtf8(e.what())));
    }
    return t;
}

std::shared_ptr<AutoencoderImpl> Trainer::model() const
{
    return m_state->model.ptr();
}

QString Trainer::deviceName() const
{
    return QString::fromStdString(m_state->device.str());
}

void Trainer::setDistributed(std::shared_ptr<DataParallelGroup> group)
{
    m_group = std::move(group);
    if (!m_group)
        return;
    // Seeded before every step (seedStepStreams): the shuffle generator stays the same on
    // every rank, so augmentation draws from a generator of the rank's own.
    m_state->augmentRng = at::make_generator<at::CPUGeneratorImpl>(m_train.seed);
}

double Trainer::communicationSeconds() const
{
    return m_group ? m_group->communicationSeconds() : 0.0;
}

TrainOutcome Trainer::run(TrainingControl &control, const TrainCallbacks &callbacks)
{
    TrainOutcome outcome;
    try {
        // A data-parallel run shares this machine's cores among its processes.
        const int cores = std::max(1, QThread::idealThreadCount());
        setComputeThreads(m_group && m_train.threads == 0
                              ? std::max(1, cores / std::max(1, m_group->options().localWorldSize))
                              : m_train.threads);
        if (m_group)
            m_group->broadcast(stateTensors(m_state->model));  // every rank starts from rank 0's weights
        while (m_history.size() < m_train.epochs) {
            if (!trainEpoch(control, callbacks, &outcome))
                break;
        }
    } catch (const std::exception &e) {
        outcome.status = TrainStatus::Failed;
        outcome.message = runFailureMessage(e);
        // The other ranks name this one in their message; a failure of the group itself is
        // theirs to diagnose.
        if (m_group && !dynamic_cast<const DistributedFailure *>(&e))
            m_group->reportError(outcome.message);
    }
    if (m_state->stepping) {
        // The step failed half-way: go back to the weights it started from, so that what
        // is kept (and can be continued or saved) is a consistent model.
        m_state->stepping = false;
        try {
            m_state->rollBack(m_train);
        } catch (const std::exception &) {
            // Nothing more can be done; the run already reports the failure.
        }
    }
    m_state->model->eval();
    outcome.epochsCompleted = m_history.size();
    if (outcome.status == TrainStatus::Finished && outcome.message.isEmpty())
        outcome.message = m_history.size() == 1 ? QStringLiteral("trained 1 epoch") : QStringLiteral("trained %1 epochs").arg(m_history.size());
    return outcome;
}

bool Trainer::trainEpoch(TrainingControl &control, const TrainCallbacks &callbacks, TrainOutcome *outcome)
{
    State &s = *m_state;
    QElapsedTimer clock;
    clock.start();
    qint64 pausedNs = 0;
    const int epoch = m_history.size() + 1;
    const qint64 n = m_split.train.numel();
    // One epoch order for every rank (the same shuffle generator state everywhere).
    const torch::Tensor order = m_split.train.index_select(
        0, torch::randperm(n, s.shuffle, torch::TensorOptions().dtype(torch::kLong)));
    // A data-parallel step takes batchSize images on each of the world's ranks: global batch
    // b = batchSize x world, the same steps on every rank. Rank r trains on images
    // [r * c, (r + 1) * c) of the step's slice of the order, c = ceil(slice / world): for a full
    // batch exactly the batch one process with batch b would take, split in rank order.
    const int world = m_group ? m_group->worldSize() : 1;
    const int rank = m_group ? m_group->rank() : 0;
    const qint64 globalBatchSize = qint64(m_train.batchSize) * world;
    const qint64 batch = std::min<qint64>(globalBatchSize, n);
    const qint64 steps = stepsPerEpoch(n, int(std::min<qint64>(globalBatchSize, 1 << 30)));
    at::Generator &augmentRng = s.augmentRng ? *s.augmentRng : s.shuffle;

    s.model->train();
    double lossSum = 0.0;
    qint64 images = 0;
    std::vector<torch::Tensor> current = stateTensors(s.model);
    const size_t paramCount = s.model->parameters().size();  // parameters first, then buffers
    const std::vector<torch::Tensor> parameters(current.begin(), current.begin() + qint64(paramCount));
    if (s.lastGood.empty())
        for (const auto &t : current)
            s.lastGood.push_back(t.detach().clone());

    ThreadChoice threads(m_train.threads, steps, !s.device.is_cuda() && !m_group);
    for (qint64 step = 0; step < steps; ++step) {
        if (control.isPaused()) {
            QElapsedTimer paused;
            paused.start();
            if (callbacks.whilePaused)
                callbacks.whilePaused();
            else
                control.waitWhilePaused();
            pausedNs += paused.nsecsElapsed();
        }
        // In a group a stop travels with the step's gradients, so that every rank stops after
        // the same step.
        if (!m_group && control.isStopRequested()) {
            outcome->status = TrainStatus::Stopped;
            outcome->message = QStringLiteral("stopped in epoch %1 at step %2").arg(epoch).arg(step);
            return false;
        }
        // The schedule's rate for this step; a rate the user set rescales the schedule.
        const double userRate = control.takeLearningRate();
        if (userRate > 0.0)
            s.schedule.rescale(userRate, m_globalStep);
        bool userChangedRate = false;
        if (const double lr = s.schedule.at(m_globalStep); lr != s.learningRate) {
            s.learningRate = lr;
            setLearningRate(*s.optimizer, lr);
            userChangedRate = userRate > 0.0;
        }

        threads.beforeStep(step);
        QElapsedTimer stepClock;
        stepClock.start();
        const qint64 first = step * batch, size = std::min(n, (step + 1) * batch) - first;
        // This rank's share of the step's images, and how many images the step trains on in
        // all (a share of one image is left out when batch norm would fail on it).
        qint64 mine = size, counted = size;
        qint64 myFirst = first;
        if (m_group) {
            const qint64 chunk = (size + world - 1) / world;
            const auto share = [&](int r) {
                const qint64 c = std::clamp<qint64>(size - qint64(r) * chunk, 0, chunk);
                return c == 1 && size > 1 && m_model.batchNorm ? 0 : c;
            };
            counted = 0;
            for (int r = 0; r < world; ++r)
                counted += share(r);
            mine = share(rank);
            myFirst = first + qint64(rank) * chunk;
        }
        const torch::Tensor idx = order.slice(0, myFirst, myFirst + mine);
        if (m_group)
            seedStepStreams(augmentRng, s.device, m_train.seed, rank, m_globalStep);
        torch::Tensor loss;
        if (mine > 0) {
            const torch::Tensor x = m_train.augment
                ? toDevice(augmentBatch(m_data.floatBatch(idx), augmentRng), s.device)
                : floatBatchOn(m_data, idx, s.device);
            const ForwardResult r = s.model->forwardFull(s.model->corrupt(x));
            loss = reconstructionLoss(m_train.loss, r, x) + s.model->regularization(r);
        }
        if (m_globalStep + 1 == m_train.debugNanAtStep && loss.defined()) {
            m_train.debugNanAtStep = -1;  // a fault injected once, like a bad batch
            loss = loss * std::numeric_limits<float>::quiet_NaN();
        }
        double value = 0.0;
        bool groupStop = false;
        if (m_group) {
            // Rank r's mean loss weighted by its share of the step (x world: the all-reduce
            // divides the gradients by the world size), so that the averaged gradient is the
            // gradient of the mean loss over the step's images, as in one process.
            {
                torch::NoGradGuard noGrad;
                for (size_t i = 0; i < current.size(); ++i)
                    s.lastGood[i].copy_(current[i]);
            }
            s.stepping = true;
            s.optimizer->zero_grad();
            const double weight = counted > 0 ? double(mine) / double(counted) : 0.0;
            if (loss.defined())
                (loss * (weight * world)).backward();
            std::vector<double> sums{loss.defined() ? loss.item<double>() * weight : 0.0,
                                     control.isStopRequested() ? 1.0 : 0.0};
            m_group->setProgress(m_globalStep);
            m_group->averageGradients(parameters, &sums);
            value = sums[0];
            groupStop = sums[1] > 0.0;  // a rank was asked to stop: all stop after this step
        } else {
            value = loss.item<double>();
        }
        if (!std::isfinite(value)) {
            // The weights that produced this loss are already bad: go back to the last
            // ones that gave a finite loss, with fresh optimizer moments.
            s.rollBack(m_train);
            s.stepping = false;
            outcome->status = TrainStatus::Diverged;
            outcome->message = QStringLiteral(
                "The loss became %1 in epoch %2 at step %3 (learning rate %4). The last good weights "
                "were restored; try a lower learning rate and start again.")
                .arg(std::isnan(value) ? QStringLiteral("NaN") : QStringLiteral("infinite"))
                .arg(epoch).arg(step + 1).arg(s.learningRate);
            return false;
        }
        if (!m_group) {
            {
                torch::NoGradGuard noGrad;
                for (size_t i = 0; i < current.size(); ++i)
                    s.lastGood[i].copy_(current[i]);
            }
            s.stepping = true;
            s.optimizer->zero_grad();
            loss.backward();
        }
        s.optimizer->step();
        if (m_globalStep + 1 == m_train.debugAllocFailAtStep) {
            m_train.debugAllocFailAtStep = -1;  // once, like a large allocation that did not fit
            throw std::bad_alloc();
        }
        // The loss may stay finite while the weights run away (a sigmoid output bounds it):
        // a step that moved the weights by many times their own size, or made one of them
        // non-finite, is undone at once rather than found a step later. Every rank holds the
        // same weights, so every rank decides the same.
        const double moved = relativeStepSize(current, s.lastGood, paramCount);
        if (!(moved <= kMaxRelativeStep)) {
            s.rollBack(m_train);
            s.stepping = false;
            outcome->status = TrainStatus::Diverged;
            outcome->message = QStringLiteral(
                "Training diverged in epoch %1 at step %2 (learning rate %3): %4. The weights from "
                "before that step were restored; try a lower learning rate and continue.")
                .arg(epoch).arg(step + 1).arg(s.learningRate)
                .arg(std::isfinite(moved) ? QStringLiteral("one step changed the weights by %1 times their size")
                                                .arg(moved, 0, 'g', 3)
                                          : QStringLiteral("the weights became non-finite"));
            return false;
        }
        s.stepping = false;
        threads.afterStep(step, stepClock.nsecsElapsed());

        ++m_globalStep;
        lossSum += value;
        images += m_group ? counted : idx.numel();
        if (callbacks.onStep) {
            StepReport report;
            report.epoch = epoch;
            report.stepInEpoch = step + 1;
            report.stepsPerEpoch = steps;
            report.globalStep = m_globalStep;
            report.loss = value;
            report.learningRate = s.learningRate;
            report.learningRateSet = userChangedRate;
            const double seconds = double(clock.nsecsElapsed() - pausedNs) * 1e-9;
            report.imagesPerSecond = seconds > 0 ? double(images) / seconds : 0.0;
            callbacks.onStep(report);
        }
        if (groupStop) {
            control.stop();
            outcome->status = TrainStatus::Stopped;
            outcome->message = QStringLiteral("stopped in epoch %1 at step %2").arg(epoch).arg(step + 1);
            return false;
        }
    }
    synchronize(s.device);  // the clock is read once the device's work is done
    const double trainSeconds = double(clock.nsecsElapsed() - pausedNs) * 1e-9;
    m_stepSeconds += trainSeconds;

    // Validation can take seconds on a large set: it stops on request like training does.
    // In a group, rank 0 validates with its batch-norm statistics, which every rank takes
    // first (checkpoints and later epochs see the same buffers everywhere).
    EpochReport report;
    if (m_group) {
        const std::vector<torch::Tensor> all = stateTensors(s.model);
        m_group->broadcast(std::vector<torch::Tensor>(all.begin() + qint64(paramCount), all.end()));
        if (m_group->rank() == 0)
            report = evaluate();  // not cut short: a local stop reaches the others with the next step
        std::vector<double> figures{report.valLoss, report.valMse, report.valPsnr, report.valSsim, report.knnAccuracy};
        m_group->broadcastValues(&figures);
        report.valLoss = figures[0];
        report.valMse = figures[1];
        report.valPsnr = figures[2];
        report.valSsim = figures[3];
        report.knnAccuracy = figures[4];
    } else {
        report = evaluate(&control);
    }
    report.epoch = epoch;
    report.trainLoss = steps > 0 ? lossSum / double(steps) : kNoValue;
    report.imagesPerSecond = trainSeconds > 0 ? double(images) / trainSeconds : 0.0;
    m_trainSeconds += double(clock.nsecsElapsed() - pausedNs) * 1e-9;
    report.seconds = m_trainSeconds;
    m_history.append(report);
    if (callbacks.onEpoch)
        callbacks.onEpoch(report);
    if (!m_group && control.isStopRequested()) {
        outcome->status = TrainStatus::Stopped;
        outcome->message = QStringLiteral("stopped after epoch %1, before its validation was complete").arg(epoch);
        return false;
    }
    return !stopsEarly(report, outcome);
}

bool Trainer::stopsEarly(const EpochReport &report, TrainOutcome *outcome)
{
    State &s = *m_state;
    // Without a validation split the training loss is all there is to watch.
    const double watched = std::isfinite(report.valLoss) ? report.valLoss : report.trainLoss;
    s.schedule.epochEnded(watched);
    if (!m_train.earlyStopping)
        return false;
    if (s.early.add(report.epoch, watched)) {
        torch::NoGradGuard noGrad;
        s.bestWeights.clear();
        for (const torch::Tensor &t : stateTensors(s.model))
            s.bestWeights.push_back(t.detach().clone());
        return false;
    }
    if (!s.early.shouldStop(report.epoch))
        return false;
    const int best = s.early.bestEpoch();
    QString kept;
    if (!s.bestWeights.empty()) {
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> current = stateTensors(s.model);
        for (size_t i = 0; i < current.size() && i < s.bestWeights.size(); ++i)
            current[i].copy_(s.bestWeights[i]);
        s.lastGood.clear();
        outcome->bestEpoch = best;
        kept = QStringLiteral("kept the weights of epoch %1").arg(best);
    } else {
        kept = QStringLiteral("the best epoch (%1) came before this run was continued, so the last weights are kept")
                   .arg(best);
    }
    outcome->message = QStringLiteral("stopped early after epoch %1: the %2 loss had not improved by %3% for %4; %5")
                           .arg(report.epoch)
                           .arg(std::isfinite(report.valLoss) ? QStringLiteral("validation") : QStringLiteral("training"))
                           .arg(m_train.minDelta * 100.0, 0, 'g', 3)
                           .arg(m_train.patience == 1 ? QStringLiteral("1 epoch")
                                                      : QStringLiteral("%1 epochs").arg(m_train.patience))
                           .arg(kept);
    return true;
}

EpochReport Trainer::evaluate(const TrainingControl *control)
{
    EpochReport report;
    State &s = *m_state;
    const qint64 n = m_split.val.defined() ? m_split.val.numel() : 0;
    if (n == 0)
        return report;
    const EvalMode eval(*s.model);
    c10::InferenceMode inference;  // no autograd bookkeeping at all: faster than no_grad
    double lossSum = 0.0, mseSum = 0.0, psnrSum = 0.0, ssimSum = 0.0;
    std::vector<torch::Tensor> codes;
    const qint64 batch = inferenceBatchSize(qint64(m_data.channels()) * m_data.height() * m_data.width());
    for (qint64 start = 0; start < n; start += batch) {
        if (control && control->isStopRequested())
            return EpochReport{};
        const torch::Tensor idx = m_split.val.slice(0, start, std::min(n, start + batch));
        const torch::Tensor x = floatBatchOn(m_data, idx, s.device);
        const ForwardResult r = s.model->forwardFull(x);
        const double count = double(idx.numel());
        lossSum += (reconstructionLoss(m_train.loss, r, x) + s.model->regularization(r)).item<double>() * count;
        const torch::Tensor recon = r.reconstruction();
        const torch::Tensor mse = perImageMse(recon, x);
        mseSum += mse.sum().item<double>();
        psnrSum += psnrFromMse(mse).sum().item<double>();
        ssimSum += perImageSsim(recon, x).sum().item<double>();
        codes.push_back(r.code.to(torch::kCPU));  // in evaluation mode a vae code is its mean
    }
    report.valLoss = lossSum / double(n);
    report.valMse = mseSum / double(n);
    report.valPsnr = psnrSum / double(n);
    report.valSsim = ssimSum / double(n);
    if (m_train.knn && m_data.hasLabels()) {
        const torch::Tensor trainCodes = encode(m_split.train, control);
        if (!trainCodes.defined())
            return EpochReport{};
        report.knnAccuracy = knnAccuracy(trainCodes, m_data.labels.index_select(0, m_split.train),
                                         torch::cat(codes), m_data.labels.index_select(0, m_split.val));
    }
    return report;
}

at::Tensor Trainer::encode(const at::Tensor &indices, const TrainingControl *control)
{
    const EvalMode eval(*m_state->model);
    return encodeImages(*m_state->model, m_data, indices, [control] {
        return control && control->isStopRequested();
    });
}

} // namespace aes
