#include "latentmappanel.h"

#include "crispimage.h"
#include "latent/mapsample.h"
#include "spectrogramview.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPushButton>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>

#include <algorithm>

namespace {

QPixmap focusPixmap(const QImage &image, int side)
{
    return QPixmap::fromImage(crispScaled(image, side));
}

} // namespace

LatentMapPanel::LatentMapPanel(QWidget *parent) : QWidget(parent)
{
    m_info = new QLabel;
    m_info->setWordWrap(true);
    m_method = new QComboBox;
    // Data: the ProjectionMethod, -1 for automatic.
    m_method->addItem(tr("Automatic"), -1);
    m_method->addItem(tr("Two dimensions"), int(aes::ProjectionMethod::Dims));
    m_method->addItem(tr("PCA"), int(aes::ProjectionMethod::Pca));
    m_method->addItem(tr("t-SNE"), int(aes::ProjectionMethod::Tsne));
    m_method->addItem(tr("UMAP"), int(aes::ProjectionMethod::Umap));
    m_method->setToolTip(tr("How codes become points of the map. Automatic: the code itself for a 2-number code, "
                            "else PCA. Two dimensions: two numbers of the code, the others at their mean when "
                            "decoding. t-SNE and UMAP separate classes best but take a while (UMAP less), run "
                            "only when training is stopped, and are decoded approximately."));
    connect(m_method, &QComboBox::activated, this, [this] { requestProjection(); });
    m_dimX = new QSpinBox;
    m_dimY = new QSpinBox;
    m_dimY->setValue(1);
    for (QSpinBox *spin : {m_dimX, m_dimY}) {
        spin->setRange(0, 1);
        spin->setToolTip(tr("A latent dimension (0 = the code's first number)"));
        connect(spin, &QSpinBox::valueChanged, this, [this] { requestProjection(); });
    }
    m_dimsRow = new QWidget;
    auto *dimsLayout = new QHBoxLayout(m_dimsRow);
    dimsLayout->setContentsMargins(0, 0, 0, 0);
    dimsLayout->addWidget(new QLabel(tr("x")));
    dimsLayout->addWidget(m_dimX, 1);
    dimsLayout->addWidget(new QLabel(tr("y")));
    dimsLayout->addWidget(m_dimY, 1);
    m_dimsRow->hide();
    // UMAP's two parameters; a change asks for a new map when the value is settled (Enter,
    // focus out or an arrow click), replacing one still running.
    m_umapNeighbours = new QSpinBox;
    m_umapNeighbours->setObjectName(QStringLiteral("umapNeighbours"));
    m_umapNeighbours->setRange(2, 200);
    m_umapNeighbours->setValue(aes::UmapParameters().neighbours);
    m_umapNeighbours->setToolTip(tr("n_neighbors: how many neighbours (the point included) shape each point's "
                                    "place. Larger keeps more of the global structure, smaller more local detail."));
    m_umapMinDist = new QDoubleSpinBox;
    m_umapMinDist->setObjectName(QStringLiteral("umapMinDist"));
    m_umapMinDist->setRange(0.0, 1.0);
    m_umapMinDist->setSingleStep(0.05);
    m_umapMinDist->setDecimals(2);
    m_umapMinDist->setValue(aes::UmapParameters().minDist);
    m_umapMinDist->setToolTip(tr("min_dist: how tightly points may pack (0 to 1). Smaller gives denser clusters."));
    for (QAbstractSpinBox *spin : {static_cast<QAbstractSpinBox *>(m_umapNeighbours),
                                   static_cast<QAbstractSpinBox *>(m_umapMinDist)})
        spin->setKeyboardTracking(false);
    connect(m_umapNeighbours, &QSpinBox::valueChanged, this, [this] { requestProjection(); });
    connect(m_umapMinDist, &QDoubleSpinBox::valueChanged, this, [this] { requestProjection(); });
    m_umapRow = new QWidget;
    auto *umapLayout = new QFormLayout(m_umapRow);
    umapLayout->setContentsMargins(0, 0, 0, 0);
    umapLayout->addRow(tr("Neighbours"), m_umapNeighbours);
    umapLayout->addRow(tr("Min distance"), m_umapMinDist);
    m_umapRow->hide();
    // The point cap: a map of more images draws a seeded sample of this many.
    m_pointCap = new QSpinBox;
    m_pointCap->setObjectName(QStringLiteral("pointCap"));
    m_pointCap->setRange(0, 100'000'000);
    m_pointCap->setSingleStep(50'000);
    m_pointCap->setGroupSeparatorShown(true);
    m_pointCap->setSpecialValueText(tr("all"));
    m_pointCap->setValue(int(aes::kDefaultMapPoints));
    m_pointCap->setKeyboardTracking(false);
    m_pointCap->setToolTip(tr("The most images the map draws (0: all). A larger dataset is drawn as a seeded sample, "
                              "each class keeping its share; find images like this, clusters and exports still use "
                              "every image."));
    connect(m_pointCap, &QSpinBox::valueChanged, this, [this](int cap) {
        Q_EMIT pointCapChanged(cap);
        if (!m_map.x.isEmpty())
            requestProjection();
    });
    auto *capRow = new QWidget;
    auto *capLayout = new QHBoxLayout(capRow);
    capLayout->setContentsMargins(0, 0, 0, 0);
    capLayout->addWidget(new QLabel(tr("Points")));
    capLayout->addWidget(m_pointCap, 1);
    auto *help = new QLabel(tr("Hover a point to see it; click a point to pin it, shift+click to pick it "
                               "for an interpolation; click empty space to decode there and drag the "
                               "probe. Wheel zooms, double-click fits. Right-click a point to find images like it."));
    help->setWordWrap(true);
    help->setStyleSheet(QStringLiteral("color: #606060;"));
    m_title = new QLabel;
    m_title->setWordWrap(true);
    m_image = new QLabel;
    m_image->setFixedSize(kImageSize, kImageSize);
    m_image->setAlignment(Qt::AlignCenter);
    m_image->setStyleSheet(QStringLiteral("QLabel { background: palette(base); border: 1px solid palette(mid); }"));
    m_caption = new QLabel;
    m_caption->setWordWrap(true);
    m_similarK = new QSpinBox;
    m_similarK->setRange(1, 200);
    m_similarK->setValue(10);
    m_similarK->setToolTip(tr("How many images (the pinned one first)"));
    auto *similar = new QPushButton(tr("Images like this"));
    similar->setToolTip(tr("Select the images whose codes lie nearest to the pinned image's code, "
                           "with their distances (also: right-click a point)"));
    connect(similar, &QPushButton::clicked, this, [this] { Q_EMIT similarRequested(m_similarK->value()); });
    m_similarRow = new QWidget;
    auto *similarLayout = new QHBoxLayout(m_similarRow);
    similarLayout->setContentsMargins(0, 0, 0, 0);
    similarLayout->addWidget(similar, 1);
    similarLayout->addWidget(m_similarK);
    m_similarRow->hide();

    setFixedWidth(kImageSize + 24);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_info);
    layout->addWidget(m_method);
    layout->addWidget(m_dimsRow);
    layout->addWidget(m_umapRow);
    layout->addWidget(capRow);
    layout->addWidget(help);
    layout->addSpacing(12);
    layout->addWidget(m_title);
    layout->addWidget(m_image);
    // Under the image's box, not over it: the spectrogram's lowest bands stay in sight.
    m_play = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Play"));
    m_play->setObjectName(QStringLiteral("panelPlay"));
    m_play->hide();
    connect(m_play, &QPushButton::clicked, this, [this] { Q_EMIT playRequested(m_playImage, m_playWhat); });
    layout->addWidget(m_play, 0, Qt::AlignHCenter);
    layout->addWidget(m_caption);
    layout->addWidget(m_similarRow);
    layout->addStretch(1);
    updateInfo();
}

