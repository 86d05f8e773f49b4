// Interrupted work, as users interrupt it: the real programs are started on a tiny generated
// dataset (an epoch takes a fraction of a second, with a checkpoint after each) and killed at
// random moments.
// - SIGKILL, 20 times, alternating fresh runs and `train --resume`: the checkpoint on disk always
//   loads with its training state, its epoch never goes back, the next run resumes from it, and
//   temporary files do not pile up.
// - SIGTERM, 20 times, to `aestudio-cli train`, `aestudio-cli export` and the desktop app
//   training (offscreen): each exits within 2 s with a clean exit code, and the last completed
//   checkpoint stays intact.
// The moments come from a seeded generator; the seed is printed and AES_INTERRUPT_SEED repeats it.

#include "model/checkpoint.h"
#include "testdata.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>

#include <csignal>
#include <sys/types.h>

namespace {

// The files a run directory may hold; anything else is a left-over temporary file.
const QStringList kRunFiles = {"checkpoint.pt", "history.csv", "summary.json", "load-report.txt"};

QStringList strayFiles(const QString &dir, const QStringList &expected)
{
    QStringList stray;
    for (const QString &name : QDir(dir).entryList(QDir::Files | QDir::Hidden | QDir::System))
        if (!expected.contains(name))
            stray << name;
    return stray;
}

// Every file under dir, relative to it.
QStringList filesUnder(const QString &dir)
{
    QStringList files;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(dir).relativeFilePath(it.next());
    return files;
}

// True once the process has a handler for SIGTERM (read from /proc): from then on a SIGTERM
// is the program's to handle. Before main() runs (the dynamic loader maps LibTorch and Qt for
// a few hundred milliseconds) the default action would end any program.
bool catchesSigterm(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return false;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("SigCgt:")) {
            bool ok = false;
            const quint64 mask = line.mid(7).trimmed().toULongLong(&ok, 16);
            return ok && (mask & (quint64(1) << (SIGTERM - 1)));
        }
    }
    return false;
}

bool waitUntilCatchesSigterm(QProcess &p, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        if (p.state() != QProcess::Running)
            return false;
        if (catchesSigterm(p.processId()))
            return true;
        p.waitForFinished(10);
    }
    return false;
}

struct Checkpoint {
    bool exists = false;
    bool ok = false;
    int epoch = -1;
    QString error;
};

// Loads the run's checkpoint as `train --resume` does (weights, options, training state).
Checkpoint readCheckpoint(const QString &runDir)
{
    Checkpoint c;
    const QString path = QDir(runDir).filePath("checkpoint.pt");
    c.exists = QFileInfo::exists(path);
    if (!c.exists)
        return c;
    const std::optional<aes::LoadedCheckpoint> loaded = aes::loadCheckpoint(path, &c.error);
    if (!loaded)
        return c;
    if (!loaded->meta.value("trainer").isObject()) {
        c.error = "no training state";
        return c;
    }
    c.ok = true;
    c.epoch = loaded->meta.value("epoch").toInt(-1);
    return c;
}

} // namespace

class TestInterrupt final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void killedTrainingAlwaysResumes();
    void terminatedTrainingStopsCleanly();
    void terminatedExportStopsCleanly();
    void terminatedDesktopAppClosesCleanly();

private:
    QStringList trainArgs(const QString &runDir, bool resume) const;
    void start(QProcess &p, const QString &program, const QStringList &args);
    // Sends `signal` at a random moment after the program installed its handlers; returns
    // the milliseconds from the signal to the exit, or -1 when it ended on its own first.
    qint64 interrupt(QProcess &p, int signal, int maxDelayMs);

    QTemporaryDir m_dir;
    QString m_data;
    QRandomGenerator m_random;
};

void TestInterrupt::initTestCase()
{
    QVERIFY(m_dir.isValid());
    quint32 seed = QRandomGenerator::global()->generate();
    if (qEnvironmentVariableIsSet("AES_INTERRUPT_SEED"))
        seed = quint32(qEnvironmentVariableIntValue("AES_INTERRUPT_SEED"));
    qInfo("interrupt moments: AES_INTERRUPT_SEED=%u", seed);
    m_random.seed(seed);
    // 3 classes x 40 images of 16x16: shapes a model learns in a few epochs.
    m_data = m_dir.filePath("data");
    for (int k = 0; k < 3; ++k) {
        for (int i = 0; i < 40; ++i) {
            cv::Mat img(16, 16, CV_8UC1, cv::Scalar(0));
            if (k == 0)
                cv::circle(img, {8, 8}, 2 + i % 5, cv::Scalar(255), -1);
            else if (k == 1)
                cv::rectangle(img, {1 + i % 4, 1 + i % 4}, {13, 13}, cv::Scalar(220), -1);
            else
                for (int r = i % 3; r < 16; r += 3)
                    img.row(r).setTo(200);
            QVERIFY(aes::test::writeImage(QStringLiteral("%1/c%2/%3.png").arg(m_data).arg(k).arg(i), img));
        }
    }
}

