#include "datasetpanel.h"

#include "audiooptionsform.h"
#include "collapsiblesection.h"
#include "spectrogramview.h"
#include "skippedfilesmodel.h"

#include "data/cachesettings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPixmap>
#include <QPushButton>
#include <QSpinBox>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace {

constexpr int kThumbnail = 32;  // sample images are shown at this size, pixels kept sharp
constexpr int kMaxVisibleClasses = 24;  // more classes scroll

QString channelText(int channels)
{
    return channels == 1 ? QObject::tr("grayscale") : QObject::tr("%1 channels (RGB)").arg(channels);
}

} // namespace

DatasetPanel::DatasetPanel(QWidget *parent) : QWidget(parent)
{
    m_source = new QLabel(tr("No dataset yet: use File \u2192 Open folder\u2026 or Open IDX file\u2026"), this);
    m_source->setWordWrap(true);
    m_source->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_count = new QLabel(QStringLiteral("\u2013"), this);
    m_size = new QLabel(QStringLiteral("\u2013"), this);
    m_skipped = new QLabel(QStringLiteral("\u2013"), this);
    m_details = new QPushButton(tr("Details\u2026"), this);
    m_details->setToolTip(tr("List the files that were not loaded, and why"));
    m_details->setVisible(false);
    connect(m_details, &QPushButton::clicked, this, &DatasetPanel::showSkippedDetails);

    auto *skippedRow = new QHBoxLayout;
    skippedRow->setContentsMargins(0, 0, 0, 0);
    skippedRow->addWidget(m_skipped, 1);
    skippedRow->addWidget(m_details);

    m_cache = new QLabel(QStringLiteral("\u2013"), this);
    m_cache->setWordWrap(true);
    m_cache->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_clearCache = new QPushButton(tr("Clear cache"), this);
    m_clearCache->setToolTip(tr("Delete the decoded images kept for every folder opened so far; the next open of a "
                                "folder decodes it again"));
    connect(m_clearCache, &QPushButton::clicked, this, &DatasetPanel::clearCache);
    auto *cacheRow = new QHBoxLayout;
    cacheRow->setContentsMargins(0, 0, 0, 0);
    cacheRow->addWidget(m_cache, 1);
    cacheRow->addWidget(m_clearCache, 0, Qt::AlignTop);

    auto *form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    m_countLabel = new QLabel(tr("Images:"), this);
    form->addRow(m_countLabel, m_count);
    form->addRow(tr("Size:"), m_size);
    form->addRow(tr("Skipped:"), skippedRow);
    form->addRow(tr("Stored:"), cacheRow);

    m_classes = new QTreeWidget(this);
    m_classes->setColumnCount(2);
    m_classes->setHeaderLabels({tr("Class"), tr("Images")});
    m_classes->setRootIsDecorated(false);
    m_classes->setUniformRowHeights(true);
    m_classes->header()->setStretchLastSection(false);
    m_classes->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_classes->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    // The counts always show: a long class name is elided in the middle instead of pushing
    // them out of sight behind a horizontal scroll bar.
    m_classes->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_classes->setTextElideMode(Qt::ElideMiddle);
    m_classes->setToolTip(tr("Top-level subfolders (or IDX labels) are the classes"));

    m_samples = new QWidget(this);
    m_samplesLayout = new QHBoxLayout(m_samples);
    m_samplesLayout->setContentsMargins(0, 0, 0, 0);
    m_samplesLayout->setSpacing(3);
    m_samplesLayout->addStretch(1);

    // Load options: how images of other sizes are brought to one shape.
    m_width = new QSpinBox;
    m_height = new QSpinBox;
    for (QSpinBox *box : {m_width, m_height}) {
        box->setRange(0, 1024);
        box->setSpecialValueText(tr("auto"));
        box->setToolTip(tr("Size every image is brought to; auto = the most common size in the folder"));
    }
    auto *sizeRow = new QHBoxLayout;
    sizeRow->setContentsMargins(0, 0, 0, 0);
    sizeRow->addWidget(m_width, 1);
    sizeRow->addWidget(new QLabel(QStringLiteral("\u00d7")));
    sizeRow->addWidget(m_height, 1);
    m_channels = new QComboBox;
    m_channels->addItem(tr("auto"), 0);
    m_channels->addItem(tr("grayscale"), 1);
    m_channels->addItem(tr("RGB"), 3);
    m_channels->setToolTip(tr("auto: grayscale when every image is gray, else RGB"));
    m_fit = new QComboBox;
    m_fit->addItem(tr("center crop"), int(aes::ResizeMode::CenterCrop));
    m_fit->addItem(tr("letterbox"), int(aes::ResizeMode::Letterbox));
    m_fit->setToolTip(tr("Images of another aspect ratio: crop the middle, or fit whole with borders"));
    // Used when the folder holds sound clips and no images.
    m_audioForm = new AudioOptionsForm;
    m_audioSection = new CollapsibleSection(tr("Audio clips"), m_audioForm, this);
    m_audioSection->setToolTip(tr("How a folder of sound clips becomes spectrograms; images ignore these"));
    m_valFraction = new QDoubleSpinBox;
    m_valFraction->setRange(0.0, 50.0);
    m_valFraction->setDecimals(1);
    m_valFraction->setSingleStep(5.0);
    m_valFraction->setSuffix(QStringLiteral(" %"));
    m_valFraction->setToolTip(tr("Images kept aside to measure the model (validation loss, PSNR, SSIM, kNN).\n"
                                 "Takes effect with the next new model; no reload needed."));
    m_useCache = new QCheckBox(tr("Keep decoded images in a cache"));
    m_useCache->setChecked(true);
    m_useCache->setToolTip(tr("The first open of a folder decodes it into one file in your cache folder; later opens "
                              "check the files and map it (only added or changed images are decoded again), and the "
                              "system pages images in and out, so folders larger than memory train.\n"
                              "Off: every open decodes the whole folder into memory."));
    connect(m_useCache, &QCheckBox::toggled, this, &DatasetPanel::setCacheEnabled);
    m_reload = new QPushButton(tr("Reload"));
    m_reload->setToolTip(tr("Load the dataset again with these options (F5)"));
    m_reload->setEnabled(false);
    connect(m_reload, &QPushButton::clicked, this, &DatasetPanel::reloadRequested);

    m_optionsSection = CollapsibleSection::withForm(tr("Load options"), this);
    QFormLayout *optionsForm = m_optionsSection->form();
    optionsForm->addRow(tr("Size:"), sizeRow);
    optionsForm->addRow(tr("Channels:"), m_channels);
    optionsForm->addRow(tr("Fit:"), m_fit);
    optionsForm->addRow(m_audioSection);
    optionsForm->addRow(tr("Validation:"), m_valFraction);
    optionsForm->addRow(tr("Cache:"), m_useCache);
    optionsForm->addRow(QString(), m_reload);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_source);
    layout->addLayout(form);
    layout->addWidget(m_classes);
    layout->addWidget(m_samples);
    layout->addWidget(m_optionsSection);
    layout->addStretch(1);
    setValidationFraction(aes::TrainOptions().valFraction);
    setCacheEnabled(true);
}

