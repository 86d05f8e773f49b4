// Augmentation of training batches: repeatable for a seed, different for another, within
// [0, 1], really flipping and shifting, and never touching validation.

#include "testdata.h"
#include "training/augment.h"
#include "training/trainer.h"
#include "training/trainingcontrol.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <QTest>

using namespace aes;

class TestAugment final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameSeedSameBatch();
    void staysInRangeAndKeepsTheShape();
    void flipsAndShiftsImages();
    void validationIsNeverAugmented();
};

namespace {
torch::Tensor batch()
{
    torch::manual_seed(3);
    return torch::rand({32, 3, 12, 10});
}
} // namespace

void TestAugment::sameSeedSameBatch()
{
    const torch::Tensor x = batch();
    at::Generator a = at::make_generator<at::CPUGeneratorImpl>(7);
    at::Generator b = at::make_generator<at::CPUGeneratorImpl>(7);
    at::Generator c = at::make_generator<at::CPUGeneratorImpl>(8);
    const torch::Tensor ya = augmentBatch(x, a), yb = augmentBatch(x, b), yc = augmentBatch(x, c);
    QVERIFY(torch::equal(ya, yb));
    QVERIFY(!torch::equal(ya, yc));
    QVERIFY(!torch::equal(ya, augmentBatch(x, a)));  // the next batch draws anew
}

void TestAugment::staysInRangeAndKeepsTheShape()
{
    const torch::Tensor x = batch();
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(1);
    const torch::Tensor y = augmentBatch(x, g);
    QCOMPARE(y.sizes(), x.sizes());
    QVERIFY(y.min().item<float>() >= 0.0f && y.max().item<float>() <= 1.0f);
    QVERIFY(!torch::equal(x, y));
}

void TestAugment::flipsAndShiftsImages()
{
    // An image that is bright in its left column only: after augmentation the bright column
    // sits on the right for flipped images, and one or two columns in for shifted ones.
    torch::Tensor x = torch::zeros({200, 1, 20, 20});
    x.select(3, 0).fill_(1.0);
    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(5);
    const torch::Tensor y = augmentBatch(x, g);
    const torch::Tensor columns = y.mean({1, 2});  // N x W
    const torch::Tensor brightest = columns.argmax(1);
    int right = 0, moved = 0;
    for (int64_t i = 0; i < 200; ++i) {
        const int64_t column = brightest[i].item<int64_t>();
        right += column >= 10;
        moved += column != 0 && column != 19;
    }
    QVERIFY2(right > 60 && right < 140, qPrintable(QString::number(right)));  // about half flipped
    QVERIFY2(moved > 20, qPrintable(QString::number(moved)));                 // some shifted inwards
}

void TestAugment::validationIsNeverAugmented()
{
    const Dataset data = test::makePatternDataset(64, 1, 8, 8);
    const Split split = splitIndices(data.size(), 0.25, 1);
    TrainOptions plain;
    plain.epochs = 1;
    plain.batchSize = 8;
    TrainOptions augmented = plain;
    augmented.augment = true;
    QString error;
    auto a = Trainer::create(data, split, ModelOptions{}, plain, &error);
    auto b = Trainer::create(data, split, ModelOptions{}, augmented, &error);
    QVERIFY2(a && b, qPrintable(error));
    // The same initial weights give the same validation figures: validation sees the images as they are.
    const EpochReport ea = a->evaluate(), eb = b->evaluate();
    QCOMPARE(ea.valLoss, eb.valLoss);
    QCOMPARE(ea.valSsim, eb.valSsim);
    // Training does see other images.
    TrainingControl control;
    a->run(control);
    b->run(control);
    QVERIFY(a->history().first().trainLoss != b->history().first().trainLoss);
}

QTEST_GUILESS_MAIN(TestAugment)
#include "tst_augment.moc"
