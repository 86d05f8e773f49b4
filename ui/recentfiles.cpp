#include "recentdatasets.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

namespace {
const char kKey[] = "recentDatasets";
}

RecentDatasets::RecentDatasets(QMenu *menu, QObject *parent) : QObject(parent), m_menu(menu)
{
    const QStringList saved = QSettings().value(QLatin1String(kKey)).toStringList();
    for (const QString &path : saved)
        if (QFileInfo::exists(path) && !m_paths.contains(path) && m_paths.size() < kMaxEntries)
            m_paths << path;
    rebuildMenu();
}

void RecentDatasets::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_paths.removeAll(absolute);
    m_paths.prepend(absolute);
    while (m_paths.size() > kMaxEntries)
        m_paths.removeLast();
    save();
    rebuildMenu();
}

void RecentDatasets::rebuildMenu()
{
    m_menu->clear();
    int number = 1;
    for (const QString &path : m_paths) {
        const QFileInfo info(path);
        // "&1 t10k-images-idx3-ubyte.gz  (/usr/share/datasets/fashion-mnist)"
        QAction *action = m_menu->addAction(tr("&%1 %2  (%3)").arg(number++).arg(info.fileName(),
                                                                      QDir::toNativeSeparators(info.absolutePath())));
        action->setToolTip(path);
        connect(action, &QAction::triggered, this, [this, path] { Q_EMIT openRequested(path); });
    }
    if (m_paths.isEmpty())
        m_menu->addAction(tr("No recent datasets"))->setEnabled(false);
    else {
        m_menu->addSeparator();
        m_menu->addAction(tr("Clear list"), this, [this] {
            m_paths.clear();
            save();
            rebuildMenu();
        });
    }
}

void RecentDatasets::save() const
{
    QSettings().setValue(QLatin1String(kKey), m_paths);
}
