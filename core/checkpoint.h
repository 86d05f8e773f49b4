#pragma once
// Checkpoints: a model's weights together with the options that built it and any
// metadata (training options, epoch, dataset), in one LibTorch archive.
//
// Threads: call from the thread that owns the model (or on a copy of it).
// Failure: both functions return a message naming the file and the reason; a failed
// save leaves any previous file untouched (written to a temporary file, then renamed).

#include "modeloptions.h"

#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

namespace aes {

class AutoencoderImpl;

struct LoadedCheckpoint {
    std::shared_ptr<AutoencoderImpl> model;  // in evaluation mode
    ModelOptions options;
    QJsonObject meta;                        // what was passed to saveCheckpoint
};

// Returns an empty string on success, else the reason.
QString saveCheckpoint(const QString &path, AutoencoderImpl &model, const QJsonObject &meta = {});
// The architecture is rebuilt from the stored options and every tensor's shape is
// checked against it; a mismatch names the parameter.
std::optional<LoadedCheckpoint> loadCheckpoint(const QString &path, QString *error);

// An independent copy of a model (weights and buffers), e.g. for previews in another thread.
std::shared_ptr<AutoencoderImpl> cloneModel(AutoencoderImpl &model);

} // namespace aes
