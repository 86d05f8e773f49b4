#include "distlauncher.h"

#include "cliparse.h"
#include "training/distributed.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>

#include <atomic>
#include <csignal>
#include <unistd.h>
#include <memory>
#include <vector>

namespace aes::cli {

namespace {

std::atomic_int g_signals{0};

void onSignal(int)
{
    g_signals.fetch_add(1);  // async-signal-safe; the wait loop forwards it
}

void signalAll(const std::vector<std::unique_ptr<QProcess>> &processes, int signal)
{
    for (const auto &p : processes)
        if (p->state() != QProcess::NotRunning && p->processId() > 0)
            ::kill(pid_t(p->processId()), signal);
}

} // namespace

int launchDataParallel(const QStringList &childArgs, int nproc, int timeoutSeconds)
{
    // The launcher hosts the store: its port is known before any rank starts (no race for a
    // free port), and the store outlives a rank that dies, so the others can name it.
    QString error;
    const QString address = QStringLiteral("127.0.0.1");
    std::unique_ptr<StoreHost> store = StoreHost::start(address, 0, timeoutSeconds, &error);
    if (!store)
        return fail(error);
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);

    std::vector<std::unique_ptr<QProcess>> processes;
    for (int rank = 0; rank < nproc; ++rank) {
        auto p = std::make_unique<QProcess>();
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("RANK"), QString::number(rank));
        env.insert(QStringLiteral("LOCAL_RANK"), QString::number(rank));
        env.insert(QStringLiteral("WORLD_SIZE"), QString::number(nproc));
        env.insert(QStringLiteral("LOCAL_WORLD_SIZE"), QString::number(nproc));
        env.insert(QStringLiteral("MASTER_ADDR"), address);
        env.insert(QStringLiteral("MASTER_PORT"), QString::number(store->port()));
        env.insert(QStringLiteral("AES_DIST_STORE_HOSTED"), QStringLiteral("1"));
        p->setProcessEnvironment(env);
        p->setProcessChannelMode(QProcess::ForwardedChannels);
        // A process group of its own: a terminal's Ctrl+C reaches the launcher alone, which
        // forwards it once (twice would kill a rank mid-step: its second SIGINT is fatal).
        p->setChildProcessModifier([] { ::setpgid(0, 0); });
        // exec() of this program: no fork of a process that already runs torch threads.
        p->start(QCoreApplication::applicationFilePath(), childArgs);
        if (!p->waitForStarted(10000)) {
            const QString why = p->errorString();
            signalAll(processes, SIGTERM);
            for (const auto &q : processes)
                q->waitForFinished(5000);
            return fail(QStringLiteral("cannot start rank %1: %2").arg(rank).arg(why));
        }
        processes.push_back(std::move(p));
    }

    std::vector<int> codes(size_t(nproc), -1);
    int forwarded = 0;
    QElapsedTimer sinceFailure;  // a rank ended badly; the others get the timeout to follow
    int escalation = 0;
    for (;;) {
        const int signals = g_signals.load();
        if (signals > forwarded) {
            // The first signal asks every rank to stop after its step; another one kills them.
            signalAll(processes, forwarded == 0 ? SIGINT : SIGKILL);
            forwarded = signals;
        }
        bool running = false;
        for (int rank = 0; rank < nproc; ++rank) {
            QProcess &p = *processes[size_t(rank)];
            if (codes[size_t(rank)] >= 0)
                continue;
            if (p.state() != QProcess::NotRunning && !p.waitForFinished(20)) {
                running = true;
                continue;
            }
            const bool crashed = p.exitStatus() == QProcess::CrashExit;
            codes[size_t(rank)] = crashed ? 128 + 9 : p.exitCode();
            if ((crashed || p.exitCode() != 0) && forwarded == 0) {
                printErr(QStringLiteral("aestudio-cli: rank %1 %2\n").arg(rank).arg(
                    crashed ? QStringLiteral("was killed or crashed") : QStringLiteral("exited with code %1").arg(p.exitCode())));
                if (!sinceFailure.isValid())
                    sinceFailure.start();
            }
        }
        if (!running)
            break;
        // The ranks stop by themselves within the timeout; this is the safety net.
        if (sinceFailure.isValid() && sinceFailure.elapsed() > qint64(timeoutSeconds) * 1000 + 15000 * (escalation + 1)) {
            printErr(QStringLiteral("aestudio-cli: ranks still running %1 s after a rank ended: %2\n")
                         .arg(sinceFailure.elapsed() / 1000).arg(escalation == 0 ? QStringLiteral("terminating them") : QStringLiteral("killing them")));
            signalAll(processes, escalation == 0 ? SIGTERM : SIGKILL);
            ++escalation;
        }
    }
    if (forwarded > 0)
        return 130;
    if (codes[0] != 0)
        return codes[0];
    for (const int code : codes)
        if (code != 0)
            return code;
    return 0;
}

} // namespace aes::cli
