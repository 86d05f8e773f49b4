// Fuzzes the project-file reader (projectFromJson, with the option readers ModelOptions::fromJson
// and TrainOptions::fromJson inside it). A refusal must come with a message; what a reader
// accepts must write back and read again to the same JSON.

#include "model/modeloptions.h"
#include "project/project.h"
#include "training/trainoptions.h"

#include <QJsonDocument>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

template <typename Options>
void checkRoundTrip(const QJsonObject &object, const char *what)
{
    QString error;
    const std::optional<Options> options = Options::fromJson(object, &error);
    if (!options) {
        if (error.isEmpty()) {
            std::fprintf(stderr, "%s::fromJson failed without a message\n", what);
            std::abort();
        }
        return;
    }
    const QJsonObject written = options->toJson();
    QString again;
    const std::optional<Options> reread = Options::fromJson(written, &again);
    if (!reread || reread->toJson() != written) {
        std::fprintf(stderr, "%s does not survive toJson/fromJson: %s\n%s\n", what,
                     qPrintable(again), QJsonDocument(written).toJson().constData());
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const QJsonDocument doc = QJsonDocument::fromJson(bytes);
    if (!doc.isObject())
        return 0;
    const QJsonObject object = doc.object();
    checkRoundTrip<aes::ModelOptions>(object, "ModelOptions");
    checkRoundTrip<aes::TrainOptions>(object, "TrainOptions");
    // A project file nests them: {"model": {...}, "train": {...}}.
    checkRoundTrip<aes::ModelOptions>(object.value(QStringLiteral("model")).toObject(), "ModelOptions");
    checkRoundTrip<aes::TrainOptions>(object.value(QStringLiteral("train")).toObject(), "TrainOptions");

    // The whole project file, as File > Open project reads it.
    const QString dir = QStringLiteral("/nonexistent/projects");
    QString error;
    const std::optional<aes::Project> project = aes::projectFromJson(object, dir, &error);
    if (!project) {
        if (error.isEmpty()) {
            std::fprintf(stderr, "projectFromJson failed without a message\n");
            std::abort();
        }
        return 0;
    }
    const QJsonObject written = aes::projectToJson(*project, dir);
    QString again;
    const std::optional<aes::Project> reread = aes::projectFromJson(written, dir, &again);
    if (!reread || aes::projectToJson(*reread, dir) != written) {
        std::fprintf(stderr, "a project does not survive projectToJson/projectFromJson: %s\n%s\n", qPrintable(again),
                     QJsonDocument(written).toJson().constData());
        std::abort();
    }
    return 0;
}