void LatentMapPanel::setMap(const aes::LatentSnapshot &map)
{
    m_map = map;
    updateProjectionChoice();
    updateInfo();
}

void LatentMapPanel::setReplay(bool replay, const QString &note)
{
    m_replay = replay;
    m_replayNote = note;
    updateInfo();
}

void LatentMapPanel::updateInfo()
{
    if (m_map.x.isEmpty()) {
        m_info->setText(tr("<b>No map yet.</b><br>Train a model: after each epoch every image appears "
                           "here at its code's place."));
        return;
    }
    using Method = aes::ProjectionMethod;
    QString method = m_map.method == Method::Direct ? tr("the 2 code numbers")
                   : m_map.method == Method::Dims   ? tr("code numbers %1 and %2").arg(m_map.dimX).arg(m_map.dimY)
                   : m_map.method == Method::Pca    ? tr("PCA")
                   : m_map.method == Method::Umap
                       ? tr("UMAP (%1 neighbours, min dist %2)").arg(m_map.umap.neighbours).arg(m_map.umap.minDist)
                       : tr("t-SNE");
    if (m_map.partial && m_map.method == Method::Umap)
        method = tr("UMAP, epoch %1 of %2").arg(m_map.iteration).arg(m_map.iterations);
    else if (m_map.partial)
        method = tr("t-SNE, iteration %1 of %2").arg(m_map.iteration).arg(m_map.iterations);
    const QLocale locale;
    const QString count = m_map.sampled()
                              ? tr("%1 of %2 images</b> (sample)")
                                    .arg(locale.toString(m_map.pointCount()), locale.toString(m_map.rowCount()))
                              : tr("%1 images</b>").arg(locale.toString(m_map.pointCount()));
    QString text = tr("<b>%1, epoch %2<br>projected with %3").arg(count).arg(m_map.epoch).arg(method);
    if (m_replay)
        text += QStringLiteral("<br><i>%1</i>").arg(m_replayNote.toHtmlEscaped());
    m_info->setText(text);
}

