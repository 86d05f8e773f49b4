// The model and training form: every engine option survives a round trip through the
// form, kind-specific options show only for their kind, what cannot change is locked, and the
// options left automatic follow the data that is open.

#include "collapsiblesection.h"
#include "modelform.h"
#include "trainform.h"
#include "trainingpanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

using aes::TrainingController;

class TestTrainingPanel final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyOptionRoundTrips_data();
    void everyOptionRoundTrips();
    void kindOptionsShowOnlyForTheirKind();
    void lockedWhileTrainingAndForAKeptModel();
    void learningRateStepsAndEmitsOnlyWhileRunning();
    void automaticOptionsFollowTheData();
    void augmentPreviewShowsWhileTicked();
};

void TestTrainingPanel::everyOptionRoundTrips_data()
{
    QTest::addColumn<int>("variant");
    QTest::newRow("defaults") << 0;
    QTest::newRow("everything changed") << 1;
}

void TestTrainingPanel::everyOptionRoundTrips()
{
    QFETCH(int, variant);
    aes::ModelOptions model;
    aes::TrainOptions train;
    if (variant == 1) {
        model.kind = aes::ModelKind::Vae;
        model.latent = 9;
        model.widths = {48, 96, 128};
        model.activation = aes::Activation::GELU;
        model.dropout = 0.35;
        model.batchNorm = false;
        model.noise = aes::NoiseKind::SaltPepper;
        model.noiseLevel = 0.15;
        model.beta = 2.5;
        model.sparsity = 0.02;
        train.loss = aes::LossKind::Bce;
        train.optimizer = aes::OptimizerKind::AdamW;
        train.learningRate = 3e-4;
        train.batchSize = 100;
        train.epochs = 17;
        train.weightDecay = 1e-4;
        train.momentum = 0.8;
        train.seed = 12345;
        train.threads = 1;
        train.device = QStringLiteral("cpu");
        train.knn = false;
    }
    TrainingPanel panel;
    panel.setOptions(model, train);
    const aes::ModelOptions m = panel.modelOptions();
    QCOMPARE(m.toJson(), model.toJson());
    const aes::TrainOptions t = panel.trainOptions();
    QCOMPARE(int(t.loss), int(train.loss));
    QCOMPARE(int(t.optimizer), int(train.optimizer));
    QCOMPARE(t.learningRate, train.learningRate);
    QCOMPARE(t.batchSize, train.batchSize);
    QCOMPARE(t.epochs, train.epochs);
    QCOMPARE(t.weightDecay, train.weightDecay);
    QCOMPARE(t.momentum, train.momentum);
    QCOMPARE(t.seed, train.seed);
    QCOMPARE(t.threads, train.threads);
    QCOMPARE(t.device, train.device);
    QCOMPARE(t.knn, train.knn);
    QVERIFY(panel.problem().isEmpty());
}

void TestTrainingPanel::kindOptionsShowOnlyForTheirKind()
{
    TrainingPanel panel;
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    const auto visibleLabels = [&panel] {
        QStringList labels;
        for (QLabel *label : panel.modelForm()->findChildren<QLabel *>())
            if (label->isVisible())
                labels << label->text();
        return labels;
    };
    aes::ModelOptions model;
    model.kind = aes::ModelKind::Denoising;
    panel.setOptions(model, {});
    QVERIFY(visibleLabels().contains(QStringLiteral("Noise:")));
    QVERIFY(!visibleLabels().contains(QStringLiteral("Beta (KL weight):")));
    model.kind = aes::ModelKind::Vae;
    panel.setOptions(model, {});
    QVERIFY(visibleLabels().contains(QStringLiteral("Beta (KL weight):")));
    QVERIFY(!visibleLabels().contains(QStringLiteral("Noise:")));
    model.kind = aes::ModelKind::Sparse;
    panel.setOptions(model, {});
    QVERIFY(visibleLabels().contains(QStringLiteral("Sparsity weight:")));
    model.kind = aes::ModelKind::Conv;
    panel.setOptions(model, {});
    QVERIFY(!visibleLabels().contains(QStringLiteral("Sparsity weight:")));
    QVERIFY(!visibleLabels().contains(QStringLiteral("Noise:")));
}

void TestTrainingPanel::lockedWhileTrainingAndForAKeptModel()
{
    TrainingPanel panel;
    panel.setState(TrainingController::State::Idle, false, false);
    QVERIFY(!panel.startButton()->isEnabled());  // no dataset
    panel.setState(TrainingController::State::Idle, true, false);
    QVERIFY(panel.startButton()->isEnabled());
    QVERIFY(panel.modelForm()->isEnabled());
    QVERIFY(!panel.newModelButton()->isEnabled());

    panel.setState(TrainingController::State::Training, true, true);
    QVERIFY(!panel.startButton()->isEnabled());
    QVERIFY(panel.pauseButton()->isEnabled());
    QVERIFY(panel.stopButton()->isEnabled());
    QVERIFY(!panel.modelForm()->isEnabled());
    auto *lr = panel.trainForm()->findChild<QDoubleSpinBox *>();
    QVERIFY(lr->isEnabled());  // the one option that changes mid-run
    auto spins = panel.trainForm()->findChildren<QSpinBox *>();
    for (QSpinBox *spin : spins)
        QVERIFY(!spin->isEnabled());
    // The device combo: auto first, then what LibTorch sees (the CPU at least); fixed while training.
    auto *device = panel.trainForm()->findChild<QComboBox *>(QStringLiteral("device"));
    QVERIFY(device);
    QCOMPARE(device->itemData(0).toString(), QStringLiteral("auto"));
    QVERIFY(device->findData(QStringLiteral("cpu")) > 0);
    QVERIFY(!device->isEnabled());

    panel.setState(TrainingController::State::Paused, true, true);
    QCOMPARE(panel.pauseButton()->text(), QStringLiteral("Resume"));

    panel.setState(TrainingController::State::Idle, true, true);
    QCOMPARE(panel.startButton()->text(), QStringLiteral("Continue"));
    QVERIFY(panel.newModelButton()->isEnabled());
    QVERIFY(!panel.modelForm()->isEnabled());
    QVERIFY(spins.first()->isEnabled());  // epochs: how far to continue
}

