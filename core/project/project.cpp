#include "project/project.h"

#include "util/atomicfile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <cmath>

namespace aes {

namespace {

const QString kFormat = QStringLiteral("autoencoder-studio-project");

QString storedPath(const QString &absolute, const QDir &dir)
{
    return absolute.isEmpty() ? QString() : dir.relativeFilePath(absolute);
}

// The relative path when it exists (the project moved with its data), else the absolute one.
QString resolvedPath(const QString &relative, const QString &absolute, const QDir &dir)
{
    if (relative.isEmpty() && absolute.isEmpty())
        return {};
    // Both cleaned ("//x/../y" -> "/y"), so that a project read and written again is the same.
    const QString fromRelative = relative.isEmpty() ? QString() : QDir::cleanPath(dir.absoluteFilePath(relative));
    if (!fromRelative.isEmpty() && (QFileInfo::exists(fromRelative) || absolute.isEmpty()))
        return fromRelative;
    return QDir::cleanPath(dir.absoluteFilePath(absolute));
}

// Reads key of object as the given type; remembers the first problem.
class Keys {
public:
    explicit Keys(QString *error) : m_error(error) {}
    bool ok() const { return m_error->isEmpty(); }

    QJsonObject object(const QJsonObject &in, const QString &key, const QString &where, bool required = true)
    {
        const QJsonValue v = in.value(key);
        if (v.isUndefined() && !required)
            return {};
        if (!v.isObject())
            fail(where + key, v.isUndefined() ? QStringLiteral("is missing") : QStringLiteral("is not an object"));
        return v.toObject();
    }
    QString string(const QJsonObject &in, const QString &key, const QString &where, bool required = true)
    {
        const QJsonValue v = in.value(key);
        if (v.isUndefined() && !required)
            return {};
        if (!v.isString())
            fail(where + key, v.isUndefined() ? QStringLiteral("is missing") : QStringLiteral("is not a string"));
        return v.toString();
    }
    int integer(const QJsonObject &in, const QString &key, const QString &where, int min, int max)
    {
        const QJsonValue v = in.value(key);
        if (v.isUndefined())
            return 0;
        const double d = v.toDouble(-1e300);
        // Range first: converting a huge double to an integer is undefined (found by fuzz_json).
        if (!v.isDouble() || !(d >= min && d <= max) || d != std::floor(d)) {
            fail(where + key, QStringLiteral("must be a whole number from %1 to %2").arg(min).arg(max));
            return 0;
        }
        return int(d);
    }
    void fail(const QString &key, const QString &what)
    {
        if (m_error->isEmpty())
            *m_error = QStringLiteral("\"%1\" %2").arg(key, what);
    }

private:
    QString *m_error;
};

} // namespace

QJsonObject projectToJson(const Project &p, const QString &projectDir)
{
    const QDir dir(projectDir);
    const QJsonObject dataset{
        {QStringLiteral("path"), storedPath(p.datasetPath, dir)},
        {QStringLiteral("absolutePath"), p.datasetPath},
        {QStringLiteral("channels"), p.load.channels},
        {QStringLiteral("width"), p.load.width},
        {QStringLiteral("height"), p.load.height},
        {QStringLiteral("resize"), p.load.letterbox ? QStringLiteral("letterbox") : QStringLiteral("crop")},
    };
    return QJsonObject{
        {QStringLiteral("format"), kFormat},
        {QStringLiteral("version"), Project::kVersion},
        {QStringLiteral("dataset"), dataset},
        {QStringLiteral("model"), p.model.toJson()},
        {QStringLiteral("training"), p.train.toJson()},
        {QStringLiteral("run"), storedPath(p.runDir, dir)},
        {QStringLiteral("runAbsolutePath"), p.runDir},
        {QStringLiteral("view"), p.view},
    };
}

std::optional<Project> projectFromJson(const QJsonObject &json, const QString &projectDir, QString *error)
{
    QString problem;
    Keys keys(&problem);
    const QDir dir(projectDir);
    if (json.value(QStringLiteral("format")).toString() != kFormat) {
        *error = QStringLiteral("not an Autoencoder Studio project (\"format\" is not \"%1\")").arg(kFormat);
        return std::nullopt;
    }
    const QJsonValue version = json.value(QStringLiteral("version"));
    if (!version.isDouble()) {
        *error = QStringLiteral("\"version\" is missing or not a number");
        return std::nullopt;
    }
    if (version.toDouble() > Project::kVersion) {
        *error = QStringLiteral("written by a newer version of Autoencoder Studio (project version %1, this one reads %2)")
                     .arg(version.toDouble()).arg(Project::kVersion);
        return std::nullopt;
    }

    Project p;
    const QJsonObject dataset = keys.object(json, QStringLiteral("dataset"), {});
    const QString relative = keys.string(dataset, QStringLiteral("path"), QStringLiteral("dataset."));
    const QString absolute = keys.string(dataset, QStringLiteral("absolutePath"), QStringLiteral("dataset."), false);
    p.datasetPath = resolvedPath(relative, absolute, dir);
    p.load.channels = keys.integer(dataset, QStringLiteral("channels"), QStringLiteral("dataset."), 0, 3);
    if (p.load.channels == 2)
        keys.fail(QStringLiteral("dataset.channels"), QStringLiteral("must be 0 (automatic), 1 or 3"));
    p.load.width = keys.integer(dataset, QStringLiteral("width"), QStringLiteral("dataset."), 0, 4096);
    p.load.height = keys.integer(dataset, QStringLiteral("height"), QStringLiteral("dataset."), 0, 4096);
    const QString resize = keys.string(dataset, QStringLiteral("resize"), QStringLiteral("dataset."), false);
    if (!resize.isEmpty() && resize != QLatin1String("crop") && resize != QLatin1String("letterbox"))
        keys.fail(QStringLiteral("dataset.resize"), QStringLiteral("must be \"crop\" or \"letterbox\""));
    p.load.letterbox = resize == QLatin1String("letterbox");

    const QJsonObject model = keys.object(json, QStringLiteral("model"), {});
    const QJsonObject training = keys.object(json, QStringLiteral("training"), {});
    const QString run = keys.string(json, QStringLiteral("run"), {});
    const QString runAbsolute = keys.string(json, QStringLiteral("runAbsolutePath"), {}, false);
    p.runDir = resolvedPath(run, runAbsolute, dir);
    p.view = keys.object(json, QStringLiteral("view"), {}, false);
    if (!keys.ok()) {
        *error = problem;
        return std::nullopt;
    }
    QString optionsError;
    const std::optional<ModelOptions> m = ModelOptions::fromJson(model, &optionsError);
    if (!m) {
        *error = QStringLiteral("\"model\": %1").arg(optionsError);
        return std::nullopt;
    }
    const std::optional<TrainOptions> t = TrainOptions::fromJson(training, &optionsError);
    if (!t) {
        *error = QStringLiteral("\"training\": %1").arg(optionsError);
        return std::nullopt;
    }
    p.model = *m;
    p.train = *t;
    return p;
}

QString writeProject(const QString &path, const Project &project)
{
    const QJsonObject json = projectToJson(project, QFileInfo(path).absolutePath());
    return writeFileAtomically(path, QJsonDocument(json).toJson(QJsonDocument::Indented));
}

std::optional<Project> readProject(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: cannot read it: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    // A project is a few kilobytes; anything much larger is not one.
    constexpr qint64 kMaxBytes = 16 * 1024 * 1024;
    if (file.size() > kMaxBytes) {
        *error = QStringLiteral("%1: not a project file (%2 bytes)").arg(path).arg(file.size());
        return std::nullopt;
    }
    const QByteArray bytes = file.readAll();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("%1: not valid JSON (%2 at byte %3)").arg(path, parseError.errorString())
                     .arg(parseError.offset);
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("%1: not a project file (the JSON is not an object)").arg(path);
        return std::nullopt;
    }
    QString why;
    std::optional<Project> project = projectFromJson(doc.object(), QFileInfo(path).absolutePath(), &why);
    if (!project)
        *error = QStringLiteral("%1: %2").arg(path, why);
    return project;
}

QString defaultRunDirFor(const QString &projectPath)
{
    const QFileInfo info(projectPath);
    return info.absoluteDir().filePath(info.completeBaseName() + QStringLiteral("-run"));
}

} // namespace aes