void LatentMapPanel::requestProjection()
{
    const int data = m_method->currentData().toInt();
    const std::optional<aes::ProjectionMethod> method =
        data < 0 ? std::nullopt : std::optional<aes::ProjectionMethod>(aes::ProjectionMethod(data));
    m_dimsRow->setVisible(method == aes::ProjectionMethod::Dims);
    m_umapRow->setVisible(method == aes::ProjectionMethod::Umap);
    if (method == aes::ProjectionMethod::Dims && m_dimX->value() == m_dimY->value())
        return;  // the second spin box is on its way to another dimension
    Q_EMIT projectionRequested(method, m_dimX->value(), m_dimY->value(),
                               aes::UmapParameters{m_umapNeighbours->value(), m_umapMinDist->value()});
}

void LatentMapPanel::updateProjectionChoice()
{
    if (m_map.latentSize < 2)
        return;
    for (QSpinBox *spin : {m_dimX, m_dimY}) {
        const QSignalBlocker block(spin);
        spin->setMaximum(m_map.latentSize - 1);
    }
    if (m_map.method == aes::ProjectionMethod::Dims || aes::isIterative(m_map.method)) {
        const QSignalBlocker block(m_method);
        m_method->setCurrentIndex(m_method->findData(int(m_map.method)));
    }
    if (m_map.method == aes::ProjectionMethod::Dims) {
        const QSignalBlocker blockX(m_dimX), blockY(m_dimY);
        m_dimX->setValue(m_map.dimX);
        m_dimY->setValue(m_map.dimY);
    }
    if (m_map.method == aes::ProjectionMethod::Umap) {
        const QSignalBlocker blockK(m_umapNeighbours), blockD(m_umapMinDist);
        m_umapNeighbours->setValue(m_map.umap.neighbours);
        m_umapMinDist->setValue(m_map.umap.minDist);
    }
    m_dimsRow->setVisible(m_method->currentData().toInt() == int(aes::ProjectionMethod::Dims));
    m_umapRow->setVisible(m_method->currentData().toInt() == int(aes::ProjectionMethod::Umap));
}

