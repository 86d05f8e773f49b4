#include "datasetpanel.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPixmap>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>

namespace {

constexpr int kThumbnail = 32;  // sample images are shown at this size, pixels kept sharp
constexpr int kMaxVisibleClasses = 12;  // more classes scroll

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

    auto *form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Images:"), m_count);
    form->addRow(tr("Size:"), m_size);
    form->addRow(tr("Skipped:"), skippedRow);

    m_classes = new QTreeWidget(this);
    m_classes->setColumnCount(2);
    m_classes->setHeaderLabels({tr("Class"), tr("Images")});
    m_classes->setRootIsDecorated(false);
    m_classes->setUniformRowHeights(true);
    m_classes->header()->setStretchLastSection(false);
    m_classes->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_classes->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_classes->setToolTip(tr("Top-level subfolders (or IDX labels) are the classes"));

    m_samples = new QWidget(this);
    m_samplesLayout = new QHBoxLayout(m_samples);
    m_samplesLayout->setContentsMargins(0, 0, 0, 0);
    m_samplesLayout->setSpacing(3);
    m_samplesLayout->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_source);
    layout->addLayout(form);
    layout->addWidget(m_classes);
    layout->addWidget(m_samples);
    layout->addStretch(1);
}

void DatasetPanel::showLoading(const QString &path)
{
    m_source->setText(tr("Loading <b>%1</b>\u2026").arg(QFileInfo(path).fileName().toHtmlEscaped()));
    m_source->setToolTip(path);
}

void DatasetPanel::showFailure(const QString &path, const QString &message)
{
    m_source->setText(tr("Could not open <b>%1</b>: %2")
                          .arg(QFileInfo(path).fileName().toHtmlEscaped(), message.toHtmlEscaped()));
    m_source->setToolTip(path);
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
    m_skipped->setText(summary.skipped.isEmpty() ? tr("none") : QLocale().toString(qint64(summary.skipped.size())));
    m_skipped->setToolTip(summary.report);
    m_details->setVisible(!summary.skipped.isEmpty());

    m_classes->clear();
    for (int i = 0; i < summary.classNames.size(); ++i) {
        auto *item = new QTreeWidgetItem(m_classes);
        item->setText(0, summary.classNames.at(i));
        item->setText(1, QLocale().toString(i < summary.classCounts.size() ? summary.classCounts.at(i) : 0));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    }
    if (summary.classNames.isEmpty()) {
        auto *item = new QTreeWidgetItem(m_classes);
        item->setText(0, tr("(unlabelled)"));
        item->setText(1, QLocale().toString(summary.count));
        item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    }
    // Tall enough for every class up to a dozen, so no space is wasted under a short list.
    const int rows = std::min(kMaxVisibleClasses, std::max(3, m_classes->topLevelItemCount()));
    const int rowHeight = m_classes->sizeHintForRow(0) > 0 ? m_classes->sizeHintForRow(0) : fontMetrics().height() + 4;
    m_classes->setFixedHeight(rows * rowHeight + m_classes->header()->sizeHint().height() + 2 * m_classes->frameWidth() + 2);

    while (m_samplesLayout->count() > 1) {
        QLayoutItem *item = m_samplesLayout->takeAt(0);
        delete item->widget();
        delete item;
    }
    int index = 0;
    for (const QImage &image : summary.samples) {
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

void DatasetPanel::showSkippedDetails()
{
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Skipped files"));
    auto *list = new QTreeWidget(&dialog);
    list->setHeaderLabels({tr("File"), tr("Reason")});
    list->setRootIsDecorated(false);
    for (const auto &[path, reason] : m_summary.skipped) {
        auto *item = new QTreeWidgetItem(list);
        item->setText(0, path);
        item->setToolTip(0, path);
        item->setText(1, reason);
    }
    list->resizeColumnToContents(0);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(new QLabel(m_summary.report, &dialog));
    layout->addWidget(list);
    layout->addWidget(buttons);
    dialog.resize(720, 400);
    dialog.exec();
}
