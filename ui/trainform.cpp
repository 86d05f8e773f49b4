#include "trainform.h"

#include "collapsiblesection.h"
#include "crispimage.h"
#include "model/device.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QSpinBox>
#include <QThread>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

constexpr int kAutoSchedule = -1;  // the schedule combo's "auto" item

void selectByData(QComboBox *box, int value)
{
    const int index = box->findData(value);
    if (index >= 0)
        box->setCurrentIndex(index);
}

// Rates span decades: shown as 0.002 or 1e-05, stepped along 1, 2, 5 x 10^k.
class RateSpinBox final : public QDoubleSpinBox {
public:
    explicit RateSpinBox(QWidget *parent = nullptr) : QDoubleSpinBox(parent)
    {
        setDecimals(10);  // QDoubleSpinBox rounds values to this many decimals
        setKeyboardTracking(false);  // a typed rate counts when it is complete
    }
    QString textFromValue(double value) const override
    {
        return QString::number(value, 'g', 4);
    }
    double valueFromText(const QString &text) const override
    {
        return text.trimmed().toDouble();
    }
    QValidator::State validate(QString &input, int &) const override
    {
        const QString t = input.trimmed();
        if (t.isEmpty() || t == QLatin1String(".") || t.endsWith(QLatin1Char('e')) || t.endsWith(QLatin1String("e-")))
            return QValidator::Intermediate;
        bool ok = false;
        const double v = t.toDouble(&ok);
        if (!ok)
            return QValidator::Invalid;
        return v >= minimum() && v <= maximum() ? QValidator::Acceptable : QValidator::Intermediate;
    }
    void stepBy(int steps) override
    {
        static const double kMantissas[] = {1.0, 2.0, 5.0};
        double v = value();
        for (int i = 0; i < std::abs(steps); ++i) {
            const double decade = std::pow(10.0, std::floor(std::log10(v) + 1e-9));
            const double m = v / decade;
            int k = m < 1.5 ? 0 : m < 3.5 ? 1 : 2;
            const bool exact = std::abs(m - kMantissas[k]) < 1e-6;
            double next;
            if (steps > 0)
                next = k == 2 ? 10.0 * decade : kMantissas[k + 1] * decade;
            else if (!exact && m > kMantissas[k])
                next = kMantissas[k] * decade;
            else
                next = k == 0 ? 0.5 * decade : kMantissas[k - 1] * decade;
            v = std::clamp(next, minimum(), maximum());
        }
        setValue(v);
    }
};

} // namespace

