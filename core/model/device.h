#pragma once
// Where the engine computes: "auto", "cpu", "cuda" or "cuda:N" as the user writes it, and what
// this build's LibTorch can use. Torch-free: the GUI's device combo and the CLI parser use it.
// Threads: any. Failure: deviceProblem() returns the user's message; nothing throws.

#include <QString>
#include <QStringList>

namespace aes {

// The devices LibTorch sees, in the order the GUI lists them: "cpu", then "cuda:0", "cuda:1"...
QStringList availableDevices();
// True when this LibTorch was built with CUDA and sees at least one device.
bool cudaAvailable();
// True for "auto", "cpu", "cuda" and "cuda:N" (N a non-negative integer), whatever the machine has.
bool isDeviceSpec(const QString &spec);
// Empty when spec names a device this process can use, else why not (e.g. "cuda requested
// but this LibTorch has no CUDA").
QString deviceProblem(const QString &spec);
// The device spec resolves to: "auto" -> "cuda:0" when CUDA is available, else "cpu";
// "cuda" -> "cuda:0". Unusable specs come back unchanged (check deviceProblem first).
QString resolvedDeviceName(const QString &spec);

} // namespace aes
