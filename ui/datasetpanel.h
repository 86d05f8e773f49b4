#pragma once
// Shows what was loaded: source, image count, classes with their counts, size and
// channels, a few sample images, and the files that were skipped (with a details list).
//
// Ownership: a plain widget; keeps a copy of the summary it shows.
// Threads: GUI thread only.

#include "trainingcontroller.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;
class QHBoxLayout;

class DatasetPanel final : public QWidget {
    Q_OBJECT
public:
    explicit DatasetPanel(QWidget *parent = nullptr);

    void showLoading(const QString &path);
    void showSummary(const aes::DatasetSummary &summary);
    void showFailure(const QString &path, const QString &message);
    const aes::DatasetSummary &summary() const { return m_summary; }
    // The text of the image-count field (for tests and accessibility).
    QString countText() const;

private:
    void showSkippedDetails();

    aes::DatasetSummary m_summary;
    QLabel *m_source = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_size = nullptr;
    QLabel *m_skipped = nullptr;
    QPushButton *m_details = nullptr;
    QTreeWidget *m_classes = nullptr;
    QWidget *m_samples = nullptr;
    QHBoxLayout *m_samplesLayout = nullptr;
};
