#include "util/errormessage.h"

#include <c10/util/Exception.h>

namespace aes {

QString errorMessage(const std::exception &e)
{
    if (const auto *torchError = dynamic_cast<const c10::Error *>(&e))
        return QString::fromUtf8(torchError->what_without_backtrace());
    return QString::fromUtf8(e.what());
}

} // namespace aes
