#include "util/engineversions.h"

#include <opencv2/core/version.hpp>
#include <torch/version.h>

namespace aes {

EngineVersions engineVersions()
{
    return {QString::fromLatin1(qVersion()), QStringLiteral(TORCH_VERSION), QStringLiteral(CV_VERSION)};
}

} // namespace aes
