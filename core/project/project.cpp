#include "project/project.h"

#include "data/loadoptionsfields.h"
#include "util/atomicfile.h"
#include "util/jsonfields.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>


namespace aes {

namespace {

const QString kFormat = QStringLiteral("autoencoder-studio-project");

// Every key of the file once, for reading and writing (the format and version are checked
// first, with messages of their own).
template <typename Io, typename P>
void describe(Io &io, P &p)
{
    io.objectField(QStringLiteral("dataset"), &p, [](auto &dataset, auto &q) {
        dataset.pathField(QStringLiteral("path"), QStringLiteral("absolutePath"), &q.datasetPath);
        describeLoadOptions(dataset, q.load);
    });
    io.optionsField(QStringLiteral("model"), &p.model);
    io.optionsField(QStringLiteral("training"), &p.train);
    io.pathField(QStringLiteral("run"), QStringLiteral("runAbsolutePath"), &p.runDir);
    io.jsonObjectField(QStringLiteral("view"), &p.view);
}

} // namespace

QJsonObject projectToJson(const Project &p, const QString &projectDir)
{
    JsonWriter writer{QDir(projectDir)};
    describe(writer, p);
    QJsonObject json = writer.object();
    json.insert(QStringLiteral("format"), kFormat);
    json.insert(QStringLiteral("version"), Project::kVersion);
    return json;
}

std::optional<Project> projectFromJson(const QJsonObject &json, const QString &projectDir, QString *error)
{
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
    JsonReader reader(json, {}, QDir(projectDir));
    describe(reader, p);
    if (!reader.error().isEmpty()) {
        *error = reader.error();
        return std::nullopt;
    }
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
