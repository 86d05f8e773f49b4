// Data-parallel training over c10d (Gloo, loopback) and the device choice: two ranks equal one
// process with the double batch; `train --nproc 2` and torchrun-style launches train and resume;
// a killed or missing rank ends the run with an error naming it, within the timeout.

#include "data/dataset.h"
#include "model/autoencoder.h"
#include "model/checkpoint.h"
#include "model/device.h"
#include "testdata.h"
#include "testimages.h"
#include "testutil.h"
#include "training/distributed.h"
#include "training/trainer.h"
#include "training/trainingcontrol.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

namespace {

// A port no one listens on now (bound to 0, read, closed): for rank 0 to host the store on.
int freePort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0)
        qFatal("no free port");
    ::close(fd);
    return ntohs(a.sin_port);
}

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

// The pid of the child of `parent` whose RANK variable is `rank` (-1 when none).
qint64 rankPid(qint64 parent, int rank)
{
    QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(parent));
    if (!children.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &pid : children.readAll().trimmed().split(' ')) {
        QFile environ(QStringLiteral("/proc/%1/environ").arg(QString::fromLatin1(pid)));
        if (environ.open(QIODevice::ReadOnly) && environ.readAll().split('\0').contains("RANK=" + QByteArray::number(rank)))
            return pid.toLongLong();
    }
    return -1;
}

} // namespace

class TestDistributed final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void deviceSpecs();
    void twoRanksMatchOneProcessWithTheDoubleBatch_data();
    void twoRanksMatchOneProcessWithTheDoubleBatch();
    void nprocTrainsOneRunDirectory();
    void resumeOfADistributedRun();
    void resumeWithAugmentationAndDropoutIsExact();
    void torchrunVariablesWithProcessesStartedByHand();
    void killedRankEndsTheRunWithinTheTimeout();
    void missingRankIsNamedWithinTheTimeout();
    void interruptStopsEveryProcess();

private:
    static QString cli() { return QStringLiteral(AES_CLI_PATH); }
    QStringList trainArgs(const QString &out, const QStringList &more = {}) const
    {
        return QStringList{QStringLiteral("train"), m_data, QStringLiteral("--out"), out, QStringLiteral("--latent"),
                           QStringLiteral("4"), QStringLiteral("--widths"), QStringLiteral("4,8"), QStringLiteral("--batch"),
                           QStringLiteral("8"), QStringLiteral("--no-knn"), QStringLiteral("--threads"), QStringLiteral("1"),
                           QStringLiteral("--device"), QStringLiteral("cpu")}
            + more;
    }
    QTemporaryDir m_dir;
    QString m_data;
};

void TestDistributed::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_data = m_dir.filePath(QStringLiteral("images"));
    QVERIFY(aes::test::writeTwoClassFolder(m_data, 48, 12));
}

void TestDistributed::deviceSpecs()
{
    QVERIFY(aes::isDeviceSpec(QStringLiteral("auto")));
    QVERIFY(aes::isDeviceSpec(QStringLiteral("cuda:1")));
    QVERIFY(!aes::isDeviceSpec(QStringLiteral("gpu")));
    QVERIFY(aes::deviceProblem(QStringLiteral("cpu")).isEmpty());
    QCOMPARE(aes::availableDevices().first(), QStringLiteral("cpu"));
    if (aes::cudaAvailable())
        QSKIP("this LibTorch has CUDA: the refusal below is for CPU-only builds");
    QCOMPARE(aes::resolvedDeviceName(QStringLiteral("auto")), QStringLiteral("cpu"));
    QVERIFY2(aes::deviceProblem(QStringLiteral("cuda")).contains(QStringLiteral("has no CUDA")),
             qPrintable(aes::deviceProblem(QStringLiteral("cuda"))));
    // The trainer refuses it with the message; the CLI with exit code 2.
    const aes::Dataset data = aes::test::makePatternDataset(16, 1, 8, 8);
    aes::TrainOptions train;
    train.device = QStringLiteral("cuda:0");
    QString error;
    QVERIFY(!aes::Trainer::create(data, aes::splitIndices(16, 0.0, 1), aes::ModelOptions{}, train, &error));
    QVERIFY2(error.contains(QStringLiteral("cuda requested")), qPrintable(error));
    const aes::test::ProgramResult r = aes::test::runProgram(cli(), trainArgs(m_dir.filePath(QStringLiteral("cudarun")))
                                                                        << QStringLiteral("--device") << QStringLiteral("cuda"));
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains(QStringLiteral("cuda requested but this LibTorch has no CUDA")), qPrintable(r.err));
}

