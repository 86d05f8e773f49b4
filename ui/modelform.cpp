#include "modelform.h"

#include "collapsiblesection.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QVBoxLayout>

namespace {

constexpr int kNoiseRow = 2;  // row of the form: model, latent, noise, beta, sparsity

void selectByData(QComboBox *box, int value)
{
    const int index = box->findData(value);
    if (index >= 0)
        box->setCurrentIndex(index);
}

QString widthsText(const QVector<int> &widths)
{
    QStringList parts;
    for (int w : widths)
        parts << QString::number(w);
    return parts.join(QStringLiteral(", "));
}

// "32, 64" -> {32, 64}; empty -> {} (the kind's default); nullopt when it does not parse.
std::optional<QVector<int>> parseWidths(const QString &text)
{
    QVector<int> widths;
    const QStringList parts = text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        bool ok = false;
        const int w = part.toInt(&ok);
        if (!ok || w < 1)
            return std::nullopt;
        widths << w;
    }
    return widths;
}

} // namespace

ModelForm::ModelForm(QWidget *parent) : QWidget(parent)
{
    m_kind = new QComboBox(this);
    const QList<aes::ModelKind> kinds = {aes::ModelKind::Dense, aes::ModelKind::Conv, aes::ModelKind::KerasConv,
                                         aes::ModelKind::Vae, aes::ModelKind::Denoising, aes::ModelKind::Sparse};
    for (aes::ModelKind kind : kinds)
        m_kind->addItem(aes::toString(kind), int(kind));
    m_kind->setToolTip(tr("Architecture:\n"
                          "dense \u2013 fully connected layers\n"
                          "conv \u2013 convolutional encoder and decoder (the default)\n"
                          "keras-conv \u2013 the Keras tutorial's convolutional model\n"
                          "vae \u2013 variational: a smooth latent space you can sample from\n"
                          "denoising \u2013 learns to remove noise added to its input\n"
                          "sparse \u2013 an L1 penalty keeps most of the code near zero"));

    m_latent = new QSpinBox(this);
    m_latent->setRange(0, 1024);  // 0: automatic, from the data

    m_noise = new QComboBox(this);
    m_noise->addItem(tr("Gaussian"), int(aes::NoiseKind::Gaussian));
    m_noise->addItem(tr("salt and pepper"), int(aes::NoiseKind::SaltPepper));
    m_noise->setToolTip(tr("Noise added to each training image; the model learns to give back the clean one"));
    m_noiseLevel = new QDoubleSpinBox(this);
    m_noiseLevel->setRange(0.0, 1.0);
    m_noiseLevel->setSingleStep(0.05);
    m_noiseLevel->setDecimals(2);
    m_noiseLevel->setToolTip(tr("Gaussian: standard deviation of the noise (pixels are 0..1).\n"
                                "Salt and pepper: fraction of pixels set to black or white."));
    auto *noiseRow = new QHBoxLayout;
    noiseRow->setContentsMargins(0, 0, 0, 0);
    noiseRow->addWidget(m_noise, 1);
    noiseRow->addWidget(m_noiseLevel);

    m_beta = new QDoubleSpinBox(this);
    m_beta->setRange(0.0, 100.0);
    m_beta->setDecimals(3);
    m_beta->setSingleStep(0.1);
    m_beta->setToolTip(tr("Weight of the KL term: higher gives a smoother, more regular latent space\n"
                          "and blurrier reconstructions (1 = the classic VAE)."));

    m_sparsity = new QDoubleSpinBox(this);
    m_sparsity->setRange(0.0, 10.0);
    m_sparsity->setDecimals(5);
    m_sparsity->setSingleStep(1e-4);
    m_sparsity->setToolTip(tr("Weight of the L1 penalty on the code: higher drives more code values to zero"));

    // Advanced: the shape of the network.
    m_widths = new QLineEdit;
    m_widths->setValidator(new QRegularExpressionValidator(QRegularExpression(QStringLiteral("[0-9,\\s]*")), m_widths));
    m_widths->setToolTip(tr("Hidden sizes from the input side, e.g. \"32, 64\".\n"
                            "Dense: neurons per layer. Convolutional kinds: channels per stride-2 stage.\n"
                            "Empty: the kind's default."));
    m_activation = new QComboBox;
    const QList<aes::Activation> activations = {aes::Activation::ReLU, aes::Activation::LeakyReLU,
                                                aes::Activation::ELU, aes::Activation::GELU, aes::Activation::Tanh};
    for (aes::Activation a : activations)
        m_activation->addItem(aes::toString(a), int(a));
    m_activation->setToolTip(tr("Non-linearity between layers"));
    m_dropout = new QDoubleSpinBox;
    m_dropout->setRange(-0.05, 0.9);
    m_dropout->setSingleStep(0.05);
    m_dropout->setDecimals(2);
    m_dropout->setSpecialValueText(tr("kind default"));
    m_dropout->setToolTip(tr("Fraction of hidden units dropped while training (dense default 0.2, others 0)"));
    m_batchNorm = new QCheckBox(tr("Batch normalisation"));
    m_batchNorm->setToolTip(tr("Normalise each hidden layer over the batch: faster, steadier training"));

    m_advanced = CollapsibleSection::withForm(tr("Advanced"), this);
    m_advanced->form()->addRow(tr("Widths:"), m_widths);
    m_advanced->form()->addRow(tr("Activation:"), m_activation);
    m_advanced->form()->addRow(tr("Dropout:"), m_dropout);
    m_advanced->form()->addRow(QString(), m_batchNorm);

    m_form = new QFormLayout;
    m_form->setContentsMargins(0, 0, 0, 0);
    m_form->addRow(tr("Model:"), m_kind);
    m_form->addRow(tr("Latent size:"), m_latent);
    m_form->addRow(tr("Noise:"), noiseRow);
    m_form->addRow(tr("Beta (KL weight):"), m_beta);
    m_form->addRow(tr("Sparsity weight:"), m_sparsity);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_form);
    layout->addWidget(m_advanced);

    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        updateKindRows();
        Q_EMIT kindChanged(aes::ModelKind(m_kind->currentData().toInt()));
    });
    setOptions(aes::ModelOptions());
    setAutomatic(aes::AutoOptions());
}

