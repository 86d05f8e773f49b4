// Projector and image export: the files parse as TensorBoard reads them (vectors and
// metadata rows per image, a sprite of the right tiling and size, a config naming
// them); a large dataset's sprite stays within 8192 px; an unwritable destination is
// named and leaves no partial file; reconstruction grids have inputs above outputs.

#include "export/projectorexport.h"

#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>

#include <QTemporaryDir>
#include <QTest>

using namespace aes;

namespace {

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// n images of c x h x w; image i is filled with the value 10 * (i + 1).
ProjectorData makeData(int n, int c, int h, int w)
{
    ProjectorData d;
    d.images = (torch::arange(1, n + 1, torch::kInt32).mul(10).clamp_max(250).view({n, 1, 1, 1})
                    .expand({n, c, h, w})).to(torch::kUInt8).contiguous();
    d.codes = torch::arange(n * 3, torch::kFloat32).view({n, 3}) / 4.0;
    for (int i = 0; i < n; ++i) {
        d.labels << (i % 2 ? QStringLiteral("odd") : QStringLiteral("even"));
        d.files << QStringLiteral("/data/img\t%1.png").arg(i);  // a tab must not split the row
    }
    return d;
}

} // namespace

class TestProjectorExport final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void filesParseAndTheSpriteIsTiled_data();
    void filesParseAndTheSpriteIsTiled();
    void largeDatasetsScaleTheSpriteDown();
    void clusterAndAnomalyScoreColumns();
    void unwritableDestinationLeavesNoPartialFile();
    void reconstructionGridHasInputsAboveOutputs();
};

void TestProjectorExport::filesParseAndTheSpriteIsTiled_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<int>("channels");
    QTest::addColumn<int>("height");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("columns");
    QTest::newRow("10 gray 25x25") << 10 << 1 << 25 << 25 << 4;
    QTest::newRow("9 rgb 20x31") << 9 << 3 << 20 << 31 << 3;
    QTest::newRow("1 gray 8x8") << 1 << 1 << 8 << 8 << 1;
}

void TestProjectorExport::filesParseAndTheSpriteIsTiled()
{
    QFETCH(int, count);
    QFETCH(int, channels);
    QFETCH(int, height);
    QFETCH(int, width);
    QFETCH(int, columns);
    QTemporaryDir tmp;
    const QDir dir(tmp.filePath(QStringLiteral("projector")));
    const ProjectorData data = makeData(count, channels, height, width);
    const QString error = exportProjector(dir.path(), data);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    const QList<QByteArray> vectors = readAll(dir.filePath(QLatin1String(kProjectorVectors))).split('\n');
    QCOMPARE(vectors.size(), count + 1);  // the last line ends with a newline
    QCOMPARE(vectors.last(), QByteArray());
    for (int i = 0; i < count; ++i) {
        const QList<QByteArray> fields = vectors[i].split('\t');
        QCOMPARE(fields.size(), 3);
        for (int j = 0; j < 3; ++j)
            QCOMPARE(fields[j].toDouble(), (i * 3 + j) / 4.0);
    }
    const QList<QByteArray> metadata = readAll(dir.filePath(QLatin1String(kProjectorMetadata))).split('\n');
    QCOMPARE(metadata.size(), count + 2);  // header, rows, final newline
    QCOMPARE(metadata.first(), QByteArray("label\tfile"));
    for (int i = 0; i < count; ++i) {
        const QList<QByteArray> fields = metadata[i + 1].split('\t');
        QCOMPARE(fields.size(), 2);
        QCOMPARE(fields[0], QByteArray(i % 2 ? "odd" : "even"));
        QCOMPARE(fields[1], QStringLiteral("/data/img %1.png").arg(i).toUtf8());
    }

    const cv::Mat sprite = cv::imread(dir.filePath(QLatin1String(kProjectorSprite)).toStdString(), cv::IMREAD_UNCHANGED);
    QVERIFY(!sprite.empty());
    QCOMPARE(sprite.channels(), channels);
    QCOMPARE(sprite.cols, columns * width);
    QCOMPARE(sprite.rows, columns * height);
    // Row-major tiling: the centre of cell i holds image i's value; unused cells are white.
    for (int cell = 0; cell < columns * columns; ++cell) {
        const int y = cell / columns * height + height / 2, x = cell % columns * width + width / 2;
        const int value = channels == 1 ? sprite.at<uchar>(y, x) : sprite.at<cv::Vec3b>(y, x)[0];
        QCOMPARE(value, cell < count ? std::min(250, 10 * (cell + 1)) : 255);
    }

    const QString config = QString::fromUtf8(readAll(dir.filePath(QLatin1String(kProjectorConfig))));
    QVERIFY(config.contains(QStringLiteral("tensor_path: \"vectors.tsv\"")));
    QVERIFY(config.contains(QStringLiteral("metadata_path: \"metadata.tsv\"")));
    QVERIFY(config.contains(QStringLiteral("image_path: \"sprite.png\"")));
    QVERIFY(config.contains(QStringLiteral("single_image_dim: %1\n    single_image_dim: %2").arg(width).arg(height)));
    QCOMPARE(config.count(QLatin1Char('{')), config.count(QLatin1Char('}')));
    // Nothing else in the folder (no temporary files left).
    QCOMPARE(dir.entryList(QDir::Files | QDir::NoDotAndDotDot).size(), 4);
}