void TestDistributed::twoRanksMatchOneProcessWithTheDoubleBatch_data()
{
    QTest::addColumn<int>("images");
    QTest::addColumn<bool>("batchNorm");
    // 70 images, batch 8 x 2: four full steps and a last one of 6 (3 + 3 images); 69: the last
    // is 5 (3 + 2), each rank's loss weighted by its share.
    QTest::newRow("even last batch") << 70 << false;
    QTest::newRow("uneven last batch") << 69 << false;
    // With batch norm each rank normalises by its own batch (as DDP without SyncBatchNorm): the
    // ranks still hold the same weights and, from rank 0, the same running statistics.
    QTest::newRow("batch norm, ranks agree") << 69 << true;
}

// DDP's promise, checked exactly: rank r of 2 trains on images [r * B, (r + 1) * B) of each
// global batch of 2B from the shared epoch order, so the averaged gradient is the gradient of
// the mean loss over the same 2B images one process with batch 2B takes. Without batch norm
// (whose batch statistics would differ, as with DDP without SyncBatchNorm) and without
// dropout or noise, the weights agree after every step to float rounding.
void TestDistributed::twoRanksMatchOneProcessWithTheDoubleBatch()
{
    QFETCH(int, images);
    QFETCH(bool, batchNorm);
    const aes::Dataset data = aes::test::makePatternDataset(images, 1, 8, 8);
    const aes::Split split = aes::splitIndices(images, 0.0, 1);
    aes::ModelOptions model;
    model.kind = aes::ModelKind::Conv;
    model.widths = {4, 8};
    model.latent = 4;
    model.batchNorm = batchNorm;
    model.dropout = 0.0;
    aes::TrainOptions train;
    train.optimizer = aes::OptimizerKind::Sgd;
    train.learningRate = 0.05;
    train.epochs = 2;
    train.threads = 1;
    train.knn = false;
    train.valFraction = 0.0;
    train.device = QStringLiteral("cpu");
    train.seed = 5;
    QString error;

    aes::TrainOptions single = train;
    single.batchSize = 16;
    auto one = aes::Trainer::create(data, split, model, single, &error);
    QVERIFY2(one, qPrintable(error));
    aes::TrainingControl control;
    QCOMPARE(one->run(control).status, aes::TrainStatus::Finished);

    train.batchSize = 8;
    std::unique_ptr<aes::Trainer> ranks[2];
    for (auto &t : ranks) {
        t = aes::Trainer::create(data, split, model, train, &error);
        QVERIFY2(t, qPrintable(error));
    }
    auto store = aes::StoreHost::start(QStringLiteral("127.0.0.1"), 0, 20, &error);
    QVERIFY2(store, qPrintable(error));
    aes::TrainOutcome outcomes[2];
    QString errors[2];
    std::thread threads[2];
    aes::TrainingControl controls[2];
    for (int r = 0; r < 2; ++r) {
        threads[r] = std::thread([&, r] {
            aes::DistributedOptions o;
            o.rank = r;
            o.localRank = r;
            o.worldSize = 2;
            o.localWorldSize = 2;
            o.masterPort = store->port();
            o.storeHostedByLauncher = true;
            o.timeoutSeconds = 20;
            auto group = aes::DataParallelGroup::join(o, &errors[r]);
            if (!group)
                return;
            ranks[r]->setDistributed(group);
            outcomes[r] = ranks[r]->run(controls[r]);
        });
    }
    for (auto &t : threads)
        t.join();
    for (int r = 0; r < 2; ++r) {
        QVERIFY2(errors[r].isEmpty(), qPrintable(errors[r]));
        QVERIFY2(outcomes[r].status == aes::TrainStatus::Finished, qPrintable(outcomes[r].message));
        QCOMPARE(ranks[r]->globalStep(), one->globalStep());
    }
    if (batchNorm) {
        const auto a = ranks[0]->model()->parameters(), b = ranks[1]->model()->parameters();
        const auto ba = ranks[0]->model()->buffers(), bb = ranks[1]->model()->buffers();
        QVERIFY(!ba.empty());
        for (size_t i = 0; i < a.size(); ++i)
            QVERIFY(torch::equal(a[i], b[i]));
        for (size_t i = 0; i < ba.size(); ++i)
            QVERIFY(torch::equal(ba[i], bb[i]));
        return;
    }
    const auto reference = one->model()->parameters();
    for (int r = 0; r < 2; ++r) {
        const auto p = ranks[r]->model()->parameters();
        QCOMPARE(p.size(), reference.size());
        for (size_t i = 0; i < p.size(); ++i) {
            const double diff = (p[i] - reference[i]).abs().max().item<double>();
            QVERIFY2(diff < 1e-5, qPrintable(QStringLiteral("rank %1 parameter %2 differs by %3").arg(r).arg(i).arg(diff)));
        }
        QVERIFY(std::abs(ranks[r]->history().last().trainLoss - one->history().last().trainLoss) < 1e-5);
    }
    // The weights moved (the comparison is not between two untouched models), and the ranks talked.
    QVERIFY(one->history().last().trainLoss < one->history().first().trainLoss);
    QVERIFY(ranks[0]->communicationSeconds() > 0.0);
}

