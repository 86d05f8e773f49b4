#pragma once
// The text of an exception caught where errors become messages for the user (a training run,
// the controller's worker): LibTorch's errors without their C++ backtrace, others' what().
// Threads: any. Failure: none.
//
// This header is torch-free.

#include <QString>

#include <exception>

namespace aes {

QString errorMessage(const std::exception &e);

} // namespace aes
