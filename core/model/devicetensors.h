#pragma once
// The torch side of model/device.h: the c10::Device a spec names, and moving host batches
// to it. Include only from .cpp files that already use torch.
// Threads: any. Failure: resolveDevice() returns nullopt with the message of deviceProblem().

#include "model/device.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <optional>

namespace aes {

class AutoencoderImpl;
struct Dataset;

std::optional<c10::Device> resolveDevice(const QString &spec, QString *error);
// The device of the model's parameters (CPU for a model without parameters).
c10::Device deviceOf(AutoencoderImpl &model);
// A host tensor on device: as is for the CPU; on CUDA through pinned memory with a
// non-blocking copy (the caller's next use on the device's stream orders it).
at::Tensor toDevice(const at::Tensor &host, const c10::Device &device);
// data.floatBatch(indices) on device: the uint8 images are gathered on the host and moved
// before the conversion (a quarter of the float bytes cross the bus).
at::Tensor floatBatchOn(const Dataset &data, const at::Tensor &indices, const c10::Device &device);
// Waits for the device's queued work (CUDA); nothing on the CPU. Call before reading a clock.
void synchronize(const c10::Device &device);

} // namespace aes
