#pragma once
// Project files (.aeproj): what a user needs to come back to a piece of work — the dataset
// and how it is loaded, the model and training options, the run directory that holds the
// trained model (checkpoint.pt, history.csv, ...), and the view state of the window.
//
// The file is JSON:
//   { "format": "autoencoder-studio-project", "version": 1,
//     "dataset": { "path": "...", "absolutePath": "...", "channels": 0, "width": 0, "height": 0,
//                  "resize": "crop" | "letterbox" },
//     "model": { ModelOptions }, "training": { TrainOptions },
//     "run": "relative/run/dir" or "",  "view": { free-form, owned by the window } }
// Paths are stored relative to the project's folder (so a project moves with its data) and
// absolute as a fallback; loading resolves them to absolute paths.
//
// Threads: any. Failure: readProject() checks every key it needs and its type and returns a
// message naming the file and the key; nothing is half-read. writeProject() writes
// atomically (temporary file, flush, fsync, rename): a failure leaves the previous file.
// Torch-free: ui/ includes it.

#include "model/modeloptions.h"
#include "data/loadoptions.h"
#include "training/trainoptions.h"

#include <QJsonObject>
#include <QString>

#include <optional>

namespace aes {

struct Project {
    static constexpr int kVersion = 1;
    static constexpr const char *kSuffix = "aeproj";

    QString datasetPath;          // absolute; empty when the project has no dataset yet
    LoadOptions load;             // channels, size and resize mode (the rest is not stored)
    ModelOptions model;
    TrainOptions train;
    QString runDir;               // absolute; empty when nothing was trained
    QJsonObject view;             // tab, latent map choices, ... (read by the window, with defaults)
};

// The project as JSON, with paths relative to projectDir.
QJsonObject projectToJson(const Project &project, const QString &projectDir);
// Reads a project from JSON (paths resolved against projectDir); nullopt and a message
// naming the key on a missing key or a wrong type.
std::optional<Project> projectFromJson(const QJsonObject &json, const QString &projectDir, QString *error);

// Returns an empty string or "cannot write <file>: <reason>".
QString writeProject(const QString &path, const Project &project);
// nullopt and "<file>: <reason>" when the file cannot be read, is not JSON, not a project,
// from a newer version, or has a missing or mistyped key.
std::optional<Project> readProject(const QString &path, QString *error);

// The run directory the window uses for a project saved at path: "<name>-run" beside it.
QString defaultRunDirFor(const QString &projectPath);

} // namespace aes
