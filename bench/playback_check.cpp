// Plays one clip through the app's own SoundPlayer (ui/soundplayer: QAudioSink on the default
// output) and writes what it handed the output as a WAV, for bench/playback_check.sh to compare
// with what a recording of the output's monitor caught.
//   --mode clip:        the clip's samples as they are (SoundPlayer::playSamples)
//   --mode spectrogram: the clip as a spectrogram row of an audio dataset (16 kHz, 64 mels,
//                       data/audiofolder's audioClipRow), played as the app's play buttons do
//                       (SoundPlayer::play: Griffin-Lim, then the output)
// Prints the output device, the timings and whether the output reported the end.
// Usage: aes-playback-check CLIP PLAYED.wav [--mode clip|spectrogram]
// Exit: 0 played to the end, 1 could not play, 2 usage.

#include "soundplayer.h"

#include "data/audiofile.h"
#include "data/audiofolder.h"
#include "data/tensorimage.h"

#include <QAudioDevice>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QMediaDevices>
#include <QTimer>

#include <torch/torch.h>

#include <cstdio>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: aes-playback-check CLIP PLAYED.wav [--mode clip|spectrogram]\n");
        return 2;
    }
    const QString clip = args[0], playedPath = args[1];
    const int modeAt = int(args.indexOf(QStringLiteral("--mode")));
    const QString mode = modeAt >= 0 ? args.value(modeAt + 1) : QStringLiteral("clip");
    if (mode != QLatin1String("clip") && mode != QLatin1String("spectrogram")) {
        std::fprintf(stderr, "--mode must be clip or spectrogram\n");
        return 2;
    }

    const QAudioDevice device = QMediaDevices::defaultAudioOutput();
    std::printf("output device: %s (%s)\n", device.isNull() ? "none" : qPrintable(device.description()),
                device.isNull() ? "-" : device.id().constData());
    SoundPlayer player;
    std::printf("SoundPlayer available: %s%s\n", player.available() ? "yes" : "no",
                player.available() ? "" : qPrintable(QStringLiteral(" (") + player.unavailableReason() + QLatin1Char(')')));
    QObject::connect(&player, &SoundPlayer::message, &app,
                     [](const QString &text) { std::printf("player: %s\n", qPrintable(text)); });

    std::vector<float> played;
    int rate = 0;
    QImage spectrogram;
    QElapsedTimer clock;
    bool finished = false;
    QObject::connect(&player, &SoundPlayer::playbackFinished, &app, [&] {
        finished = true;
        std::printf("output reported the end after %.3f s\n", clock.nsecsElapsed() / 1e9);
        QTimer::singleShot(300, &app, &QCoreApplication::quit);  // the tail leaves the server's buffers
    });
    if (mode == QLatin1String("clip")) {
        const aes::DecodedAudio decoded = aes::decodeAudioFile(clip, 0);
        if (!decoded.ok()) {
            std::fprintf(stderr, "%s: %s\n", qPrintable(clip), qPrintable(decoded.error));
            return 1;
        }
        played = decoded.samples;
        rate = decoded.sourceRate;
        clock.start();
        if (!player.playSamples(played, rate))
            return 1;
    } else {
        aes::AudioOptions audio;  // the defaults a folder of clips gets
        QString error;
        const aes::DecodedAudio decoded = aes::decodeAudioFile(clip, audio.sampleRate);
        const int frames = audio.framesFor(qint64(decoded.samples.size()));
        const at::Tensor row = aes::audioClipRow(clip, audio, frames, qint64(1) << 30, &error);
        if (!row.defined()) {
            std::fprintf(stderr, "%s: %s\n", qPrintable(clip), qPrintable(error));
            return 1;
        }
        spectrogram = aes::toImage(row);
        rate = audio.sampleRate;
        QObject::connect(&player, &SoundPlayer::rendered, &app, [&](const QString &, double seconds, double ms) {
            played = player.lastSound();
            std::printf("rendered %.3f s of sound from %dx%d spectrogram in %.1f ms\n", seconds,
                        spectrogram.width(), spectrogram.height(), ms);
            clock.start();
            if (!player.available())
                QCoreApplication::exit(1);
        });
        player.play(spectrogram, audio, QStringLiteral("the clip's spectrogram"));
    }
    QTimer::singleShot(60000, &app, [] {
        std::printf("no end reported within 60 s\n");
        QCoreApplication::exit(1);
    });
    const int code = app.exec();
    if (!played.empty()) {
        const QString error = aes::writeAudioFile(playedPath, played, rate);
        if (!error.isEmpty()) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        std::printf("played %.3f s at %d Hz, written to %s\n", double(played.size()) / rate, rate, qPrintable(playedPath));
    }
    return code == 0 && finished ? 0 : 1;
}
