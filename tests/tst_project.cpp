// Project files: round trip, relative paths, and every way a file can be wrong or a save
// can fail (missing keys, wrong types, not JSON, truncated, a full disk, an unwritable place).

#include "project/project.h"
#include "testutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace aes;

class TestProject : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void roundTripKeepsEverything();
    void pathsFollowTheProjectWhenMoved();
    void badFilesAreRefusedWithTheKey_data();
    void badFilesAreRefusedWithTheKey();
    void truncatedAndBitFlippedFilesAreRefused();
    void unwritablePlaceKeepsNothing();
    void fullDiskKeepsThePreviousFile();

private:
    Project sample() const;
    QJsonObject sampleJson() const;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestProject::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

Project TestProject::sample() const
{
    Project p;
    QDir().mkpath(m_dir->filePath(QStringLiteral("data/shirts")));
    p.datasetPath = m_dir->filePath(QStringLiteral("data"));
    p.load.channels = 1;
    p.load.width = 32;
    p.load.height = 24;
    p.load.resize = aes::ResizeMode::Letterbox;
    p.model.kind = ModelKind::Vae;
    p.model.latent = 7;
    p.train.epochs = 13;
    p.train.learningRate = 0.0025;
    p.train.batchSize = 96;
    p.train.seed = 99;
    p.runDir = m_dir->filePath(QStringLiteral("work-run"));
    p.view = QJsonObject{{QStringLiteral("tab"), 3}, {QStringLiteral("projection"), QStringLiteral("pca")}};
    return p;
}

QJsonObject TestProject::sampleJson() const
{
    return projectToJson(sample(), m_dir->path());
}

void TestProject::roundTripKeepsEverything()
{
    const QString path = m_dir->filePath(QStringLiteral("work.aeproj"));
    const Project p = sample();
    QCOMPARE(writeProject(path, p), QString());
    QString error;
    const std::optional<Project> q = readProject(path, &error);
    QVERIFY2(q, qPrintable(error));
    QCOMPARE(q->datasetPath, p.datasetPath);
    QCOMPARE(q->load.channels, 1);
    QCOMPARE(q->load.width, 32);
    QCOMPARE(q->load.height, 24);
    QVERIFY(q->load.resize == aes::ResizeMode::Letterbox);
    QCOMPARE(q->model.toJson(), p.model.toJson());
    QCOMPARE(q->train.toJson(), p.train.toJson());
    QCOMPARE(q->runDir, p.runDir);
    QCOMPARE(q->view, p.view);
    QCOMPARE(defaultRunDirFor(path), m_dir->filePath(QStringLiteral("work-run")));
}

void TestProject::pathsFollowTheProjectWhenMoved()
{
    // The whole folder (project, data, run) moves: the relative paths still find them.
    const QString path = m_dir->filePath(QStringLiteral("work.aeproj"));
    QCOMPARE(writeProject(path, sample()), QString());
    QDir().mkpath(m_dir->filePath(QStringLiteral("work-run")));
    const QString moved = m_dir->path() + QStringLiteral("-moved");
    QVERIFY(QDir().rename(m_dir->path(), moved));
    QString error;
    const std::optional<Project> q = readProject(moved + QStringLiteral("/work.aeproj"), &error);
    QDir(moved).removeRecursively();
    QVERIFY2(q, qPrintable(error));
    QCOMPARE(q->datasetPath, moved + QStringLiteral("/data"));
    QCOMPARE(q->runDir, moved + QStringLiteral("/work-run"));
}

void TestProject::badFilesAreRefusedWithTheKey_data()
{
    QTest::addColumn<QString>("key");      // dotted path of the value to change
    QTest::addColumn<QJsonValue>("value"); // undefined = remove the key
    QTest::addColumn<QString>("expected");
    QTest::newRow("format missing") << "format" << QJsonValue(QJsonValue::Undefined) << "not an Autoencoder Studio project";
    QTest::newRow("other format") << "format" << QJsonValue(QStringLiteral("x")) << "not an Autoencoder Studio project";
    QTest::newRow("newer version") << "version" << QJsonValue(99) << "newer version";
    QTest::newRow("version as text") << "version" << QJsonValue(QStringLiteral("1")) << "\"version\"";
    QTest::newRow("no dataset") << "dataset" << QJsonValue(QJsonValue::Undefined) << "\"dataset\" is missing";
    QTest::newRow("dataset as array") << "dataset" << QJsonValue(QJsonArray{1}) << "\"dataset\" is not an object";
    QTest::newRow("path as number") << "dataset.path" << QJsonValue(3) << "\"dataset.path\" is not a string";
    QTest::newRow("channels 2") << "dataset.channels" << QJsonValue(2) << "\"dataset.channels\"";
    QTest::newRow("width text") << "dataset.width" << QJsonValue(QStringLiteral("wide")) << "\"dataset.width\"";
    QTest::newRow("width fraction") << "dataset.width" << QJsonValue(2.5) << "\"dataset.width\"";
    QTest::newRow("resize odd") << "dataset.resize" << QJsonValue(QStringLiteral("stretch")) << "\"dataset.resize\"";
    QTest::newRow("no model") << "model" << QJsonValue(QJsonValue::Undefined) << "\"model\" is missing";
    QTest::newRow("latent text") << "model.latent" << QJsonValue(QStringLiteral("big")) << "\"model\": ";
    QTest::newRow("latent zero") << "model.latent" << QJsonValue(0) << "\"model\": ";
    QTest::newRow("unknown kind") << "model.kind" << QJsonValue(QStringLiteral("gan")) << "\"model\": ";
    QTest::newRow("training string") << "training" << QJsonValue(QStringLiteral("fast")) << "\"training\" is not an object";
    QTest::newRow("lr text") << "training.lr" << QJsonValue(QStringLiteral("fast")) << "\"training\": ";
    QTest::newRow("no run") << "run" << QJsonValue(QJsonValue::Undefined) << "\"run\" is missing";
    QTest::newRow("view array") << "view" << QJsonValue(QJsonArray{}) << "\"view\" is not an object";
}

