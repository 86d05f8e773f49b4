#pragma once
// The JSON fields of LoadOptions, described once for a JsonReader or a JsonWriter
// (util/jsonfields.h); shared by LoadOptions::toJson/fromJson and the project file, which
// keeps them inside its "dataset" object. Threads: any. Torch-free.

#include "data/loadoptions.h"

#include <QString>

namespace aes {

// Io is a JsonReader or a JsonWriter; Options is LoadOptions or const LoadOptions.
template <typename Io, typename Options>
void describeLoadOptions(Io &io, Options &o)
{
    io.intField(QStringLiteral("channels"), &o.channels, 0, 3);
    io.require(QStringLiteral("channels"), o.channels != 2, QStringLiteral("must be 0 (automatic), 1 or 3"));
    io.intField(QStringLiteral("width"), &o.width, 0, 4096);
    io.intField(QStringLiteral("height"), &o.height, 0, 4096);
    io.enumField(QStringLiteral("resize"), &o.resize, resizeModeFromString);
}

} // namespace aes
