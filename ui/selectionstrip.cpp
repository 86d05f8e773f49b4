#include "selectionstrip.h"

#include "crispimage.h"
#include "imagecaption.h"

#include <QFontMetrics>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QMap>
#include <QPushButton>
#include <QVBoxLayout>

#include <algorithm>

namespace {
constexpr int kThumbnail = 48;
constexpr int kRowRole = Qt::UserRole + 1;
} // namespace

SelectionStrip::SelectionStrip(QWidget *parent) : QWidget(parent)
{
    m_summary = new QLabel;
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_list = new QListWidget;
    m_list->setViewMode(QListView::IconMode);
    m_list->setFlow(QListView::LeftToRight);
    m_list->setWrapping(false);
    m_list->setMovement(QListView::Static);
    m_list->setIconSize(QSize(kThumbnail, kThumbnail));
    // Wide enough for a file name of about 16 characters ("00-apple_013.png") before eliding.
    m_list->setGridSize(QSize(kThumbnail + 68, kThumbnail + 36));
    m_list->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setToolTip(tr("The selected images; click one to pin it on the map"));
    connect(m_list, &QListWidget::itemClicked, this,
            [this](QListWidgetItem *item) { Q_EMIT pointSelected(item->data(kRowRole).toLongLong()); });

    m_export = new QPushButton(tr("Export list..."));
    m_export->setToolTip(tr("Write the selected images' files and classes as CSV (path,label[,distance])"));
    m_copy = new QPushButton(tr("Copy to folder..."));
    m_copy->setToolTip(tr("Copy the selected images' files into an empty folder, one subfolder per class"));
    m_open = new QPushButton(tr("Open as dataset..."));
    m_open->setToolTip(tr("Copy the selected images into an empty folder (one subfolder per class) and load it as the dataset"));
    m_hide = new QPushButton(tr("Hide"));
    m_hide->setToolTip(tr("Hide the selected points on the map"));
    m_showHidden = new QPushButton(tr("Show hidden"));
    m_clear = new QPushButton(tr("Clear"));
    connect(m_export, &QPushButton::clicked, this, &SelectionStrip::exportListRequested);
    connect(m_copy, &QPushButton::clicked, this, &SelectionStrip::copyRequested);
    connect(m_open, &QPushButton::clicked, this, &SelectionStrip::openAsDatasetRequested);
    connect(m_hide, &QPushButton::clicked, this, &SelectionStrip::hideRequested);
    connect(m_showHidden, &QPushButton::clicked, this, &SelectionStrip::showHiddenRequested);
    connect(m_clear, &QPushButton::clicked, this, &SelectionStrip::clearRequested);

    auto *buttons = new QGridLayout;
    buttons->setSpacing(2);
    buttons->addWidget(m_export, 0, 0);
    buttons->addWidget(m_copy, 0, 1);
    buttons->addWidget(m_open, 1, 0);
    buttons->addWidget(m_hide, 1, 1);
    buttons->addWidget(m_showHidden, 2, 0);
    buttons->addWidget(m_clear, 2, 1);
    auto *left = new QVBoxLayout;
    left->addWidget(m_summary);
    left->addLayout(buttons);
    left->addStretch(1);
    auto *leftBox = new QWidget;
    leftBox->setLayout(left);
    leftBox->setFixedWidth(300);
    left->setContentsMargins(0, 0, 0, 0);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->addWidget(leftBox);
    layout->addWidget(m_list, 1);
    setSelection({}, {}, {}, -1, 0);
}