void TestProject::badFilesAreRefusedWithTheKey()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QFETCH(QString, expected);
    QJsonObject json = sampleJson();
    // Check that the key exists in what we write, so that the row tests what it says.
    const QStringList parts = key.split(QLatin1Char('.'));
    if (parts.size() == 1) {
        QVERIFY2(json.contains(key), qPrintable(key));
        if (value.isUndefined())
            json.remove(key);
        else
            json[key] = value;
    } else {
        QJsonObject inner = json.value(parts[0]).toObject();
        QVERIFY2(inner.contains(parts[1]), qPrintable(key));
        inner[parts[1]] = value;
        json[parts[0]] = inner;
    }
    const QString path = m_dir->filePath(QStringLiteral("bad.aeproj"));
    QVERIFY(test::writeFile(path, QJsonDocument(json).toJson()));
    QString error;
    QVERIFY(!readProject(path, &error));
    QVERIFY2(error.startsWith(path), qPrintable(error));
    QVERIFY2(error.contains(expected), qPrintable(error));
}

void TestProject::truncatedAndBitFlippedFilesAreRefused()
{
    const QString good = m_dir->filePath(QStringLiteral("good.aeproj"));
    QCOMPARE(writeProject(good, sample()), QString());
    QFile f(good);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    f.close();
    const QString bad = m_dir->filePath(QStringLiteral("bad.aeproj"));
    QString error;
    // Every truncation: refused with a message (never a crash, never a half-read project).
    for (int cut = 0; cut < bytes.size() - 2; cut += 7) {
        QVERIFY(test::writeFile(bad, bytes.left(cut)));
        error.clear();
        QVERIFY2(!readProject(bad, &error), qPrintable(QString::number(cut)));
        QVERIFY(error.startsWith(bad));
    }
    // Bit flips: either refused with a message or still a complete, valid project.
    int refused = 0;
    for (int at = 0; at < bytes.size(); at += 5) {
        QByteArray flipped = bytes;
        flipped[at] = char(flipped[at] ^ (1 << (at % 8)));
        QVERIFY(test::writeFile(bad, flipped));
        error.clear();
        if (!readProject(bad, &error)) {
            ++refused;
            QVERIFY(!error.isEmpty());
        }
    }
    QVERIFY(refused > 0);
    QVERIFY(!readProject(m_dir->filePath(QStringLiteral("missing.aeproj")), &error));
    QVERIFY(error.contains(QStringLiteral("missing.aeproj")));
    QVERIFY(!readProject(m_dir->path(), &error));  // a folder
}

void TestProject::unwritablePlaceKeepsNothing()
{
    // A path below a regular file cannot be created, whoever runs the test (root included).
    const QString blocker = m_dir->filePath(QStringLiteral("file"));
    QVERIFY(test::writeFile(blocker, "x"));
    const QStringList before = test::filesUnder(m_dir->path());
    const QString path = blocker + QStringLiteral("/work.aeproj");
    const QString error = writeProject(path, sample());
    QVERIFY2(error.contains(path), qPrintable(error));
    QCOMPARE(test::filesUnder(m_dir->path()), before);
}

void TestProject::fullDiskKeepsThePreviousFile()
{
    const QString path = m_dir->filePath(QStringLiteral("work.aeproj"));
    Project first = sample();
    QCOMPARE(writeProject(path, first), QString());
    const QStringList before = test::filesUnder(m_dir->path());
    Project second = first;
    second.model.latent = 31;
    second.view.insert(QStringLiteral("padding"), QString(4096, QLatin1Char('x')));
    QString error;
    {
        test::FileSizeLimit full(512);
        error = writeProject(path, second);
    }
    QVERIFY2(error.contains(path), qPrintable(error));
    QCOMPARE(test::filesUnder(m_dir->path()), before);
    QString readError;
    const std::optional<Project> kept = readProject(path, &readError);
    QVERIFY2(kept, qPrintable(readError));
    QCOMPARE(kept->model.latent, 7);
}

QTEST_GUILESS_MAIN(TestProject)
#include "tst_project.moc"
