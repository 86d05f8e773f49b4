#include "sampledatasets.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QProcess>
#include <QStandardPaths>

namespace {

const char kFashionMnist[] = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";

} // namespace

SampleDatasets::SampleDatasets(QMenu *menu, QObject *parent) : QObject(parent)
{
    QAction *fashion = menu->addAction(tr("&Fashion-MNIST (10,000 images)"), this,
                                       [this] { Q_EMIT openRequested(QString::fromLatin1(kFashionMnist)); });
    fashion->setEnabled(QFileInfo::exists(QString::fromLatin1(kFashionMnist)));
    QAction *digits = menu->addAction(tr("&Spoken digits (2,000 clips, espeak-ng)"), this, &SampleDatasets::openSpokenDigits);
    digits->setObjectName(QStringLiteral("spokenDigitsAction"));
    digits->setToolTip(tr("Ten class folders of the digits said by ten voices at several speeds and pitches; "
                          "made on first use (about a minute)"));
}

SampleDatasets::~SampleDatasets()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

QString SampleDatasets::spokenDigitsFolder()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("samples/spoken-digits"));
}

QString SampleDatasets::spokenDigitsScript()
{
    const QDir bin(QCoreApplication::applicationDirPath());
    for (const QString &candidate : {bin.filePath(QStringLiteral("../../scripts/make-spoken-digits.sh")),
                                     bin.filePath(QStringLiteral("../share/aestudio/make-spoken-digits.sh"))})
        if (QFileInfo::exists(candidate))
            return QDir::cleanPath(candidate);
    return {};
}

void SampleDatasets::openSpokenDigits()
{
    const QString folder = spokenDigitsFolder();
    // Complete when the script's last class folder holds its clips (it writes 0 to 9 in order).
    if (QDir(folder + QStringLiteral("/9")).entryList({QStringLiteral("*.wav")}, QDir::Files).size() >= 200) {
        Q_EMIT openRequested(folder);
        return;
    }
    if (m_process && m_process->state() != QProcess::NotRunning) {
        Q_EMIT message(tr("The spoken digits are being made\u2026"), 4000);
        return;
    }
    const QString script = spokenDigitsScript();
    if (script.isEmpty()) {
        Q_EMIT problem(tr("Spoken digits"), tr("make-spoken-digits.sh was not found beside the program."));
        return;
    }
    delete m_process;
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    connect(m_process, &QProcess::finished, this, [this, folder](int code, QProcess::ExitStatus status) {
        const QString output = QString::fromLocal8Bit(m_process->readAll()).trimmed();
        if (status != QProcess::NormalExit || code != 0) {
            Q_EMIT problem(tr("Spoken digits"), tr("Making the spoken digits failed:\n%1").arg(output));
            return;
        }
        Q_EMIT message(output, 5000);
        Q_EMIT openRequested(folder);
    });
    Q_EMIT message(tr("Making the spoken digits with espeak-ng in %1 (about a minute)\u2026").arg(folder), 0);
    m_process->start(QStringLiteral("bash"), {script, folder});
}
