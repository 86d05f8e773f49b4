// Training that cannot fit in memory is refused before it starts, with the figures, and what
// fits is never refused. "Available" memory is faked (AES_MEMORY_AVAILABLE, or the figure
// passed in), so the tests do not depend on the machine.

#include "model/autoencoder.h"
#include "project/trainjob.h"
#include "training/memoryestimate.h"
#include "testdata.h"
#include "training/trainingcontrol.h"

#include <torch/torch.h>

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using namespace aes;

namespace {

// Sets an environment variable for one scope.
class ScopedEnv {
public:
    ScopedEnv(const char *name, const QByteArray &value) : m_name(name) { qputenv(name, value); }
    ~ScopedEnv() { qunsetenv(m_name); }
    ScopedEnv(const ScopedEnv &) = delete;
    ScopedEnv &operator=(const ScopedEnv &) = delete;

private:
    const char *m_name;
};

ModelOptions denseModel(int hidden)
{
    ModelOptions m;
    m.kind = ModelKind::Dense;
    m.widths = {hidden};
    m.latent = 8;
    return m;
}

} // namespace

class TestMemoryEstimate final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void partsAreCounted();
    void batchScalesActivations();
    void estimateLeavesRandomNumbersAlone();
    void refusesWhatCannotFit();
    void machineFigureIsRead();
    void deviceRefusesWhatCannotFitThere();
    void deviceFigureIsReadOrExplained();
    void trainJobRefusesBeforeTraining();
};

void TestMemoryEstimate::partsAreCounted()
{
    const Dataset data = test::makePatternDataset(100, 1, 16, 16);
    TrainOptions train;
    train.batchSize = 10;
    const ModelOptions model = denseModel(64);
    const MemoryEstimate adam = estimateTrainingMemory(data, model, train);
    QCOMPARE(adam.datasetBytes, qint64(100 * 16 * 16));
    ModelOptions sized = model;
    sized.channels = 1;
    sized.height = sized.width = 16;
    const qint64 parameters = AutoencoderImpl(sized).parameterCount();
    // Weights, gradients, last-good copy, Adam's two moments.
    QCOMPARE(adam.modelBytes, parameters * 4 * 5);
    train.optimizer = OptimizerKind::Sgd;
    train.momentum = 0.0;
    QCOMPARE(estimateTrainingMemory(data, model, train).modelBytes, parameters * 4 * 3);
    // At least every layer's output for each image of the batch: 256 inputs, 64 hidden, 8
    // latent, 64, 256 out (float32) - and not absurdly more.
    const qint64 floor = 10 * (256 + 64 + 8 + 64 + 256) * 4;
    QVERIFY2(adam.batchBytes >= floor && adam.batchBytes < 40 * floor,
             qPrintable(QStringLiteral("%1 vs %2").arg(adam.batchBytes).arg(floor)));
    QCOMPARE(adam.total(), adam.datasetBytes + adam.modelBytes + adam.batchBytes);
}

void TestMemoryEstimate::batchScalesActivations()
{
    const Dataset data = test::makePatternDataset(256, 3, 32, 32);
    ModelOptions conv;
    conv.kind = ModelKind::Conv;
    TrainOptions train;
    train.batchSize = 32;
    const MemoryEstimate small = estimateTrainingMemory(data, conv, train);
    train.batchSize = 128;
    const MemoryEstimate large = estimateTrainingMemory(data, conv, train);
    QCOMPARE(large.batchBytes, 4 * small.batchBytes);
    QCOMPARE(large.modelBytes, small.modelBytes);
    QVERIFY(small.batchBytes > 32 * 3 * 32 * 32 * 4);  // more than the input batch alone
}

void TestMemoryEstimate::estimateLeavesRandomNumbersAlone()
{
    const Dataset data = test::makePatternDataset(20, 1, 8, 8);
    ModelOptions denoising;
    denoising.kind = ModelKind::Denoising;  // its forward pass draws noise
    torch::manual_seed(5);
    const torch::Tensor expected = torch::rand({4});
    torch::manual_seed(5);
    estimateTrainingMemory(data, denoising, TrainOptions{});
    QVERIFY(torch::equal(torch::rand({4}), expected));
}

void TestMemoryEstimate::refusesWhatCannotFit()
{
    MemoryEstimate need;
    need.datasetBytes = 100 << 20;
    need.modelBytes = 20 << 20;
    need.batchBytes = 30 << 20;
    AvailableMemory available{qint64(200) << 20, QStringLiteral("MemAvailable")};
    QVERIFY(memoryProblem(need, available, false).isEmpty());
    available.bytes = qint64(140) << 20;
    const QString message = memoryProblem(need, available, false);
    QVERIFY2(message.contains("about 150 MiB is needed (images 100 MiB, model and optimizer 20 MiB, one batch 30 MiB)")
                 && message.contains("only 140 MiB is available (MemAvailable)") && message.contains("smaller batch size"),
             qPrintable(message));
    // Once the images are loaded they are no longer part of what must still fit.
    available.bytes = qint64(60) << 20;
    QVERIFY(memoryProblem(need, available, true).isEmpty());
    available.bytes = qint64(40) << 20;
    QVERIFY2(memoryProblem(need, available, true).contains("only 140 MiB is available"),
             qPrintable(memoryProblem(need, available, true)));
    // Unknown: never refused.
    available.bytes = -1;
    QVERIFY(memoryProblem(need, available, false).isEmpty());
}