void SelectionStrip::setSelection(const aes::LatentSnapshot &map, const QVector<qint64> &rows,
                                  const QVector<float> &distances, qint64 query, qint64 hidden)
{
    const QLocale locale;
    QString text;
    if (rows.isEmpty()) {
        text = tr("<b>No selection.</b> Drag a rectangle or a lasso with the tools above the map, or right-click "
                  "a point to find the images like it.");
    } else if (query >= 0) {
        text = tr("<b>%1 images nearest to %2</b> in latent space (itself first)")
                   .arg(rows.size())
                   .arg(imageName(map, query).toHtmlEscaped());
    } else {
        // The count, then the classes it holds, largest first.
        QMap<QString, qint64> perClass;
        for (qint64 row : rows)
            ++perClass[map.classNameAt(row)];
        QVector<QPair<qint64, QString>> counts;
        for (auto it = perClass.cbegin(); it != perClass.cend(); ++it)
            if (!it.key().isEmpty())
                counts.append({it.value(), it.key()});
        std::sort(counts.begin(), counts.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
        QStringList parts;
        for (int i = 0; i < std::min<qsizetype>(counts.size(), 4); ++i)
            parts << QStringLiteral("%1 %2").arg(counts[i].second.toHtmlEscaped(), locale.toString(counts[i].first));
        if (counts.size() > 4)
            parts << tr("%n more classes", nullptr, int(counts.size() - 4));
        text = tr("<b>%1 images selected</b>").arg(locale.toString(qlonglong(rows.size())));
        if (!parts.isEmpty())
            text += QStringLiteral("<br>") + parts.join(QStringLiteral(", "));
    }
    if (map.sampled() && !rows.isEmpty()) {
        // A search reaches every image; the map draws its sample only.
        const qint64 offMap = std::count_if(rows.cbegin(), rows.cend(), [&map](qint64 row) { return map.pointOf(row) < 0; });
        if (offMap > 0)
            text += QStringLiteral("<br>") + tr("%1 of them not drawn (outside the map's sample)").arg(locale.toString(offMap));
    }
    if (hidden > 0)
        text += QStringLiteral("<br>") + tr("%1 points hidden").arg(locale.toString(hidden));
    m_summary->setText(text);
    for (QPushButton *b : {m_export, m_copy, m_open, m_hide, m_clear})
        b->setEnabled(!rows.isEmpty());
    m_showHidden->setEnabled(hidden > 0);

    m_list->clear();
    QVector<qint64> shown = rows.mid(0, kMaxShown);
    for (int i = 0; i < shown.size(); ++i) {
        const qint64 row = shown[i];
        // The file's name, then the distance after a search, else the class.
        const QFontMetrics metrics(m_list->font());
        const int width = m_list->gridSize().width() - 4;
        const QString file = fileNameOf(map, row);
        QString caption = metrics.elidedText(file.isEmpty() ? imageName(map, row) : file, Qt::ElideMiddle, width);
        if (i < distances.size())
            caption += QLatin1Char('\n') + QString::number(double(distances[i]), 'f', 3);
        else if (!file.isEmpty() && !map.classNameAt(row).isEmpty())
            caption += QLatin1Char('\n') + metrics.elidedText(map.classNameAt(row), Qt::ElideRight, width);
        auto *item = new QListWidgetItem(caption);
        item->setData(kRowRole, row);
        item->setTextAlignment(Qt::AlignHCenter | Qt::AlignTop);
        item->setToolTip(i < distances.size()
                             ? tr("%1\ndistance %2\n%3").arg(imageName(map, row)).arg(double(distances[i]), 0, 'g', 5).arg(map.files.value(int(row)))
                             : tr("%1\n%2").arg(imageName(map, row), map.files.value(int(row))));
        m_list->addItem(item);
    }
    if (!shown.isEmpty())
        Q_EMIT imagesWanted(shown);
}

void SelectionStrip::setImages(const aes::ImageSet &images)
{
    QHash<qint64, int> position;
    for (int i = 0; i < images.rows.size(); ++i)
        position.insert(images.rows[i], i);
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem *item = m_list->item(i);
        const int p = position.value(item->data(kRowRole).toLongLong(), -1);
        if (p >= 0)
            item->setIcon(QIcon(QPixmap::fromImage(crispScaled(images.images.value(p), kThumbnail))));
    }
}