TrainForm::TrainForm(QWidget *parent) : QWidget(parent)
{
    m_epochs = new QSpinBox(this);
    m_epochs->setRange(0, 100000);  // 0: automatic, from the data
    m_batch = new QSpinBox(this);
    m_batch->setRange(0, 4096);  // 0: automatic, from the data

    m_learningRate = new RateSpinBox(this);
    m_learningRate->setRange(1e-6, 1.0);
    m_learningRate->setToolTip(tr("Step size of the optimiser (e.g. 0.002 or 5e-4).\n"
                                  "Can be changed while training: it applies from the next step\n"
                                  "and leaves a marker on the loss plot."));
    connect(m_learningRate, &QDoubleSpinBox::valueChanged, this, [this](double lr) {
        if (m_running)
            Q_EMIT learningRateEdited(lr);
    });

    m_optimizer = new QComboBox(this);
    m_optimizer->addItem(QStringLiteral("adam"), int(aes::OptimizerKind::Adam));
    m_optimizer->addItem(QStringLiteral("adamw"), int(aes::OptimizerKind::AdamW));
    m_optimizer->addItem(QStringLiteral("sgd"), int(aes::OptimizerKind::Sgd));
    m_optimizer->setToolTip(tr("adam \u2013 a good default\nadamw \u2013 Adam with decoupled weight decay\n"
                               "sgd \u2013 stochastic gradient descent with momentum"));
    m_loss = new QComboBox(this);
    m_loss->addItem(QStringLiteral("mse"), int(aes::LossKind::Mse));
    m_loss->addItem(QStringLiteral("bce"), int(aes::LossKind::Bce));
    m_loss->addItem(QStringLiteral("l1"), int(aes::LossKind::L1));
    m_loss->setToolTip(tr("Reconstruction loss: mse (squared error), bce (binary cross-entropy,\n"
                          "sharper on mostly black-and-white images) or l1 (absolute error)"));

    m_schedule = new QComboBox(this);
    m_schedule->addItem(tr("auto"), kAutoSchedule);
    m_schedule->addItem(tr("constant"), int(aes::ScheduleKind::Constant));
    m_schedule->addItem(tr("cosine (warm-up)"), int(aes::ScheduleKind::Cosine));
    m_schedule->addItem(tr("one-cycle"), int(aes::ScheduleKind::OneCycle));
    m_schedule->addItem(tr("reduce on plateau"), int(aes::ScheduleKind::Plateau));
    m_schedule->setToolTip(tr("How the learning rate changes over the run (drawn under the loss):\n"
                              "constant \u2013 as set\n"
                              "cosine \u2013 a short warm-up, then down to 0 at the last epoch\n"
                              "one-cycle \u2013 up to the rate over 30% of the run, then far below it\n"
                              "reduce on plateau \u2013 halved when the validation loss stalls for 2 epochs"));
    m_earlyStopping = new QCheckBox(tr("Stop when it stops improving"), this);
    m_earlyStopping->setToolTip(tr("End the run when the validation loss has not improved by 0.1% for 5 epochs\n"
                                   "and keep the weights of the best epoch; Epochs is then the most it trains."));

    m_weightDecay = new QDoubleSpinBox;
    m_weightDecay->setRange(0.0, 1.0);
    m_weightDecay->setDecimals(6);
    m_weightDecay->setSingleStep(1e-4);
    m_weightDecay->setToolTip(tr("L2 penalty on the weights (0 = none)"));
    m_momentum = new QDoubleSpinBox;
    m_momentum->setRange(0.0, 0.999);
    m_momentum->setDecimals(3);
    m_momentum->setSingleStep(0.05);
    m_momentum->setToolTip(tr("Momentum of SGD"));
    m_seed = new QSpinBox;
    m_seed->setRange(0, std::numeric_limits<int>::max());
    m_seed->setToolTip(tr("Seeds the weights, the shuffling, the noise and the validation split:\n"
                          "the same seed gives the same model"));
    m_threads = new QSpinBox;
    m_threads->setRange(0, std::max(1, QThread::idealThreadCount()));
    m_threads->setSpecialValueText(tr("all cores (%1)").arg(QThread::idealThreadCount()));
    m_threads->setToolTip(tr("Compute threads used for training"));
    m_device = new QComboBox;
    m_device->setObjectName(QStringLiteral("device"));
    {
        const QStringList devices = aes::availableDevices();
        m_device->addItem(tr("auto (%1)").arg(aes::resolvedDeviceName(QStringLiteral("auto"))), QStringLiteral("auto"));
        for (const QString &d : devices)
            m_device->addItem(d == QLatin1String("cpu") ? tr("CPU") : d, d);  // "cuda:0", as --device writes it
    }
    m_device->setToolTip(tr("Where the model trains: auto takes the first CUDA device when this build of LibTorch\n"
                            "has CUDA and sees one, else the CPU. Thread choice applies to the CPU only"));
    m_knn = new QCheckBox(tr("kNN accuracy each epoch"));
    m_knn->setToolTip(tr("Classify validation codes by their 10 nearest neighbours (needs labels):\n"
                         "how well the latent space keeps the classes apart"));

    m_advanced = CollapsibleSection::withForm(tr("Advanced"), this);
    m_advancedForm = m_advanced->form();
    m_advancedForm->addRow(tr("Weight decay:"), m_weightDecay);
    m_advancedForm->addRow(tr("Momentum:"), m_momentum);
    m_advancedForm->addRow(tr("Seed:"), m_seed);
    m_advancedForm->addRow(tr("Threads:"), m_threads);
    m_advancedForm->addRow(tr("Device:"), m_device);
    m_advancedForm->addRow(QString(), m_knn);
    m_augment = new QCheckBox(tr("Augment training images"));
    m_augment->setToolTip(tr("Random flips, shifts of up to 10% and brightness/contrast jitter of every training\n"
                             "batch (never the validation images): helps small datasets"));
    m_advancedForm->addRow(QString(), m_augment);
    m_augmentPreview = new QLabel;
    m_augmentPreview->setToolTip(tr("Above: images of the dataset. Below: the same images as a training batch\n"
                                    "with augmentation sees them (one draw; every batch draws anew)"));
    m_advancedForm->addRow(tr("Preview:"), m_augmentPreview);
    m_advancedForm->setRowVisible(m_augmentPreview, false);
    connect(m_augment, &QCheckBox::toggled, this, [this](bool on) {
        m_advancedForm->setRowVisible(m_augmentPreview, on && !m_augmentPreview->pixmap().isNull());
    });

    auto *form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("Epochs:"), m_epochs);
    form->addRow(QString(), m_earlyStopping);
    form->addRow(tr("Batch size:"), m_batch);
    form->addRow(tr("Learning rate:"), m_learningRate);
    form->addRow(tr("Optimizer:"), m_optimizer);
    form->addRow(tr("Loss:"), m_loss);
    form->addRow(tr("Schedule:"), m_schedule);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addWidget(m_advanced);

    connect(m_optimizer, &QComboBox::currentIndexChanged, this, &TrainForm::updateOptimizerRows);
    connect(m_earlyStopping, &QCheckBox::toggled, this, &TrainForm::updateAutomaticTexts);
    setOptions(aes::TrainOptions());
    setAutomatic(aes::AutoOptions());
}

