#pragma once
// ONNX export: encoder.onnx (input "image", float32 N x C x H x W in [0, 1] -> output
// "latent", N x latent; a vae gives its mean) and decoder.onnx (input "latent" -> output
// "image"), batch dimension dynamic ("N"), opset 13, written with the ONNX protobuf
// classes and accepted by onnx::checker. Only operators that OpenCV's DNN importer
// reads are used (Gelu is composed from Erf, Mul and Add). Each file carries the
// preprocessing and class names as metadata_props ("preprocessing", "class_names").
//
// Threads: reads the model; call from the thread that owns it or on a copy.
// Failure: returns a message naming the file and the reason. Both files are built and
// checked before either is written; each is written to a temporary file and renamed.

#include "export/exportplan.h"

#include <QString>

namespace aes {

class AutoencoderImpl;

inline constexpr char kOnnxEncoderFile[] = "encoder.onnx";
inline constexpr char kOnnxDecoderFile[] = "decoder.onnx";
inline constexpr int kOnnxOpset = 13;

// Writes encoder.onnx and decoder.onnx into dir (created when missing). Empty on success.
QString exportOnnx(AutoencoderImpl &model, const QString &dir, const ExportMetadata &meta = {});

// Runs onnx::checker on a file: empty when it accepts it, else the checker's reason.
QString checkOnnxFile(const QString &path);

} // namespace aes
