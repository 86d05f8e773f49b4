#pragma once
// Help > Sample datasets: the Fashion-MNIST sample (Debian's dataset-fashion-mnist) and spoken
// digits made on first use by scripts/make-spoken-digits.sh (espeak-ng; 2000 clips in ten
// class folders, about a minute) under the app's data folder. Asks the window to open one
// through openRequested.
//
// Ownership: a QObject parented to the window; the menu belongs to the menu bar.
// Threads: GUI thread; the script runs as a child process, killed if the object goes first.
// Failure: a missing script or espeak-ng, or a script that fails, is reported by problem().

#include <QObject>
#include <QString>

class QMenu;
class QProcess;

class SampleDatasets final : public QObject {
    Q_OBJECT
public:
    SampleDatasets(QMenu *menu, QObject *parent);
    ~SampleDatasets() override;

    // Where the spoken digits are (or will be) made.
    static QString spokenDigitsFolder();
    // The script beside the program (build tree or installed), empty when not found.
    static QString spokenDigitsScript();
    // Opens the spoken digits, making them first when they are missing.
    void openSpokenDigits();

Q_SIGNALS:
    void openRequested(const QString &path);
    void message(const QString &text, int timeoutMs);
    void problem(const QString &title, const QString &text);

private:
    QProcess *m_process = nullptr;
};