void TrainForm::setAutomatic(const aes::AutoOptions &which)
{
    if (which.epochs)
        m_epochs->setValue(0);
    if (which.batchSize)
        m_batch->setValue(0);
    if (which.schedule)
        selectByData(m_schedule, kAutoSchedule);
    updateAutomaticTexts();
}

void TrainForm::setAugmentPreview(const QVector<QImage> &originals, const QVector<QImage> &augmented)
{
    constexpr int kSide = 40, kGap = 3;
    const int n = int(std::min(originals.size(), augmented.size()));
    if (n == 0) {
        m_augmentPreview->clear();
        m_advancedForm->setRowVisible(m_augmentPreview, false);
        return;
    }
    const qreal dpr = devicePixelRatioF();
    QPixmap strip(QSize(n * (kSide + kGap) - kGap, 2 * kSide + kGap) * dpr);
    strip.setDevicePixelRatio(dpr);
    strip.fill(Qt::transparent);
    QPainter painter(&strip);
    for (int i = 0; i < n; ++i) {
        int row = 0;
        for (const QImage &image : {originals[i], augmented[i]}) {
            const QImage scaled = crispScaled(image, int(kSide * dpr));
            const QRectF cell(i * (kSide + kGap), row * (kSide + kGap), kSide, kSide);
            const QSizeF size = QSizeF(scaled.size()) / dpr;
            painter.drawImage(QRectF(cell.center() - QPointF(size.width(), size.height()) / 2, size), scaled);
            ++row;
        }
    }
    painter.end();
    m_augmentPreview->setPixmap(strip);
    m_advancedForm->setRowVisible(m_augmentPreview, m_augment->isChecked());
}

aes::AutoOptions TrainForm::automatic() const
{
    aes::AutoOptions a = aes::AutoOptions::none();
    a.epochs = m_epochs->value() == 0;
    a.batchSize = m_batch->value() == 0;
    a.schedule = m_schedule->currentData().toInt() == kAutoSchedule;
    return a;
}

void TrainForm::setDataShape(const aes::DataShape &shape)
{
    m_shape = shape;
    updateAutomaticTexts();
}

aes::TrainOptions TrainForm::automaticValues() const
{
    aes::TrainOptions o;
    o.earlyStopping = m_earlyStopping->isChecked();
    if (o.earlyStopping)
        o.epochs = aes::kAutoEpochCap;
    if (m_shape) {
        aes::ModelOptions unused;
        aes::applyDataDefaults(*m_shape, aes::AutoOptions(), &unused, &o);
    }
    return o;
}