void TestMemoryEstimate::machineFigureIsRead()
{
    const AvailableMemory real = availableMemory();
    QVERIFY2(real.bytes > 0, qPrintable(real.source));  // Linux: /proc/meminfo at least
    ScopedEnv fake("AES_MEMORY_AVAILABLE", "12345");
    const AvailableMemory faked = availableMemory();
    QCOMPARE(faked.bytes, qint64(12345));
    QCOMPARE(faked.source, QStringLiteral("AES_MEMORY_AVAILABLE"));
}

void TestMemoryEstimate::deviceRefusesWhatCannotFitThere()
{
    // On a CUDA device the model and the batch must fit in its free memory; the images stay
    // on the host and do not count there.
    MemoryEstimate need;
    need.datasetBytes = qint64(900) << 20;
    need.modelBytes = 20 << 20;
    need.batchBytes = 30 << 20;
    AvailableMemory free{qint64(60) << 20, QStringLiteral("AES_DEVICE_MEMORY_AVAILABLE")};
    QVERIFY(deviceMemoryProblem(need, free, QStringLiteral("cuda:0")).isEmpty());
    free.bytes = qint64(40) << 20;
    const QString message = deviceMemoryProblem(need, free, QStringLiteral("cuda:1"));
    QVERIFY2(message.contains("Not enough memory on cuda:1") && message.contains("about 50 MiB is needed there")
                 && message.contains("model and optimizer 20 MiB, one batch 30 MiB")
                 && message.contains("only 40 MiB is free (AES_DEVICE_MEMORY_AVAILABLE)")
                 && message.contains("smaller batch size"),
             qPrintable(message));
    // The host figure alone would have refused the images; the device's does not look at them.
    QVERIFY(!memoryProblem(need, AvailableMemory{qint64(60) << 20, QStringLiteral("MemAvailable")}, false).isEmpty());
    free.bytes = -1;  // unknown: never refused
    QVERIFY(deviceMemoryProblem(need, free, QStringLiteral("cuda:0")).isEmpty());
    // The injected figure is what a CUDA run is checked against.
    ScopedEnv fake("AES_DEVICE_MEMORY_AVAILABLE", QByteArray::number(qint64(40) << 20));
    const AvailableMemory injected = deviceAvailableMemory(0);
    QCOMPARE(injected.bytes, qint64(40) << 20);
    QVERIFY(!deviceMemoryProblem(need, injected, QStringLiteral("cuda:0")).isEmpty());
}

void TestMemoryEstimate::deviceFigureIsReadOrExplained()
{
    // Through the driver, loaded at run time: a figure on a machine with a GPU, else the reason.
    const AvailableMemory device = deviceAvailableMemory(0);
    if (device.bytes >= 0) {
        QVERIFY(device.bytes > 0);
        QCOMPARE(device.source, QStringLiteral("free device memory, cuMemGetInfo"));
    } else {
        QVERIFY2(device.source.contains(QStringLiteral("libcuda.so.1")) || device.source.contains(QStringLiteral("failed")),
                 qPrintable(device.source));
    }
    // A device the driver does not have is explained, not a crash.
    const AvailableMemory missing = deviceAvailableMemory(999);
    QCOMPARE(missing.bytes, qint64(-1));
    QVERIFY(!missing.source.isEmpty());
}

void TestMemoryEstimate::trainJobRefusesBeforeTraining()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (int i = 0; i < 12; ++i)
        QVERIFY(test::writeImage(dir.filePath(QStringLiteral("data/%1.png").arg(i)),
                                 test::solidImage(16, 16, cv::Scalar::all(i * 20))));
    TrainJobOptions job;
    job.data = dir.filePath("data");
    job.runDir = dir.filePath("run");
    job.model = denseModel(32);
    job.train.epochs = 1;
    job.train.batchSize = 4;
    job.train.threads = 1;
    TrainingControl control;
    {
        ScopedEnv fake("AES_MEMORY_AVAILABLE", "65536");  // 64 KiB: far too little
        const TrainJobResult refused = runTrainJob(job, control);
        QVERIFY(!refused.ok);
        QVERIFY2(refused.error.startsWith("Not enough memory to train") && refused.error.contains("AES_MEMORY_AVAILABLE"),
                 qPrintable(refused.error));
        QVERIFY(!QFileInfo::exists(QDir(job.runDir).filePath("checkpoint.pt")));
    }
    {
        ScopedEnv fake("AES_MEMORY_AVAILABLE", QByteArray::number(qint64(1) << 30));
        const TrainJobResult trained = runTrainJob(job, control);
        QVERIFY2(trained.ok, qPrintable(trained.error));
        QCOMPARE(trained.outcome.status, TrainStatus::Finished);
    }
}

QTEST_GUILESS_MAIN(TestMemoryEstimate)
#include "tst_memoryestimate.moc"