void TestProjectorExport::clusterAndAnomalyScoreColumns()
{
    QTemporaryDir dir;
    aes::ProjectorData data = makeData(4, 1, 8, 8);
    data.clusters = {2, 0, 1, 0};
    data.anomalyScores = {0.5, 0.25, 0.125, 1.0};
    QCOMPARE(exportProjector(dir.path(), data), QString());
    const QList<QByteArray> metadata = readAll(dir.filePath(QLatin1String(kProjectorMetadata))).split('\n');
    QCOMPARE(metadata.first(), QByteArray("label\tfile\tcluster\tanomaly_score"));
    QCOMPARE(metadata[1].split('\t').mid(2), (QList<QByteArray>{"3", "0.5"}));
    QCOMPARE(metadata[4].split('\t').mid(2), (QList<QByteArray>{"1", "1"}));
    // Only the scores: no cluster column.
    data.clusters.clear();
    QCOMPARE(exportProjector(dir.path(), data), QString());
    QCOMPARE(readAll(dir.filePath(QLatin1String(kProjectorMetadata))).split('\n').first(), QByteArray("label\tfile\tanomaly_score"));
}

void TestProjectorExport::largeDatasetsScaleTheSpriteDown()
{
    // 70 000 images of 28 x 28 (MNIST): 265 columns of 28 px would be 7420 px: fits.
    SpriteLayout mnist = spriteLayout(70000, 28, 28);
    QCOMPARE(mnist.columns, 265);
    QCOMPARE(mnist.thumbWidth, 28);
    // 10 000 images of 100 x 100: 100 columns, scaled to 81 px (8100 <= 8192).
    SpriteLayout large = spriteLayout(10000, 100, 100);
    QCOMPARE(large.columns, 100);
    QCOMPARE(large.thumbWidth, 81);
    QCOMPARE(large.thumbHeight, 81);
    // The aspect is kept: 10 000 of 200 x 100 scale by the wider side.
    SpriteLayout wide = spriteLayout(10000, 200, 100);
    QCOMPARE(wide.thumbWidth, 81);
    QCOMPARE(wide.thumbHeight, 40);

    // Written for real: 17 images of 2000 x 2000 in 5 columns would be 10 000 px a side.
    QTemporaryDir tmp;
    const ProjectorData data = makeData(17, 1, 2000, 2000);
    QCOMPARE(exportProjector(tmp.path(), data), QString());
    const cv::Mat sprite = cv::imread(QDir(tmp.path()).filePath(QLatin1String(kProjectorSprite)).toStdString(),
                                      cv::IMREAD_UNCHANGED);
    QCOMPARE(sprite.cols, 5 * 1638);
    QCOMPARE(sprite.rows, 5 * 1638);
    QVERIFY(sprite.cols <= kMaxSpriteSide);
    QVERIFY(QString::fromUtf8(readAll(QDir(tmp.path()).filePath(QLatin1String(kProjectorConfig))))
                .contains(QStringLiteral("single_image_dim: 1638")));
}