QImage LatentMapPanel::shown(const QImage &image) const
{
    return m_spectrograms ? SpectrogramView::colorized(image) : image;
}

void LatentMapPanel::setSpectrograms(bool on, bool canPlay, const QString &reason)
{
    m_spectrograms = on;
    m_canPlay = canPlay;
    m_play->setEnabled(canPlay);
    m_play->setToolTip(canPlay ? QString() : reason);
    m_play->setVisible(on && !m_playImage.isNull());
}

void LatentMapPanel::setPlayable(const QImage &image, const QString &what)
{
    m_playImage = image;
    m_playWhat = what;
    m_play->setText(what.isEmpty() ? tr("Play") : tr("Play %1").arg(what));
    m_play->setVisible(m_spectrograms && !image.isNull());
}

void LatentMapPanel::showPinned(const QString &caption)
{
    m_title->setText(tr("<b>Pinned</b>"));
    m_caption->setText(caption);
    m_similarRow->show();
}

void LatentMapPanel::showPinnedImage(const QImage &image, const QString &caption)
{
    showPinned(caption);
    m_image->setPixmap(focusPixmap(shown(image), kImageSize - 8));
    setPlayable(image, tr("the clip"));
}

void LatentMapPanel::showPinnedDetails(const QImage &image, const QImage &reconstruction, const QString &caption,
                                       const QString &file)
{
    // Image and reconstruction side by side.
    const int half = (kImageSize - 12) / 2;
    const QImage left = crispScaled(shown(image), half), right = crispScaled(shown(reconstruction), half);
    setPlayable(reconstruction, tr("the reconstruction"));
    QPixmap both(kImageSize - 8, std::max(left.height(), right.height()));
    both.fill(Qt::transparent);
    QPainter painter(&both);
    painter.drawImage((half - left.width()) / 2, 0, left);
    painter.drawImage(half + 4 + (half - right.width()) / 2, 0, right);
    painter.end();
    m_title->setText(tr("<b>Pinned</b>: image and its reconstruction"));
    m_similarRow->show();
    m_image->setPixmap(both);
    if (!file.isEmpty())
        m_caption->setToolTip(file);
    m_caption->setText(caption);
}

void LatentMapPanel::showDecoded(const QImage &image, double x, double y, bool exact)
{
    m_title->setText(tr("<b>Decoded</b> at (%1, %2)").arg(x, 0, 'g', 3).arg(y, 0, 'g', 3));
    m_image->setPixmap(focusPixmap(shown(image), kImageSize - 8));
    setPlayable(image, tr("the decoded point"));
    m_caption->setToolTip(QString());
    m_similarRow->hide();
    m_caption->setText(exact ? tr("Exact: the code at this point of the map. Drag the probe to morph it.")
                             : tr("Approximate: the mean code of the nearest points (%1 has no inverse; a new "
                                  "code is placed at the weighted mean of its neighbours' points).")
                                   .arg(m_map.method == aes::ProjectionMethod::Umap ? tr("UMAP") : tr("t-SNE")));
}

void LatentMapPanel::setPointCap(qint64 cap)
{
    m_pointCap->setValue(int(std::clamp<qint64>(cap, 0, m_pointCap->maximum())));
}

qint64 LatentMapPanel::pointCap() const
{
    return m_pointCap->value();
}

void LatentMapPanel::focusPointCap()
{
    m_pointCap->setFocus(Qt::OtherFocusReason);
    m_pointCap->selectAll();
}

void LatentMapPanel::clearPoint()
{
    m_title->clear();
    m_image->clear();
    m_caption->clear();
    m_similarRow->hide();
    setPlayable({}, {});
}
