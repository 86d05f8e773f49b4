#include "selectionactions.h"

#include "util/jobthread.h"

#include <QDir>
#include <QLocale>
#include <QMessageBox>
#include <QProgressDialog>
#include <QTimer>
#include <QWidget>

namespace {

constexpr int kPollMs = 100;           // the progress bar's refresh while a copy runs
constexpr int kFailuresInMessage = 3;  // named in the status bar; the report lists them all

// A folder name for cluster c of k: "cluster-07" (numbers padded so that folders sort).
QString clusterFolder(int c, int k)
{
    return QStringLiteral("cluster-%1").arg(c + 1, QString::number(k).size(), 10, QLatin1Char('0'));
}

} // namespace

SelectionActions::SelectionActions(QWidget *dialogParent, QObject *parent)
    : QObject(parent), m_dialogParent(dialogParent)
{
    m_poll = new QTimer(this);
    m_poll->setInterval(kPollMs);
    connect(m_poll, &QTimer::timeout, this, [this] {
        if (m_progress && m_done)
            m_progress->setValue(int(std::min<qint64>(m_done->load(), m_total)));
    });
}

SelectionActions::~SelectionActions()
{
    if (m_cancel)
        m_cancel->store(true);
    m_jobs.reset();  // waits for the copy; its queued answer is dropped with this object
}

void SelectionActions::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

QString SelectionActions::exportList(const QString &csvPath, const aes::LatentSnapshot &map,
                                     const QVector<qint64> &rows, const QVector<float> &distances)
{
    QStringList labels;
    for (qint64 row = 0; row < map.rowCount(); ++row)
        labels << map.classNameAt(row);
    const QString error = aes::writeFileList(csvPath, rows, map.files, labels, distances);
    if (error.isEmpty())
        Q_EMIT message(tr("Wrote %n images to %1", nullptr, int(rows.size())).arg(csvPath), 5000);
    return error;
}

QString SelectionActions::copyRows(const QString &dir, const aes::LatentSnapshot &map, const QVector<qint64> &rows,
                                   const std::function<void(const aes::CopyResult &)> &done)
{
    QVector<aes::FileCopy> copies;
    copies.reserve(rows.size());
    for (qint64 row : rows)
        copies.append({map.files.value(int(row)), map.classNameAt(row)});
    return start(dir, copies, tr("selected images"), done);
}

QString SelectionActions::copyClusters(const QString &dir, const aes::LatentSnapshot &map, const QVector<int> &clusters,
                                       int k)
{
    if (k <= 0 || clusters.size() != map.rowCount())
        return tr("Cluster the codes first (the list beside the map).");
    QVector<aes::FileCopy> copies;
    copies.reserve(clusters.size());
    for (qint64 row = 0; row < map.rowCount(); ++row)
        copies.append({map.files.value(int(row)), clusterFolder(clusters.value(row), k)});
    return start(dir, copies, tr("images in %n clusters", nullptr, k), {});
}

QString SelectionActions::start(const QString &dir, const QVector<aes::FileCopy> &files, const QString &what,
                                const std::function<void(const aes::CopyResult &)> &done)
{
    if (m_running)
        return tr("A copy is still running: wait for it or cancel it.");
    // Refused at once (the job checks again): the user picks another folder now.
    if (const QString error = aes::copyTargetError(dir); !error.isEmpty())
        return error;
    if (!m_jobs)
        m_jobs = std::make_unique<aes::JobThread>(QStringLiteral("file copy"));
    m_running = true;
    m_total = files.size();
    m_cancel = std::make_shared<std::atomic_bool>(false);
    m_done = std::make_shared<std::atomic<qint64>>(0);
    // A dialog only for copies that take a while (minimum duration); Cancel stops after a file.
    m_progress = new QProgressDialog(tr("Copying %1 %2\u2026").arg(QLocale().toString(m_total), what), tr("Cancel"), 0,
                                     int(std::max<qint64>(1, m_total)), m_dialogParent);
    m_progress->setWindowTitle(tr("Copy images"));
    m_progress->setAutoClose(false);
    m_progress->setAutoReset(false);
    m_progress->setMinimumDuration(500);
    connect(m_progress, &QProgressDialog::canceled, this, &SelectionActions::cancel);
    m_poll->start();
    m_jobs->post([this, dir, files, what, done, cancel = m_cancel, count = m_done] {
        aes::CopyControl control;
        control.cancelled = [cancel] { return cancel->load(); };
        control.progress = [count](qint64 handled, qint64) { count->store(handled); };
        aes::CopyResult result = aes::copyFiles(dir, files, control);
        QMetaObject::invokeMethod(
            this, [this, dir, what, done, result = std::move(result)] { onFinished(dir, what, result, done); },
            Qt::QueuedConnection);
    });
    return {};
}

void SelectionActions::onFinished(const QString &dir, const QString &what, const aes::CopyResult &result,
                                  const std::function<void(const aes::CopyResult &)> &done)
{
    m_poll->stop();
    if (m_progress) {
        m_progress->hide();
        m_progress->deleteLater();
    }
    m_running = false;
    m_result = result;
    const QLocale locale;
    const QString folder = QDir::toNativeSeparators(dir);
    QString text;
    if (!result.error.isEmpty())
        text = tr("Nothing copied: %1").arg(result.error);
    else if (result.cancelled)
        text = tr("Cancelled: %1 %2 copied to %3 before").arg(locale.toString(result.copied), what, folder);
    else
        text = tr("Copied %1 %2 to %3").arg(locale.toString(result.copied), what, folder);
    if (!result.skipped.isEmpty())
        text += tr("; %n without a file of their own (IDX entries) left out", nullptr, int(result.skipped.size()));
    if (!result.failed.isEmpty()) {
        QStringList named;
        for (int i = 0; i < std::min<int>(kFailuresInMessage, int(result.failed.size())); ++i)
            named << tr("%1 (%2)").arg(QDir::toNativeSeparators(result.failed[i].source), result.failed[i].reason);
        text += tr("; %n could not be copied: ", nullptr, int(result.failed.size())) + named.join(QStringLiteral(", "));
        if (result.failed.size() > kFailuresInMessage)
            text += QStringLiteral(", \u2026");
        // Every file with its reason, in a report the user can read at leisure (not modal).
        QStringList lines;
        for (const aes::CopyFailure &f : result.failed)
            lines << QStringLiteral("%1: %2").arg(QDir::toNativeSeparators(f.source), f.reason);
        auto *box = new QMessageBox(QMessageBox::Warning, tr("Copy images"),
                                    tr("%n files could not be copied to %1.", nullptr, int(result.failed.size())).arg(folder),
                                    QMessageBox::Close, m_dialogParent);
        box->setObjectName(QStringLiteral("copyReport"));
        box->setInformativeText(tr("%1 %2 were copied.").arg(locale.toString(result.copied), what));
        box->setDetailedText(lines.join(QLatin1Char('\n')));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setModal(false);
        box->show();
    }
    m_report = text;
    Q_EMIT message(text, result.failed.isEmpty() ? 8000 : 0);
    if (done && result.error.isEmpty())
        done(result);
    Q_EMIT finished();
}