void TestDistributed::nprocTrainsOneRunDirectory()
{
    const QString run = m_dir.filePath(QStringLiteral("nproc"));
    const aes::test::ProgramResult r = aes::test::runProgram(
        cli(), trainArgs(run, {QStringLiteral("--nproc"), QStringLiteral("2"), QStringLiteral("--epochs"), QStringLiteral("2")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("2 processes (gloo backend) x 1 thread(s), batch 8 per process")), qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("communication")), qPrintable(r.err));
    // Rank 0 alone wrote: one history line per epoch, not one per rank.
    QFile history(run + QStringLiteral("/history.csv"));
    QVERIFY(history.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(history.readAll()).trimmed().split(QLatin1Char('\n')).size(), 3);
    const QJsonObject s = readJson(run + QStringLiteral("/summary.json"));
    QCOMPARE(s.value(QStringLiteral("processes")).toInt(), 2);
    QCOMPARE(s.value(QStringLiteral("epochs")).toInt(), 2);
    QCOMPARE(s.value(QStringLiteral("device")).toString(), QStringLiteral("cpu"));
    // 43 training images, 16 per global step: 3 steps an epoch.
    QCOMPARE(s.value(QStringLiteral("steps")).toInt(), 6);
    QVERIFY(s.value(QStringLiteral("val_mse")).toDouble() > 0.0);
}

void TestDistributed::resumeOfADistributedRun()
{
    const QString run = m_dir.filePath(QStringLiteral("nproc"));
    if (!QFile::exists(run + QStringLiteral("/checkpoint.pt")))
        QSKIP("needs the run of nprocTrainsOneRunDirectory");
    const aes::test::ProgramResult r = aes::test::runProgram(
        cli(), {QStringLiteral("train"), QStringLiteral("--resume"), run, QStringLiteral("--epochs"), QStringLiteral("3"),
                QStringLiteral("--nproc"), QStringLiteral("2"), QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("continuing after epoch 2 (step 6)")), qPrintable(r.err));
    const QJsonObject s = readJson(run + QStringLiteral("/summary.json"));
    QCOMPARE(s.value(QStringLiteral("epochs")).toInt(), 3);
    QCOMPARE(s.value(QStringLiteral("steps")).toInt(), 9);
    QCOMPARE(s.value(QStringLiteral("processes")).toInt(), 2);
}

