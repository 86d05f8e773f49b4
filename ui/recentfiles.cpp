#include "recentfiles.h"

#include <QDir>
#include <QFileInfo>
#include <QMenu>
#include <QSettings>

RecentFiles::RecentFiles(QMenu *menu, const QString &settingsKey, const QString &emptyText, QObject *parent)
    : QObject(parent), m_menu(menu), m_key(settingsKey), m_emptyText(emptyText)
{
    const QStringList saved = QSettings().value(m_key).toStringList();
    for (const QString &path : saved)
        if (QFileInfo::exists(path) && !m_paths.contains(path) && m_paths.size() < kMaxEntries)
            m_paths << path;
    rebuildMenu();
}

void RecentFiles::add(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_paths.removeAll(absolute);
    m_paths.prepend(absolute);
    while (m_paths.size() > kMaxEntries)
        m_paths.removeLast();
    save();
    rebuildMenu();
}

void RecentFiles::rebuildMenu()
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
        m_menu->addAction(m_emptyText)->setEnabled(false);
    else {
        m_menu->addSeparator();
        m_menu->addAction(tr("Clear list"), this, [this] {
            m_paths.clear();
            save();
            rebuildMenu();
        });
    }
}

void RecentFiles::save() const
{
    QSettings().setValue(m_key, m_paths);
}