bool DatasetPanel::cacheEnabled() const
{
    return m_useCache->isChecked();
}

void DatasetPanel::setCacheEnabled(bool enabled)
{
    m_useCache->setChecked(enabled);
    aes::DatasetCacheSettings settings = aes::datasetCacheSettings();
    settings.enabled = enabled;
    aes::setDatasetCacheSettings(settings);
    showCache();
}

QString DatasetPanel::cacheText() const
{
    return m_cache->text();
}

int DatasetPanel::clearCache()
{
    const QString dir = aes::effectiveCacheDir(aes::datasetCacheSettings());
    const aes::DatasetCacheUsage before = aes::datasetCacheUsage(dir);
    QString error;
    const int removed = aes::clearDatasetCache(dir, &error);
    // The loaded dataset keeps reading its (now deleted) file until the next load.
    m_summary.cacheFile.clear();
    showCache();
    m_cache->setText(error.isEmpty() ? tr("cache cleared (%1 freed)").arg(aes::byteSizeText(before.bytes)) : error);
    return removed;
}

// Where the pixels are: the cache file (size, folder) or memory, and the cache folder's total.
void DatasetPanel::showCache()
{
    const QString dir = aes::effectiveCacheDir(aes::datasetCacheSettings());
    const aes::DatasetCacheUsage usage = aes::datasetCacheUsage(dir);
    QString text;
    if (!m_summary.cacheFile.isEmpty()) {
        const QString size = aes::byteSizeText(m_summary.cacheBytes);
        if (m_summary.decoded <= 0)
            text = tr("cache file, %1, mapped (nothing decoded)").arg(size);
        else if (m_summary.decoded < m_summary.count)
            text = tr("cache file, %1 (%2 new or changed images decoded, the rest reused)")
                       .arg(size, QLocale().toString(m_summary.decoded));
        else
            text = tr("cache file, %1 (decoded now; the next open maps it)").arg(size);
    } else if (m_summary.count > 0) {
        text = tr("in memory, %1").arg(aes::byteSizeText(m_summary.pixelBytes));
    } else {
        text = QStringLiteral("\u2013");
    }
    if (!m_summary.cacheNote.isEmpty())
        text += QStringLiteral("<br><small>%1</small>").arg(m_summary.cacheNote.toHtmlEscaped());
    text += QStringLiteral("<br><small>") + (usage.files == 1 ? tr("cache folder: 1 file, %1").arg(aes::byteSizeText(usage.bytes))
                           : tr("cache folder: %1 files, %2").arg(usage.files).arg(aes::byteSizeText(usage.bytes)))
        + QStringLiteral("</small>");
    m_cache->setText(text);
    m_cache->setToolTip(tr("Cache folder: %1%2%3")
                            .arg(QDir::toNativeSeparators(dir))
                            .arg(m_summary.cacheFile.isEmpty() ? QString()
                                                               : tr("\nThis dataset: %1").arg(QDir::toNativeSeparators(m_summary.cacheFile)))
                            .arg(m_summary.cacheNote.isEmpty() ? QString() : QStringLiteral("\n") + m_summary.cacheNote));
    m_clearCache->setEnabled(usage.files > 0);
}