// Each rank's augmentation, dropout and noise come from streams seeded by (seed, rank, step):
// two epochs straight and one epoch, then --resume for the second, end with the same weights.
void TestDistributed::resumeWithAugmentationAndDropoutIsExact()
{
    const QStringList random{QStringLiteral("--nproc"), QStringLiteral("2"), QStringLiteral("--augment"),
                             QStringLiteral("--dropout"), QStringLiteral("0.3"), QStringLiteral("--schedule"),
                             QStringLiteral("constant")};
    const QString straight = m_dir.filePath(QStringLiteral("straight"));
    const QString resumed = m_dir.filePath(QStringLiteral("resumed"));
    aes::test::ProgramResult r = aes::test::runProgram(cli(), trainArgs(straight, random + QStringList{QStringLiteral("--epochs"), QStringLiteral("2")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = aes::test::runProgram(cli(), trainArgs(resumed, random + QStringList{QStringLiteral("--epochs"), QStringLiteral("1")}));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    r = aes::test::runProgram(cli(), {QStringLiteral("train"), QStringLiteral("--resume"), resumed, QStringLiteral("--epochs"),
                                      QStringLiteral("2"), QStringLiteral("--nproc"), QStringLiteral("2"),
                                      QStringLiteral("--threads"), QStringLiteral("1")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY2(r.err.contains(QStringLiteral("continuing after epoch 1")), qPrintable(r.err));
    QString error;
    const auto a = aes::loadCheckpoint(straight + QStringLiteral("/checkpoint.pt"), &error);
    QVERIFY2(a, qPrintable(error));
    const auto b = aes::loadCheckpoint(resumed + QStringLiteral("/checkpoint.pt"), &error);
    QVERIFY2(b, qPrintable(error));
    QVERIFY(a->model->options().dropout > 0.0);
    const auto pa = a->model->parameters(), pb = b->model->parameters();
    QCOMPARE(pa.size(), pb.size());
    for (size_t i = 0; i < pa.size(); ++i) {
        const double diff = (pa[i] - pb[i]).abs().max().item<double>();
        QVERIFY2(diff <= 1e-6, qPrintable(QStringLiteral("parameter %1 differs by %2").arg(i).arg(diff)));
    }
    const double lossA = readJson(straight + QStringLiteral("/summary.json")).value(QStringLiteral("final_train_loss")).toDouble();
    const double lossB = readJson(resumed + QStringLiteral("/summary.json")).value(QStringLiteral("final_train_loss")).toDouble();
    QVERIFY2(lossA > 0.0 && std::abs(lossA - lossB) <= 1e-6 * lossA, qPrintable(QStringLiteral("%1 vs %2").arg(lossA).arg(lossB)));
}

void TestDistributed::torchrunVariablesWithProcessesStartedByHand()
{
    const QString run = m_dir.filePath(QStringLiteral("byhand"));
    const int port = freePort();
    QProcess ranks[2];
    for (int r = 0; r < 2; ++r) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("RANK"), QString::number(r));
        env.insert(QStringLiteral("WORLD_SIZE"), QStringLiteral("2"));
        env.insert(QStringLiteral("LOCAL_RANK"), QString::number(r));
        env.insert(QStringLiteral("MASTER_ADDR"), QStringLiteral("127.0.0.1"));
        env.insert(QStringLiteral("MASTER_PORT"), QString::number(port));
        ranks[r].setProcessEnvironment(env);
        ranks[r].start(cli(), trainArgs(run, {QStringLiteral("--epochs"), QStringLiteral("1"), QStringLiteral("--dist-timeout"),
                                              QStringLiteral("20")}));
    }
    QString err[2];
    for (int r = 0; r < 2; ++r) {
        QVERIFY(ranks[r].waitForFinished(60000));
        err[r] = QString::fromUtf8(ranks[r].readAllStandardError());
        QVERIFY2(ranks[r].exitStatus() == QProcess::NormalExit && ranks[r].exitCode() == 0, qPrintable(err[r]));
    }
    QVERIFY2(err[0].contains(QStringLiteral("2 processes")), qPrintable(err[0]));
    QVERIFY2(!err[1].contains(QStringLiteral("epoch 1/1")), qPrintable(err[1]));  // rank 0 speaks for the run
    QCOMPARE(readJson(run + QStringLiteral("/summary.json")).value(QStringLiteral("processes")).toInt(), 2);
}

// A rank killed mid-run: the other one stops within the timeout with one line naming it, the
// launcher exits non-zero, and the checkpoint of the last finished epoch still loads.
void TestDistributed::killedRankEndsTheRunWithinTheTimeout()
{
    const QString run = m_dir.filePath(QStringLiteral("killed"));
    QProcess launcher;
    launcher.start(cli(), trainArgs(run, {QStringLiteral("--nproc"), QStringLiteral("2"), QStringLiteral("--epochs"),
                                          QStringLiteral("500"), QStringLiteral("--dist-timeout"), QStringLiteral("4")}));
    QVERIFY(launcher.waitForStarted());
    QString err;
    QTRY_VERIFY_WITH_TIMEOUT((err += QString::fromUtf8(launcher.readAllStandardError())).contains(QStringLiteral("epoch 1/500")), 30000);
    const qint64 victim = rankPid(launcher.processId(), 1);
    QVERIFY(victim > 0);
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(::kill(pid_t(victim), SIGKILL), 0);
    QVERIFY(launcher.waitForFinished(20000));
    const qint64 ms = clock.elapsed();
    err += QString::fromUtf8(launcher.readAllStandardError());
    QVERIFY2(ms < 4000 + 4000, qPrintable(QStringLiteral("took %1 ms").arg(ms)));
    QVERIFY(launcher.exitCode() != 0);
    QVERIFY2(err.contains(QStringLiteral("aestudio-cli: rank 1 stopped responding")), qPrintable(err));
    QString error;
    QVERIFY2(aes::readCheckpointInfo(run + QStringLiteral("/checkpoint.pt"), &error), qPrintable(error));
    QVERIFY(readJson(run + QStringLiteral("/summary.json")).value(QStringLiteral("status")).toString() == QStringLiteral("failed"));
}

void TestDistributed::missingRankIsNamedWithinTheTimeout()
{
    QProcess rank0;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("RANK"), QStringLiteral("0"));
    env.insert(QStringLiteral("WORLD_SIZE"), QStringLiteral("2"));
    env.insert(QStringLiteral("MASTER_PORT"), QString::number(freePort()));
    rank0.setProcessEnvironment(env);
    QElapsedTimer clock;
    clock.start();
    rank0.start(cli(), trainArgs(m_dir.filePath(QStringLiteral("alone")), {QStringLiteral("--dist-timeout"), QStringLiteral("2")}));
    QVERIFY(rank0.waitForFinished(20000));
    QVERIFY(clock.elapsed() < 2000 + 5000);
    const QString err = QString::fromUtf8(rank0.readAllStandardError());
    QVERIFY(rank0.exitCode() != 0);
    QVERIFY2(err.trimmed().split(QLatin1Char('\n')).last().contains(QStringLiteral("rank 1 never arrived within 2 s")), qPrintable(err));
}

void TestDistributed::interruptStopsEveryProcess()
{
    const QString run = m_dir.filePath(QStringLiteral("interrupted"));
    QProcess launcher;
    launcher.start(cli(), trainArgs(run, {QStringLiteral("--nproc"), QStringLiteral("2"), QStringLiteral("--epochs"), QStringLiteral("500")}));
    QVERIFY(launcher.waitForStarted());
    QString err;
    QTRY_VERIFY_WITH_TIMEOUT((err += QString::fromUtf8(launcher.readAllStandardError())).contains(QStringLiteral("epoch 1/500")), 30000);
    const qint64 rank1 = rankPid(launcher.processId(), 1);
    QVERIFY(rank1 > 0);
    QCOMPARE(::kill(pid_t(launcher.processId()), SIGINT), 0);
    QVERIFY(launcher.waitForFinished(10000));
    err += QString::fromUtf8(launcher.readAllStandardError());
    QVERIFY2(launcher.exitCode() == 130, qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("stopped in epoch")), qPrintable(err));
    QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(rank1), 0) != 0, 5000);  // rank 1 is gone too
    QString error;
    QVERIFY2(aes::readCheckpointInfo(run + QStringLiteral("/checkpoint.pt"), &error), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestDistributed)
#include "tst_distributed.moc"
