#include "training/trainer.h"

#include "model/checkpoint.h"
#include "training/trainerstate.h"

#include <ATen/CPUGeneratorImpl.h>

#include <QJsonArray>

#include <mutex>

namespace aes {

namespace {
const char kOptimizerKey[] = "trainer_optimizer";
const char kShuffleRngKey[] = "trainer_rng_shuffle";
const char kGlobalRngKey[] = "trainer_rng_global";
const char kDeviceRngKey[] = "trainer_rng_device";  // CUDA's default generator (dropout, noise there)
const QString kTrainerMeta = QStringLiteral("trainer");
const QString kKeptEpoch = QStringLiteral("kept_epoch");

bool sameTensors(const std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!a[i].sizes().equals(b[i].sizes()) || !torch::equal(a[i], b[i]))
            return false;
    return true;
}
} // namespace

int Trainer::keptEpoch() const
{
    // Early stopping restored an earlier epoch's weights exactly when they still equal its
    // copy of the best epoch; any training step since changes them.
    State &s = *m_state;
    if (s.bestWeights.empty() || m_history.isEmpty() || s.early.bestEpoch() <= 0
        || s.early.bestEpoch() == m_history.last().epoch)
        return 0;
    torch::NoGradGuard noGrad;
    return sameTensors(stateTensors(s.model), s.bestWeights) ? s.early.bestEpoch() : 0;
}

QString Trainer::saveCheckpoint(const QString &path, const QJsonObject &meta)
{
    State &s = *m_state;
    QJsonArray history;
    for (const EpochReport &e : m_history)
        history.append(toJson(e));
    QJsonObject m = meta;
    QJsonObject trainer{
        {QStringLiteral("global_step"), double(m_globalStep)},
        {QStringLiteral("train_seconds"), m_trainSeconds},
        {QStringLiteral("learning_rate"), s.learningRate},
        {QStringLiteral("schedule"), s.schedule.state()},
        {QStringLiteral("training"), m_train.toJson()},
        {QStringLiteral("history"), history},
    };
    // The weights are an earlier epoch's (early stopping kept them): the history goes on past it.
    if (const int kept = keptEpoch(); kept > 0)
        trainer.insert(kKeptEpoch, kept);
    m.insert(kTrainerMeta, trainer);
    at::Tensor globalRng;
    {
        // The default generator drives dropout, vae sampling and denoising noise.
        at::Generator gen = at::detail::getDefaultCPUGenerator();
        std::lock_guard<std::mutex> lock(gen.mutex());
        globalRng = gen.get_state();
    }
    at::Tensor shuffleRng;
    {
        std::lock_guard<std::mutex> lock(s.shuffle.mutex());
        shuffleRng = s.shuffle.get_state();
    }
    at::Tensor deviceRng;
    if (s.device.is_cuda()) {
        at::Generator gen = at::globalContext().defaultGenerator(s.device);
        std::lock_guard<std::mutex> lock(gen.mutex());
        deviceRng = gen.get_state();
    }
    return aes::saveCheckpoint(path, *s.model, m, [&](torch::serialize::OutputArchive &archive) {
        torch::serialize::OutputArchive optimizer;
        // The optimizer's moments are saved from the CPU like the weights (device-independent
        // files), and go back to the device afterwards.
        if (s.device.is_cuda())
            moveOptimizerState(*s.optimizer, torch::kCPU);
        s.optimizer->save(optimizer);
        if (s.device.is_cuda())
            moveOptimizerState(*s.optimizer, s.device);
        archive.write(kOptimizerKey, optimizer);
        archive.write(kShuffleRngKey, shuffleRng);
        archive.write(kGlobalRngKey, globalRng);
        if (deviceRng.defined())
            archive.write(kDeviceRngKey, deviceRng);
    });
}

