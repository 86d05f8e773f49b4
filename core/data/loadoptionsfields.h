#pragma once
// The JSON fields of LoadOptions, described once for a JsonReader or a JsonWriter
// (util/jsonfields.h); shared by LoadOptions::toJson/fromJson and the project file, which
// keeps them inside its "dataset" object. Threads: any. Torch-free.

#include "data/loadoptions.h"
#include "util/jsonfields.h"

#include <QString>

namespace aes {

// Io is a JsonReader or a JsonWriter; Options is AudioOptions or const AudioOptions.
template <typename Io, typename Options>
void describeAudioOptions(Io &io, Options &o)
{
    io.intField(QStringLiteral("sample_rate"), &o.sampleRate, 1000, 192000);
    io.doubleField(QStringLiteral("seconds"), &o.seconds);
    io.doubleField(QStringLiteral("window_seconds"), &o.windowSeconds);
    io.intField(QStringLiteral("n_fft"), &o.nFft, 16, 16384);
    io.intField(QStringLiteral("hop"), &o.hop, 1, 16384);
    io.intField(QStringLiteral("n_mels"), &o.nMels, 1, 512);
    io.doubleField(QStringLiteral("fmin"), &o.fMin);
    io.doubleField(QStringLiteral("fmax"), &o.fMax);
    io.doubleField(QStringLiteral("db_range"), &o.dbRange);
    io.boolField(QStringLiteral("normalize"), &o.normalize);
    io.require(QStringLiteral("n_fft"), o.validate().isEmpty(), QStringLiteral("does not fit: ") + o.validate());
}

// Io is a JsonReader or a JsonWriter; Options is LoadOptions or const LoadOptions.
template <typename Io, typename Options>
void describeLoadOptions(Io &io, Options &o)
{
    io.intField(QStringLiteral("channels"), &o.channels, 0, 3);
    io.require(QStringLiteral("channels"), o.channels != 2, QStringLiteral("must be 0 (automatic), 1 or 3"));
    io.intField(QStringLiteral("width"), &o.width, 0, 4096);
    io.intField(QStringLiteral("height"), &o.height, 0, 4096);
    io.enumField(QStringLiteral("resize"), &o.resize, resizeModeFromString);
    io.objectField(QStringLiteral("audio"), &o.audio, [](auto &a, auto &v) { describeAudioOptions(a, v); },
                   Presence::Optional);
}

} // namespace aes
