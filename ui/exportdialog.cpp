#include "exportdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace {
QCheckBox *box(const QString &text, const QString &name, bool checked, QWidget *parent)
{
    auto *b = new QCheckBox(QStringLiteral("%1   \u2192 %2").arg(text, name), parent);
    b->setChecked(checked);
    return b;
}
} // namespace

ExportDialog::ExportDialog(const ExportChoice &c, const QString &modelNote, bool hasModel, bool hasMap, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Export"));
    auto *layout = new QVBoxLayout(this);

    auto *where = new QHBoxLayout;
    where->addWidget(new QLabel(tr("Into folder:"), this));
    m_folder = new QLineEdit(c.folder, this);
    m_folder->setObjectName(QStringLiteral("exportFolder"));
    m_folder->setMinimumWidth(360);
    where->addWidget(m_folder, 1);
    auto *browseButton = new QPushButton(tr("Browse\u2026"), this);
    where->addWidget(browseButton);
    layout->addLayout(where);

    auto *model = new QGroupBox(tr("Model"), this);
    auto *modelLayout = new QVBoxLayout(model);
    auto *note = new QLabel(modelNote, model);
    note->setWordWrap(true);
    note->setStyleSheet(QStringLiteral("color: palette(mid);"));
    modelLayout->addWidget(note);
    m_torchscript = box(tr("TorchScript (encode, decode, forward)"), ExportChoice::torchscriptName(), c.torchscript, model);
    m_onnx = box(tr("ONNX encoder and decoder"), ExportChoice::onnxName() + QLatin1Char('/'), c.onnx, model);
    m_embeddings = box(tr("Embeddings for TensorBoard's projector"), ExportChoice::embeddingsName() + QLatin1Char('/'),
                       c.embeddings, model);
    auto *imagesRow = new QHBoxLayout;
    m_images = box(tr("Images and their reconstructions"), ExportChoice::imagesName() + QLatin1Char('/'), c.images, model);
    m_imageCount = new QSpinBox(model);
    m_imageCount->setRange(1, 1000000);
    m_imageCount->setValue(c.imageCount);
    m_imageCount->setSuffix(tr(" images"));
    imagesRow->addWidget(m_images);
    imagesRow->addWidget(m_imageCount);
    imagesRow->addStretch();
    for (QCheckBox *b : {m_torchscript, m_onnx, m_embeddings})
        modelLayout->addWidget(b);
    modelLayout->addLayout(imagesRow);
    for (QCheckBox *b : {m_torchscript, m_onnx, m_embeddings, m_images}) {
        b->setChecked(b->isChecked() && hasModel);
        b->setEnabled(hasModel);
    }
    layout->addWidget(model);

    auto *views = new QGroupBox(tr("What the window shows"), this);
    auto *viewsLayout = new QVBoxLayout(views);
    m_mapCsv = box(tr("Latent map (x, y, label, file of every image)"), ExportChoice::mapCsvName(), c.mapCsv && hasMap, views);
    m_mapCsv->setEnabled(hasMap);
    m_reconstructions = box(tr("Reconstruction grid"), ExportChoice::reconstructionsName(), c.reconstructionsPng, views);
    m_lossPng = box(tr("Loss plot (PNG)"), ExportChoice::lossPngName(), c.lossPng, views);
    m_lossPdf = box(tr("Loss plot (PDF)"), ExportChoice::lossPdfName(), c.lossPdf, views);
    m_history = box(tr("History of every epoch"), ExportChoice::historyName(), c.historyCsv, views);
    for (QCheckBox *b : {m_mapCsv, m_reconstructions, m_lossPng, m_lossPdf, m_history})
        viewsLayout->addWidget(b);
    layout->addWidget(views);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Export"));
    layout->addWidget(buttons);

    connect(browseButton, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_folder, &QLineEdit::textChanged, this, &ExportDialog::updateButtons);
    for (QCheckBox *b : findChildren<QCheckBox *>())
        connect(b, &QCheckBox::toggled, this, &ExportDialog::updateButtons);
    connect(m_images, &QCheckBox::toggled, m_imageCount, &QWidget::setEnabled);
    m_imageCount->setEnabled(m_images->isChecked());
    updateButtons();
}

ExportChoice ExportDialog::choice() const
{
    ExportChoice c;
    c.folder = m_folder->text().trimmed();
    c.torchscript = m_torchscript->isChecked();
    c.onnx = m_onnx->isChecked();
    c.embeddings = m_embeddings->isChecked();
    c.images = m_images->isChecked();
    c.imageCount = m_imageCount->value();
    c.mapCsv = m_mapCsv->isChecked();
    c.reconstructionsPng = m_reconstructions->isChecked();
    c.lossPng = m_lossPng->isChecked();
    c.lossPdf = m_lossPdf->isChecked();
    c.historyCsv = m_history->isChecked();
    return c;
}

void ExportDialog::browse()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export into"), m_folder->text());
    if (!dir.isEmpty())
        m_folder->setText(dir);
}

void ExportDialog::updateButtons()
{
    bool any = false;
    for (QCheckBox *b : findChildren<QCheckBox *>())
        any = any || (b->isEnabled() && b->isChecked());
    m_ok->setEnabled(any && !m_folder->text().trimmed().isEmpty());
}