QString Trainer::restore(const QString &path)
{
    State &s = *m_state;
    torch::serialize::InputArchive optimizerArchive;
    at::Tensor shuffleRng, globalRng, deviceRng;
    QString error;
    const auto loaded = loadCheckpoint(path, &error, [&](torch::serialize::InputArchive &archive) {
        if (!archive.try_read(kOptimizerKey, optimizerArchive) || !archive.try_read(kShuffleRngKey, shuffleRng)
            || !archive.try_read(kGlobalRngKey, globalRng))
            return QStringLiteral("holds weights only, not the training state needed to continue");
        archive.try_read(kDeviceRngKey, deviceRng);  // written by a CUDA run only
        return QString();
    });
    if (!loaded)
        return error;
    if (loaded->options.toJson() != m_model.toJson())
        return QStringLiteral("%1: made for another model or image size (%2 %3x%4x%5, latent %6)")
            .arg(path, toString(loaded->options.kind)).arg(loaded->options.channels)
            .arg(loaded->options.height).arg(loaded->options.width).arg(loaded->options.latent);
    const QJsonObject state = loaded->meta.value(kTrainerMeta).toObject();
    QVector<EpochReport> history;
    for (const QJsonValue &v : state.value(QStringLiteral("history")).toArray()) {
        const auto e = epochReportFromJson(v.toObject(), &error);
        if (!e)
            return QStringLiteral("%1: %2").arg(path, error);
        history.append(*e);
    }
    const double lr = state.value(QStringLiteral("learning_rate")).toDouble(m_train.learningRate);
    try {
        // Everything is read: from here on nothing can fail half-way.
        auto optimizer = makeOptimizer(m_train, s.model, lr);
        optimizer->load(optimizerArchive);
        moveOptimizerState(*optimizer, s.device);  // read onto the CPU
        copyWeights(*loaded->model, *s.model);
        s.optimizer = std::move(optimizer);
        s.learningRate = lr;
        {
            std::lock_guard<std::mutex> lock(s.shuffle.mutex());
            s.shuffle.set_state(shuffleRng);
        }
        {
            at::Generator gen = at::detail::getDefaultCPUGenerator();
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(globalRng);
        }
        if (s.device.is_cuda() && deviceRng.defined()) {
            at::Generator gen = at::globalContext().defaultGenerator(s.device);
            std::lock_guard<std::mutex> lock(gen.mutex());
            gen.set_state(deviceRng);
        }
    } catch (const std::exception &e) {
        return QStringLiteral("%1: the training state is damaged (%2)").arg(path, QString::fromUtf8(e.what()));
    }
    s.lastGood.clear();
    m_history = history;
    m_globalStep = qint64(state.value(QStringLiteral("global_step")).toDouble());
    m_trainSeconds = state.value(QStringLiteral("train_seconds")).toDouble();
    // The schedule goes on where it was; a checkpoint from before schedules had only a
    // constant rate, the one it saved.
    if (state.contains(QStringLiteral("schedule")))
        s.schedule.restoreState(state.value(QStringLiteral("schedule")).toObject());
    else
        s.schedule.rescale(lr, m_globalStep);
    // Early stopping's record from the history; the best weights are at hand only when the
    // best epoch is the last one.
    s.early = EarlyStopping(m_train.patience, m_train.minDelta);
    s.bestWeights.clear();
    for (const EpochReport &e : m_history)
        s.early.add(e.epoch, std::isfinite(e.valLoss) ? e.valLoss : e.trainLoss);
    // kept_epoch: the checkpoint holds the best epoch's weights although later epochs ran.
    const int kept = state.value(kKeptEpoch).toInt();
    if (!m_history.isEmpty()
        && (s.early.bestEpoch() == m_history.last().epoch || (kept > 0 && s.early.bestEpoch() == kept))) {
        torch::NoGradGuard noGrad;
        for (const torch::Tensor &t : stateTensors(s.model))
            s.bestWeights.push_back(t.detach().clone());
    }
    return {};
}

} // namespace aes