void ModelForm::setAutomatic(const aes::AutoOptions &which)
{
    if (which.latent)
        m_latent->setValue(0);
    if (which.widths)
        m_widths->clear();
    updateKindRows();
}

aes::AutoOptions ModelForm::automatic() const
{
    aes::AutoOptions a = aes::AutoOptions::none();
    a.latent = m_latent->value() == 0;
    a.widths = m_widths->text().trimmed().isEmpty();
    return a;
}

void ModelForm::setDataShape(const aes::DataShape &shape)
{
    m_shape = shape;
    updateAutomaticTexts();
}

void ModelForm::updateAutomaticTexts()
{
    const auto kind = aes::ModelKind(m_kind->currentData().toInt());
    aes::ModelOptions resolved;
    resolved.kind = kind;
    QString source = tr("the engine's defaults until data is open");
    if (m_shape) {
        aes::TrainOptions unused;
        aes::applyDataDefaults(*m_shape, aes::AutoOptions(), &resolved, &unused);
        source = tr("chosen for %1x%2x%3, %4 training images").arg(m_shape->width).arg(m_shape->height)
                     .arg(m_shape->channels).arg(m_shape->trainImages);
    }
    m_latent->setSpecialValueText(tr("auto (%1)").arg(resolved.latent));
    m_latent->setToolTip(tr("Size of the code each image is compressed to.\n"
                            "Smaller codes compress more and blur more; 2 can be plotted directly.\n"
                            "auto: 16 up to 1024 values per image, 32 up to 4096, else 64 (%1)").arg(source));
    const bool fixedShape = kind == aes::ModelKind::KerasConv;
    m_widths->setPlaceholderText(fixedShape ? tr("fixed: 32,64")
                                            : tr("auto: %1").arg(widthsText(resolved.effectiveWidths())));
}

void ModelForm::updateKindRows()
{
    const auto kind = aes::ModelKind(m_kind->currentData().toInt());
    m_form->setRowVisible(kNoiseRow, kind == aes::ModelKind::Denoising);
    m_form->setRowVisible(m_beta, kind == aes::ModelKind::Vae);
    m_form->setRowVisible(m_sparsity, kind == aes::ModelKind::Sparse);
    // The Keras tutorial's model has a fixed shape.
    const bool fixedShape = kind == aes::ModelKind::KerasConv;
    m_widths->setEnabled(!fixedShape);
    if (fixedShape)
        m_widths->clear();
    updateAutomaticTexts();
}

aes::ModelOptions ModelForm::options() const
{
    aes::ModelOptions o;
    o.kind = aes::ModelKind(m_kind->currentData().toInt());
    o.latent = m_latent->value();
    o.widths = parseWidths(m_widths->text()).value_or(QVector<int>());
    if (m_shape) {
        aes::AutoOptions automatic = aes::AutoOptions::none();
        automatic.latent = o.latent == 0;
        automatic.widths = o.widths.isEmpty();
        aes::TrainOptions unused;
        aes::applyDataDefaults(*m_shape, automatic, &o, &unused);
    } else if (o.latent == 0) {
        o.latent = aes::ModelOptions().latent;
    }
    o.activation = aes::Activation(m_activation->currentData().toInt());
    o.dropout = m_dropout->value() < 0.0 ? -1.0 : m_dropout->value();
    o.batchNorm = m_batchNorm->isChecked();
    o.noise = aes::NoiseKind(m_noise->currentData().toInt());
    o.noiseLevel = m_noiseLevel->value();
    o.beta = m_beta->value();
    o.sparsity = m_sparsity->value();
    return o;
}

void ModelForm::setOptions(const aes::ModelOptions &o)
{
    selectByData(m_kind, int(o.kind));
    m_latent->setValue(o.latent);
    m_widths->setText(widthsText(o.widths));
    selectByData(m_activation, int(o.activation));
    m_dropout->setValue(o.dropout < 0.0 ? m_dropout->minimum() : o.dropout);
    m_batchNorm->setChecked(o.batchNorm);
    selectByData(m_noise, int(o.noise));
    m_noiseLevel->setValue(o.noiseLevel);
    m_beta->setValue(o.beta);
    m_sparsity->setValue(o.sparsity);
    updateKindRows();
}

QString ModelForm::widthsProblem() const
{
    return parseWidths(m_widths->text()) ? QString() : tr("widths must be whole numbers separated by commas");
}