void TrainForm::updateAutomaticTexts()
{
    const aes::TrainOptions a = automaticValues();
    const QString source = m_shape ? tr("chosen for %1 training images").arg(m_shape->trainImages)
                                   : tr("the engine's defaults until data is open");
    m_epochs->setSpecialValueText(tr("auto (%1)").arg(a.epochs));
    m_batch->setSpecialValueText(tr("auto (%1)").arg(a.batchSize));
    m_schedule->setItemText(m_schedule->findData(kAutoSchedule),
                            tr("auto (%1)").arg(aes::toString(a.schedule)));
    m_batch->setToolTip(tr("Images per optimisation step.\nauto: 16 below 10,000 training images, else 32 (%1)")
                            .arg(source));
    m_epochs->setToolTip(tr("Passes over the training images.\n"
                            "Continue trains a kept model until it has this many epochs;\n"
                            "when it has them already, this many more.\n"
                            "auto: enough to show the model 20,000 images, 10 to 30 (%1);\n"
                            "with early stopping, up to %2").arg(source).arg(aes::kAutoEpochCap));
}

void TrainForm::updateOptimizerRows()
{
    m_advancedForm->setRowVisible(m_momentum, aes::OptimizerKind(m_optimizer->currentData().toInt())
                                                  == aes::OptimizerKind::Sgd);
}

aes::TrainOptions TrainForm::options() const
{
    aes::TrainOptions o;
    const aes::TrainOptions automatic = automaticValues();
    o.epochs = m_epochs->value() > 0 ? m_epochs->value() : automatic.epochs;
    o.batchSize = m_batch->value() > 0 ? m_batch->value() : automatic.batchSize;
    o.learningRate = m_learningRate->value();
    o.optimizer = aes::OptimizerKind(m_optimizer->currentData().toInt());
    o.loss = aes::LossKind(m_loss->currentData().toInt());
    o.weightDecay = m_weightDecay->value();
    o.momentum = m_momentum->value();
    o.seed = quint64(m_seed->value());
    o.threads = m_threads->value();
    o.device = m_device->currentData().toString();
    o.knn = m_knn->isChecked();
    o.schedule = m_schedule->currentData().toInt() == kAutoSchedule
        ? automatic.schedule : aes::ScheduleKind(m_schedule->currentData().toInt());
    o.earlyStopping = m_earlyStopping->isChecked();
    o.augment = m_augment->isChecked();
    return o;
}

void TrainForm::setOptions(const aes::TrainOptions &o)
{
    m_epochs->setValue(o.epochs);
    m_batch->setValue(o.batchSize);
    setLearningRate(o.learningRate);
    selectByData(m_optimizer, int(o.optimizer));
    selectByData(m_loss, int(o.loss));
    m_weightDecay->setValue(o.weightDecay);
    m_momentum->setValue(o.momentum);
    m_seed->setValue(int(std::min<quint64>(o.seed, quint64(m_seed->maximum()))));
    m_threads->setValue(std::min(o.threads, m_threads->maximum()));
    // A device this machine lacks (a project from a GPU machine) falls back to auto.
    const int device = m_device->findData(o.device);
    m_device->setCurrentIndex(device >= 0 ? device : 0);
    m_knn->setChecked(o.knn);
    selectByData(m_schedule, int(o.schedule));
    m_earlyStopping->setChecked(o.earlyStopping);
    m_augment->setChecked(o.augment);
    updateOptimizerRows();
}

void TrainForm::setEditable(bool locked, bool running)
{
    m_running = running;
    const bool free = !locked && !running;
    for (QWidget *w : {static_cast<QWidget *>(m_batch), static_cast<QWidget *>(m_optimizer),
                       static_cast<QWidget *>(m_loss), static_cast<QWidget *>(m_weightDecay),
                       static_cast<QWidget *>(m_momentum), static_cast<QWidget *>(m_seed),
                       static_cast<QWidget *>(m_threads), static_cast<QWidget *>(m_device),
                       static_cast<QWidget *>(m_knn),
                       static_cast<QWidget *>(m_schedule), static_cast<QWidget *>(m_earlyStopping),
                       static_cast<QWidget *>(m_augment)})
        w->setEnabled(free);
    m_epochs->setEnabled(!running);
}

void TrainForm::setLearningRate(double lr)
{
    m_learningRate->setValue(lr);
}

double TrainForm::learningRate() const
{
    return m_learningRate->value();
}

int TrainForm::epochs() const
{
    return options().epochs;
}

void TrainForm::setEpochs(int epochs)
{
    m_epochs->setValue(epochs);
}
