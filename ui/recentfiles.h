#pragma once
// An "Open recent" list: files or folders opened before (datasets, projects), newest first,
// kept in QSettings under settingsKey and shown as a menu; entries whose file is gone are
// dropped.
//
// Ownership: owns its menu's actions; the menu belongs to the caller.
// Threads: GUI thread only.

#include <QObject>
#include <QStringList>

class QMenu;

class RecentFiles final : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxEntries = 8;

    // emptyText: the menu's disabled entry when the list is empty.
    RecentFiles(QMenu *menu, const QString &settingsKey, const QString &emptyText, QObject *parent = nullptr);

    void add(const QString &path);
    QStringList paths() const { return m_paths; }

Q_SIGNALS:
    void openRequested(const QString &path);

private:
    void rebuildMenu();
    void save() const;

    QMenu *m_menu;
    QString m_key;
    QString m_emptyText;
    QStringList m_paths;
};
