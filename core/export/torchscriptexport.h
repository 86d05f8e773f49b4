#pragma once
// TorchScript export: one scripted module with encode(x), decode(z) and forward(x)
// (float32 N x C x H x W in [0, 1]; forward returns the reconstruction; a vae encodes
// to its mean), built from the trained weights and saved as a normal TorchScript
// archive that torch.jit.load (Python) and torch::jit::load (C++) open.
//
// The archive carries extra files (torch.jit.load(f, _extra_files={...})):
//   preprocessing.json  what preprocessingJson() gives: size, channels, colour, range
//   class_names.json    a JSON array, index = label
//   model_options.json  the ModelOptions that built the model
//   anomaly.json        the run's anomaly threshold, when it has one (anomalythreshold.h)
//
// Threads: reads the model; call from the thread that owns it or on a copy.
// Failure: returns a message naming the file and the reason; the file is written to a
// temporary file and renamed, so a failure leaves any previous file intact.

#include "export/exportplan.h"

#include <QString>

namespace aes {

class AutoencoderImpl;

// Empty on success.
QString exportTorchScript(AutoencoderImpl &model, const QString &path, const ExportMetadata &meta = {});

// The TorchScript source of the module's methods (for messages and tests).
std::string torchScriptSource(const ExportPlan &plan);

} // namespace aes
