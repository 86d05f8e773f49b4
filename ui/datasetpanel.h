#pragma once
// Shows what was loaded: source, image count, classes with their counts, size and
// channels, a few sample images, and the files that were skipped (with a details list of
// path and reason, also after a load that failed, as a virtual list), and where the pixels
// live: the dataset cache file (size, folder) with "Clear cache", or memory. Below, the load
// options (size, channels, crop or letterbox, the audio options in a section of their own that
// opens when a folder of clips is loaded, validation fraction, the cache on or off) with a
// Reload button.
//
// Ownership: a plain widget; keeps a copy of the summary it shows.
// Threads: GUI thread only.

#include "controller/trainingcontroller.h"

#include <QWidget>

class AudioOptionsForm;
class CollapsibleSection;
class QCheckBox;
class QComboBox;
class QDialog;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class QTreeView;
class QTreeWidget;
class SkippedFilesModel;
class QHBoxLayout;

class DatasetPanel final : public QWidget {
    Q_OBJECT
public:
    explicit DatasetPanel(QWidget *parent = nullptr);

    void showLoading(const QString &path);
    void showSummary(const aes::DatasetSummary &summary);
    // partial: the files that were tried and skipped (may be empty).
    void showFailure(const QString &path, const QString &message, const aes::DatasetSummary &partial = {});
    const aes::DatasetSummary &summary() const { return m_summary; }
    // The text of the image-count field (for tests and accessibility).
    QString countText() const;

    aes::LoadOptions loadOptions() const;
    void setLoadOptions(const aes::LoadOptions &options);
    // Fraction of the images kept for validation (0..0.5), used when a model is created.
    double validationFraction() const;
    void setValidationFraction(double fraction);
    // Whether folders are opened through the dataset cache; applied to the engine at once
    // (aes::setDatasetCacheSettings, process-wide). On by default.
    bool cacheEnabled() const;
    void setCacheEnabled(bool enabled);
    // The text of the cache field (for tests).
    QString cacheText() const;
    // Deletes the dataset cache's files (what the "Clear cache" button does); returns the count.
    int clearCache();
    // Reload is possible (a path is known and nothing is running).
    void setReloadEnabled(bool enabled);
    CollapsibleSection *loadOptionsSection() const { return m_optionsSection; }
    // The "Audio" rows inside the load options (AudioOptionsForm).
    CollapsibleSection *audioOptionsSection() const { return m_audioSection; }

    // Opens the non-modal list of skipped files (path, reason) and returns it.
    QTreeView *showSkippedDetails();

Q_SIGNALS:
    // Load the same path again with loadOptions().
    void reloadRequested();

private:
    void showSkipped(const aes::DatasetSummary &summary);
    void showCache();

    aes::DatasetSummary m_summary;
    QLabel *m_source = nullptr;
    QLabel *m_count = nullptr;
    QLabel *m_countLabel = nullptr;   // "Images:" or "Clips:"
    QLabel *m_size = nullptr;
    QLabel *m_skipped = nullptr;
    QPushButton *m_details = nullptr;
    QLabel *m_cache = nullptr;
    QPushButton *m_clearCache = nullptr;
    QCheckBox *m_useCache = nullptr;
    QTreeWidget *m_classes = nullptr;
    QWidget *m_samples = nullptr;
    QHBoxLayout *m_samplesLayout = nullptr;
    CollapsibleSection *m_optionsSection = nullptr;
    QSpinBox *m_width = nullptr;
    QSpinBox *m_height = nullptr;
    QComboBox *m_channels = nullptr;
    QComboBox *m_fit = nullptr;
    CollapsibleSection *m_audioSection = nullptr;
    AudioOptionsForm *m_audioForm = nullptr;
    QDoubleSpinBox *m_valFraction = nullptr;
    QPushButton *m_reload = nullptr;
    QDialog *m_detailsDialog = nullptr;
    QTreeView *m_detailsList = nullptr;
    SkippedFilesModel *m_detailsModel = nullptr;
    QLabel *m_detailsReport = nullptr;
};