QStringList TestInterrupt::trainArgs(const QString &runDir, bool resume) const
{
    // Never finishes by itself: only the signals end these runs.
    if (resume)
        return {"train", "--resume", runDir, "--epochs", "100000", "--threads", "1"};
    return {"train", m_data, "--out", runDir, "--epochs", "100000", "--model", "conv", "--widths", "8,16",
            "--latent", "4", "--batch", "16", "--threads", "1", "--val-split", "0.2",
            "--overwrite"};  // a run killed before its first checkpoint left its load report
}

void TestInterrupt::start(QProcess &p, const QString &program, const QStringList &args)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("QT_QPA_PLATFORM", "offscreen");
    env.insert("OMP_WAIT_POLICY", "PASSIVE");
    env.insert("OMP_NUM_THREADS", "1");
    env.insert("XDG_CONFIG_HOME", m_dir.filePath("config"));  // the app's settings stay here,
    env.insert("XDG_DATA_HOME", m_dir.filePath("data"));      // its autosaved runs too
    env.insert("XDG_CACHE_HOME", m_dir.filePath("cache"));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::SeparateChannels);
    p.start(program, args);
}

qint64 TestInterrupt::interrupt(QProcess &p, int signal, int maxDelayMs)
{
    if (!p.waitForStarted(10000) || !waitUntilCatchesSigterm(p, 30000))
        return -1;
    if (p.waitForFinished(int(m_random.bounded(maxDelayMs + 1))))
        return -1;
    QElapsedTimer clock;
    clock.start();
    ::kill(pid_t(p.processId()), signal);
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return 30000;
    }
    return clock.elapsed();
}

void TestInterrupt::killedTrainingAlwaysResumes()
{
    const QString runDir = m_dir.filePath("killed");
    int lastEpoch = -1;
    int resumed = 0;
    int strayLeft = 0;  // kills that left a temporary file (a save in progress)
    for (int i = 0; i < 20; ++i) {
        const Checkpoint before = readCheckpoint(runDir);
        QProcess p;
        start(p, AES_CLI_PATH, trainArgs(runDir, before.exists));
        const qint64 ms = interrupt(p, SIGKILL, 1200);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(ms >= 0, qPrintable(QStringLiteral("run %1 ended before it was killed:\n%2").arg(i).arg(err)));
        QCOMPARE(p.exitStatus(), QProcess::CrashExit);
        if (before.exists) {
            ++resumed;
            if (err.contains("continuing after epoch"))  // it got as far as restoring
                QVERIFY2(err.contains(QStringLiteral("continuing after epoch %1 ").arg(before.epoch)), qPrintable(err));
        }
        const Checkpoint after = readCheckpoint(runDir);
        QVERIFY2(!after.exists || after.ok, qPrintable(QStringLiteral("kill %1: %2").arg(i).arg(after.error)));
        QVERIFY2(after.epoch >= lastEpoch, qPrintable(QStringLiteral("kill %1: epoch %2 after %3").arg(i).arg(after.epoch).arg(lastEpoch)));
        lastEpoch = after.epoch;
        // The kill may leave the temporary file of a save in progress; the next run removes it.
        const QStringList stray = strayFiles(runDir, kRunFiles);
        QVERIFY2(stray.size() <= 1, qPrintable(stray.join(", ")));
        strayLeft += int(stray.size());
    }
    qInfo("20 kills: checkpoint at epoch %d, %d runs resumed, %d kills left a temporary file", lastEpoch, resumed,
          strayLeft);
    QVERIFY2(lastEpoch >= 1, "no kill came after a completed epoch: the epochs are too slow for this test");
    QVERIFY(resumed > 0);

    // A last resume runs to its end: it continues from the last checkpoint and cleans up. Qt
    // writes through an unnamed O_TMPFILE where the file system allows, so kills rarely leave a
    // named temporary file; one is planted here (and a user's file that merely looks like one).
    QVERIFY(aes::test::writeFile(QDir(runDir).filePath("checkpoint.pt.Zq81Xw"), QByteArray(100, 'x')));
    QVERIFY(aes::test::writeFile(QDir(runDir).filePath("notes.txt.Ab12Cd"), "mine"));
    QProcess p;
    start(p, AES_CLI_PATH, {"train", "--resume", runDir, "--epochs", QString::number(lastEpoch + 1), "--threads", "1"});
    QVERIFY(p.waitForFinished(120000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, qPrintable(err));
    QVERIFY2(err.contains(QStringLiteral("continuing after epoch %1 ").arg(lastEpoch)), qPrintable(err));
    QCOMPARE(readCheckpoint(runDir).epoch, lastEpoch + 1);
    QCOMPARE(strayFiles(runDir, kRunFiles), QStringList{"notes.txt.Ab12Cd"});
}

void TestInterrupt::terminatedTrainingStopsCleanly()
{
    const QString runDir = m_dir.filePath("terminated");
    int lastEpoch = -1;
    qint64 worst = 0;
    for (int i = 0; i < 8; ++i) {
        const Checkpoint before = readCheckpoint(runDir);
        QProcess p;
        start(p, AES_CLI_PATH, trainArgs(runDir, before.exists));
        const qint64 ms = interrupt(p, SIGTERM, 1500);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(ms >= 0, qPrintable(QStringLiteral("run %1 ended before SIGTERM:\n%2").arg(i).arg(err)));
        QVERIFY2(ms <= 2000, qPrintable(QStringLiteral("run %1 took %2 ms to stop").arg(i).arg(ms)));
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 130,
                 qPrintable(QStringLiteral("exit %1 (%2):\n%3").arg(p.exitCode()).arg(int(p.exitStatus())).arg(err)));
        const Checkpoint after = readCheckpoint(runDir);
        QVERIFY2(after.ok, qPrintable(after.error));  // a stopped run always leaves one
        QVERIFY(after.epoch >= lastEpoch);
        lastEpoch = after.epoch;
        QVERIFY2(strayFiles(runDir, kRunFiles).isEmpty(), qPrintable(strayFiles(runDir, kRunFiles).join(", ")));
        // What the run says it stopped at is what the summary and checkpoint hold.
        QVERIFY2(QFileInfo::exists(QDir(runDir).filePath("summary.json")), qPrintable(err));
        worst = std::max(worst, ms);
    }
    qInfo("CLI training: stopped within %lld ms of SIGTERM at worst; checkpoint at epoch %d", worst, lastEpoch);
}

