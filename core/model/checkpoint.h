#pragma once
// Checkpoints: a model's weights together with the options that built it and any
// metadata (training options, epoch, dataset), in one LibTorch archive.
//
// Threads: call from the thread that owns the model (or on a copy of it).
// Failure: both functions return a message naming the file and the reason; a failed
// save leaves any previous file untouched (written to a temporary file, then renamed).

#include "model/modeloptions.h"

#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace torch::serialize {
class InputArchive;
class OutputArchive;
} // namespace torch::serialize

namespace aes {

class AutoencoderImpl;

struct LoadedCheckpoint {
    std::shared_ptr<AutoencoderImpl> model;  // in evaluation mode
    ModelOptions options;
    QJsonObject meta;                        // what was passed to saveCheckpoint
};

// What a checkpoint says about itself, without its weights.
struct CheckpointInfo {
    ModelOptions options;
    QJsonObject meta;
};

// Extra state stored beside the weights (the trainer's optimizer and random generators).
// A reader returns an empty string or what is wrong with the file.
using ArchiveWriter = std::function<void(torch::serialize::OutputArchive &)>;
using ArchiveReader = std::function<QString(torch::serialize::InputArchive &)>;

// Returns an empty string on success, else the reason.
QString saveCheckpoint(const QString &path, AutoencoderImpl &model, const QJsonObject &meta = {},
                       const ArchiveWriter &extra = {});
// The architecture is rebuilt from the stored options and every tensor's shape is
// checked against it; a mismatch names the parameter. `extra` reads more state from
// the same archive; its failure fails the load.
std::optional<LoadedCheckpoint> loadCheckpoint(const QString &path, QString *error,
                                               const ArchiveReader &extra = {});
// The options and metadata alone, the archive's checksums checked as by loadCheckpoint: no
// model is built, so no random numbers are drawn (building one draws its initial weights from
// LibTorch's default generator, which a training on another thread uses for dropout and noise).
std::optional<CheckpointInfo> readCheckpointInfo(const QString &path, QString *error);
// Copies weights and buffers of `from` into `to` (same architecture).
void copyWeights(AutoencoderImpl &from, AutoencoderImpl &to);

// An independent copy of a model (weights and buffers), e.g. for previews in another thread.
std::shared_ptr<AutoencoderImpl> cloneModel(AutoencoderImpl &model);

} // namespace aes