aes::LoadOptions DatasetPanel::loadOptions() const
{
    aes::LoadOptions o;
    o.width = m_width->value();
    o.height = m_height->value();
    // One side given: a square of that side.
    if (o.width == 0 && o.height > 0)
        o.width = o.height;
    if (o.height == 0 && o.width > 0)
        o.height = o.width;
    o.channels = m_channels->currentData().toInt();
    o.resize = aes::ResizeMode(m_fit->currentData().toInt());
    o.audio = m_audioForm->options();
    return o;
}

void DatasetPanel::setLoadOptions(const aes::LoadOptions &o)
{
    m_width->setValue(o.width);
    m_height->setValue(o.height);
    m_channels->setCurrentIndex(std::max(0, m_channels->findData(o.channels)));
    m_fit->setCurrentIndex(std::max(0, m_fit->findData(int(o.resize))));
    m_audioForm->setOptions(o.audio);
}

double DatasetPanel::validationFraction() const
{
    return m_valFraction->value() / 100.0;
}

void DatasetPanel::setValidationFraction(double fraction)
{
    m_valFraction->setValue(fraction * 100.0);
}

void DatasetPanel::setReloadEnabled(bool enabled)
{
    m_reload->setEnabled(enabled);
}

void DatasetPanel::showLoading(const QString &path)
{
    m_source->setText(tr("Loading <b>%1</b>\u2026").arg(QFileInfo(path).fileName().toHtmlEscaped()));
    m_source->setToolTip(path);
}

void DatasetPanel::showFailure(const QString &path, const QString &message, const aes::DatasetSummary &partial)
{
    m_source->setText(tr("Could not open <b>%1</b>: %2")
                          .arg(QFileInfo(path).fileName().toHtmlEscaped(), message.toHtmlEscaped()));
    m_source->setToolTip(path);
    // What was loaded before stays loaded; the skipped list shows this attempt's files.
    showSkipped(partial);
}

void DatasetPanel::showSkipped(const aes::DatasetSummary &summary)
{
    m_summary.skipped = summary.skipped;
    m_summary.report = summary.report;
    m_skipped->setText(summary.skipped.isEmpty() ? tr("none") : QLocale().toString(qint64(summary.skipped.size())));
    m_skipped->setToolTip(summary.report);
    m_details->setVisible(!summary.skipped.isEmpty());
    if (m_detailsDialog && m_detailsDialog->isVisible())
        showSkippedDetails();
}

QString DatasetPanel::countText() const
{
    return m_count->text();
}