void TestTrainingPanel::learningRateStepsAndEmitsOnlyWhileRunning()
{
    TrainingPanel panel;
    QSignalSpy edited(&panel, &TrainingPanel::learningRateEdited);
    auto *lr = panel.trainForm()->findChild<QDoubleSpinBox *>();
    lr->setValue(2e-3);
    lr->stepBy(1);
    QCOMPARE(lr->value(), 5e-3);
    lr->stepBy(-2);
    QCOMPARE(lr->value(), 1e-3);
    QCOMPARE(lr->text(), QStringLiteral("0.001"));
    QCOMPARE(edited.count(), 0);  // idle: a form value, not a live change
    panel.setState(TrainingController::State::Training, true, true);
    lr->setValue(1e-4);
    QCOMPARE(edited.count(), 1);
    QCOMPARE(edited.first().first().toDouble(), 1e-4);
}

void TestTrainingPanel::automaticOptionsFollowTheData()
{
    TrainingPanel panel;
    auto *latent = panel.findChild<QSpinBox *>();  // the first spin box of the model form
    QVERIFY(latent);
    aes::AutoOptions a = panel.automatic();
    QVERIFY(a.latent && a.widths && a.batchSize && a.epochs && a.schedule);
    // Before any data: the engine's defaults.
    QCOMPARE(panel.modelOptions().latent, aes::ModelOptions().latent);
    QCOMPARE(panel.trainOptions().batchSize, aes::TrainOptions().batchSize);

    // 48x48 RGB icons, 897 for training: the rule's choices, shown in the fields.
    panel.setDataShape({3, 48, 48, 897});
    QCOMPARE(panel.modelOptions().latent, 64);
    QCOMPARE(panel.modelOptions().widths, (QVector<int>{8, 16}));
    QCOMPARE(panel.trainOptions().batchSize, 16);
    QCOMPARE(panel.trainOptions().epochs, 23);
    QCOMPARE(aes::toString(panel.trainOptions().schedule), QStringLiteral("cosine"));
    QCOMPARE(latent->text(), QStringLiteral("auto (64)"));

    // A value the user types wins, and stays when other data opens; the rest follow.
    latent->setValue(12);
    panel.setDataShape({1, 28, 28, 63000});
    QCOMPARE(panel.modelOptions().latent, 12);
    QCOMPARE(panel.trainOptions().batchSize, 32);
    QCOMPARE(panel.trainOptions().epochs, 10);
    a = panel.automatic();
    QVERIFY(!a.latent && a.widths && a.batchSize);

    // A project's options are explicit; setAutomatic gives the fields back to the data.
    aes::ModelOptions model;
    model.latent = 7;
    aes::TrainOptions train;
    train.batchSize = 5;
    panel.setOptions(model, train);
    QCOMPARE(panel.modelOptions().latent, 7);
    QCOMPARE(panel.trainOptions().batchSize, 5);
    QVERIFY(!panel.automatic().batchSize);
    panel.setAutomatic(aes::AutoOptions());
    QCOMPARE(panel.modelOptions().latent, 16);
    QCOMPARE(panel.trainOptions().batchSize, 32);

    // Early stopping: the cap and the plateau rule.
    QCheckBox *stop = nullptr;
    for (QCheckBox *box : panel.findChildren<QCheckBox *>())
        if (box->text().contains(QStringLiteral("improving")))
            stop = box;
    QVERIFY(stop);
    stop->setChecked(true);
    QCOMPARE(panel.trainOptions().epochs, aes::kAutoEpochCap);
    QCOMPARE(aes::toString(panel.trainOptions().schedule), QStringLiteral("plateau"));
}

void TestTrainingPanel::augmentPreviewShowsWhileTicked()
{
    TrainForm form;
    form.show();
    form.advancedSection()->setExpanded(true);
    QCheckBox *augment = nullptr;
    for (QCheckBox *box : form.findChildren<QCheckBox *>())
        if (box->text().startsWith(QStringLiteral("Augment")))
            augment = box;
    QVERIFY(augment);
    QLabel *preview = nullptr;
    for (QLabel *label : form.findChildren<QLabel *>())
        if (label->toolTip().contains(QStringLiteral("augmentation sees them")))
            preview = label;
    QVERIFY(preview);
    QImage a(8, 8, QImage::Format_Grayscale8), b(8, 8, QImage::Format_Grayscale8);
    a.fill(30);
    b.fill(220);
    form.setAugmentPreview({a, a, a}, {b, b, b});
    QVERIFY(!preview->isVisible());  // not ticked
    augment->setChecked(true);
    QVERIFY(preview->isVisible());
    const QImage strip = preview->pixmap().toImage();
    QCOMPARE(strip.height(), int(std::lround((2 * 40 + 3) * preview->devicePixelRatioF())));
    // Originals above (dark), augmented below (light).
    QCOMPARE(qGray(strip.pixel(strip.width() / 6, strip.height() / 4)), 30);
    QCOMPARE(qGray(strip.pixel(strip.width() / 6, 3 * strip.height() / 4)), 220);
    augment->setChecked(false);
    QVERIFY(!preview->isVisible());
}

QTEST_MAIN(TestTrainingPanel)
#include "tst_trainingpanel.moc"
