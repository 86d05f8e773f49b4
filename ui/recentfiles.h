#pragma once
// The "Open recent" list: datasets opened before, newest first, kept in QSettings
// ("recentDatasets") and shown as a menu; entries that no longer exist are dropped.
//
// Ownership: owns its menu's actions; the menu belongs to the caller.
// Threads: GUI thread only.

#include <QObject>
#include <QStringList>

class QMenu;

class RecentDatasets final : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxEntries = 8;

    RecentDatasets(QMenu *menu, QObject *parent = nullptr);

    void add(const QString &path);
    QStringList paths() const { return m_paths; }

Q_SIGNALS:
    void openRequested(const QString &path);

private:
    void rebuildMenu();
    void save() const;

    QMenu *m_menu;
    QStringList m_paths;
};