void DatasetPanel::showSummary(const aes::DatasetSummary &summary)
{
    m_summary = summary;
    const QFileInfo info(summary.source);
    m_source->setText(QStringLiteral("<b>%1</b><br><small>%2</small>")
                          .arg(info.fileName().toHtmlEscaped(), info.absolutePath().toHtmlEscaped()));
    m_source->setToolTip(summary.source);
    m_count->setText(QLocale().toString(summary.count));
    m_count->setToolTip(tr("Loaded in %1 s").arg(summary.seconds, 0, 'f', 2));
    m_size->setText(tr("%1 \u00d7 %2, %3").arg(summary.width).arg(summary.height).arg(channelText(summary.channels)));
    m_countLabel->setText(summary.audio ? tr("Clips:") : tr("Images:"));
    m_size->setToolTip(QString());
    if (summary.audio) {
        const aes::AudioOptions &a = summary.audioOptions;
        m_count->setText(tr("%1 \u00b7 %2 kHz \u00b7 %3 s each")
                             .arg(QLocale().toString(summary.count)).arg(a.sampleRate / 1000.0)
                             .arg(a.seconds, 0, 'f', 2));
        m_size->setText(tr("%1 mels \u00d7 %2 frames (spectrogram)").arg(summary.height).arg(summary.width));
        m_size->setToolTip(summary.audioDetails);
        m_audioSection->setExpanded(true);  // the options that shaped these spectrograms
    }
    showSkipped(summary);
    showCache();

    m_classes->clear();
    for (int i = 0; i < summary.classNames.size(); ++i) {
        auto *item = new QTreeWidgetItem(m_classes);
        item->setText(0, summary.classNames.at(i));
        item->setToolTip(0, summary.classNames.at(i));
        item->setText(1, QLocale().toString(i < summary.classCounts.size() ? summary.classCounts.at(i) : 0));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    }
    if (summary.classNames.isEmpty()) {
        auto *item = new QTreeWidgetItem(m_classes);
        item->setText(0, tr("(unlabelled)"));
        item->setText(1, QLocale().toString(summary.count));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    }
    // Tall enough for every class up to kMaxVisibleClasses, so no space is wasted under a
    // short list and a usual dataset's classes are all in sight.
    const int rows = std::min(kMaxVisibleClasses, std::max(3, m_classes->topLevelItemCount()));
    const int rowHeight = m_classes->sizeHintForRow(0) > 0 ? m_classes->sizeHintForRow(0) : fontMetrics().height() + 4;
    m_classes->setFixedHeight(rows * rowHeight + m_classes->header()->sizeHint().height() + 2 * m_classes->frameWidth() + 2);

    while (m_samplesLayout->count() > 1) {
        QLayoutItem *item = m_samplesLayout->takeAt(0);
        delete item->widget();
        delete item;
    }
    int index = 0;
    for (const QImage &sample : summary.samples) {
        const QImage image = summary.audio ? SpectrogramView::colorized(sample) : sample;
        auto *thumb = new QLabel(m_samples);
        // Small images are enlarged without smoothing: the user sees the real pixels.
        thumb->setPixmap(QPixmap::fromImage(image.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio,
                                                         image.width() < kThumbnail ? Qt::FastTransformation
                                                                                    : Qt::SmoothTransformation)));
        thumb->setFixedSize(kThumbnail, kThumbnail);
        thumb->setFrameShape(QFrame::NoFrame);
        m_samplesLayout->insertWidget(index++, thumb);
    }
}

QTreeView *DatasetPanel::showSkippedDetails()
{
    // Non-modal: the list can stay open beside the window while the user fixes the files.
    if (!m_detailsDialog) {
        m_detailsDialog = new QDialog(this);
        m_detailsDialog->setWindowTitle(tr("Skipped files"));
        m_detailsModel = new SkippedFilesModel(m_detailsDialog);
        m_detailsList = new QTreeView(m_detailsDialog);
        m_detailsList->setModel(m_detailsModel);
        m_detailsList->setRootIsDecorated(false);
        m_detailsList->setUniformRowHeights(true);
        m_detailsList->setSortingEnabled(true);
        m_detailsReport = new QLabel(m_detailsDialog);
        m_detailsReport->setWordWrap(true);
        auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, m_detailsDialog);
        connect(buttons, &QDialogButtonBox::rejected, m_detailsDialog, &QDialog::reject);
        auto *layout = new QVBoxLayout(m_detailsDialog);
        layout->addWidget(m_detailsReport);
        layout->addWidget(m_detailsList);
        layout->addWidget(buttons);
        m_detailsDialog->resize(760, 420);
    }
    m_detailsModel->setFiles(m_summary.skipped);
    // QTreeView measures the rows in view only, so this stays quick for a huge report.
    m_detailsList->resizeColumnToContents(0);
    m_detailsList->header()->resizeSection(0, std::clamp(m_detailsList->header()->sectionSize(0), 200, 560));
    m_detailsReport->setText(m_summary.report);
    m_detailsDialog->show();
    m_detailsDialog->raise();
    return m_detailsList;
}