void TestInterrupt::terminatedExportStopsCleanly()
{
    // A short run to export.
    const QString runDir = m_dir.filePath("export-run");
    {
        QStringList args = trainArgs(runDir, false);
        args[args.indexOf("100000")] = "1";
        QProcess p;
        start(p, AES_CLI_PATH, args);
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
    }
    const QByteArray checkpoint = [&] {
        QFile f(QDir(runDir).filePath("checkpoint.pt"));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }();
    QVERIFY(!checkpoint.isEmpty());
    int stoppedEarly = 0;
    for (int i = 0; i < 6; ++i) {
        const QString out = m_dir.filePath(QStringLiteral("export%1").arg(i));
        QProcess p;
        start(p, AES_CLI_PATH, {"export", runDir, "--torchscript", out + "/model.pt", "--onnx", out + "/onnx",
                                "--embeddings", out + "/projector", "--images", out + "/images", "--threads", "1"});
        const qint64 ms = interrupt(p, SIGTERM, 600);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        if (ms < 0) {  // finished before the signal: fine, but then it must have succeeded
            QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0, qPrintable(err));
            continue;
        }
        QVERIFY2(ms <= 2000, qPrintable(QStringLiteral("export %1 took %2 ms to stop").arg(i).arg(ms)));
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && (p.exitCode() == 130 || p.exitCode() == 0),
                 qPrintable(QStringLiteral("exit %1 (%2):\n%3").arg(p.exitCode()).arg(int(p.exitStatus())).arg(err)));
        stoppedEarly += p.exitCode() == 130;
        // Whatever was written is whole: no temporary file (QSaveFile's "name.XXXXXX") anywhere.
        static const QRegularExpression temporary(QStringLiteral("\\.[A-Za-z0-9]{6}$"));
        for (const QString &file : filesUnder(out))
            QVERIFY2(!temporary.match(file).hasMatch(), qPrintable(file));
    }
    qInfo("export: %d of 6 stopped by SIGTERM before the end", stoppedEarly);
    QFile f(QDir(runDir).filePath("checkpoint.pt"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll() == checkpoint);  // the run it read is untouched
}

void TestInterrupt::terminatedDesktopAppClosesCleanly()
{
#ifndef AES_GUI_PATH
    QSKIP("the desktop app is not built (AES_BUILD_GUI=OFF)");
#else
    qint64 worst = 0;
    for (int i = 0; i < 6; ++i) {
        QProcess p;
        start(p, AES_GUI_PATH, {m_data, "--train", "--default-options", "--epochs", "100000"});
        // From the first frames to well into training.
        const qint64 ms = interrupt(p, SIGTERM, 2000);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(ms >= 0, qPrintable(QStringLiteral("the app ended before SIGTERM:\n%1").arg(err)));
        QVERIFY2(ms <= 2000, qPrintable(QStringLiteral("the app took %1 ms to close").arg(ms)));
        QVERIFY2(p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0,
                 qPrintable(QStringLiteral("exit %1 (%2):\n%3").arg(p.exitCode()).arg(int(p.exitStatus())).arg(err)));
        QVERIFY2(!err.contains("QThread: Destroyed") && !err.contains("terminate"), qPrintable(err));
        worst = std::max(worst, ms);
    }
    qInfo("desktop app: closed within %lld ms of SIGTERM at worst", worst);
#endif
}

QTEST_GUILESS_MAIN(TestInterrupt)
#include "tst_interrupt.moc"