void TestProjectorExport::unwritableDestinationLeavesNoPartialFile()
{
    QTemporaryDir tmp;
    const QDir dir(tmp.path());
    // A folder named like the sprite: vectors.tsv and metadata.tsv can be written, the
    // sprite cannot. None of them may appear, and the error names the sprite.
    QVERIFY(dir.mkpath(QLatin1String(kProjectorSprite)));
    const QString error = exportProjector(dir.path(), makeData(5, 1, 8, 8));
    QVERIFY2(error.contains(dir.filePath(QLatin1String(kProjectorSprite))), qPrintable(error));
    QCOMPARE(dir.entryList(QDir::Files | QDir::NoDotAndDotDot), QStringList());

    // A previous export stays intact when a new one fails.
    const QDir previous(dir.filePath(QStringLiteral("previous")));
    QCOMPARE(exportProjector(previous.path(), makeData(5, 1, 8, 8)), QString());
    const QByteArray before = readAll(previous.filePath(QLatin1String(kProjectorVectors)));
    QVERIFY(QFile::remove(previous.filePath(QLatin1String(kProjectorConfig))));
    QVERIFY(previous.mkpath(QLatin1String(kProjectorConfig)));  // the last file cannot be written
    QVERIFY(!exportProjector(previous.path(), makeData(7, 1, 8, 8)).isEmpty());
    QCOMPARE(readAll(previous.filePath(QLatin1String(kProjectorVectors))), before);

    // Below a file: the folder cannot be created, and is named.
    QFile file(dir.filePath(QStringLiteral("file")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    const QString below = dir.filePath(QStringLiteral("file/projector"));
    QVERIFY(exportProjector(below, makeData(3, 1, 8, 8)).contains(below));
}

void TestProjectorExport::reconstructionGridHasInputsAboveOutputs()
{
    QTemporaryDir tmp;
    const int n = 5, h = 6, w = 7;
    const torch::Tensor inputs = torch::full({n, 3, h, w}, 40, torch::kUInt8);
    const torch::Tensor outputs = torch::full({n, 3, h, w}, 200, torch::kUInt8);
    QCOMPARE(exportReconstructionImages(tmp.path(), inputs, outputs, /*columns=*/4), QString());
    const QDir dir(tmp.path());
    const cv::Mat grid = cv::imread(dir.filePath(QLatin1String(kReconstructionGrid)).toStdString(), cv::IMREAD_UNCHANGED);
    // 2 rows of 4 columns, each an input row above an output row, 1 px gaps.
    QCOMPARE(grid.cols, 4 * (w + 1) - 1);
    QCOMPARE(grid.rows, 4 * (h + 1) - 1);
    QCOMPARE(int(grid.at<cv::Vec3b>(0, 0)[0]), 40);
    QCOMPARE(int(grid.at<cv::Vec3b>(h + 1, 0)[0]), 200);
    QCOMPARE(int(grid.at<cv::Vec3b>(2 * (h + 1), 0)[0]), 40);       // image 4, input
    QCOMPARE(int(grid.at<cv::Vec3b>(3 * (h + 1), 0)[0]), 200);
    QCOMPARE(int(grid.at<cv::Vec3b>(2 * (h + 1), w + 1)[0]), 255);  // no image 5: white
    QCOMPARE(dir.entryList({QStringLiteral("*-input.png")}, QDir::Files).size(), n);
    QCOMPARE(dir.entryList({QStringLiteral("*-reconstruction.png")}, QDir::Files).size(), n);
    const cv::Mat first = cv::imread(dir.filePath(QStringLiteral("00000-reconstruction.png")).toStdString());
    QCOMPARE(first.cols, w);
    QCOMPARE(int(first.at<cv::Vec3b>(0, 0)[0]), 200);
}

QTEST_GUILESS_MAIN(TestProjectorExport)
#include "tst_projectorexport.moc"
