#!/usr/bin/python3
"""Compares a recording of an audio output's monitor with what was played (bench/playback_check.sh).

Finds the delay by cross-correlation, then reports over the overlap of the two (covered: its share of
the played sound): Pearson
correlation, gain, signal-to-error ratio after the best gain, the sounding length (envelope above
-40 dB of the peak) of both, and the cosine similarity of their averaged magnitude spectra (also
against ORIGINAL, the clip before any rendering, when given). Prints one line of key=value.
Exit 0 when the correlation is at least --min-corr, else 1.
Usage: playback_compare.py PLAYED.wav RECORDED.wav [--original CLIP] [--min-corr 0.95]
"""
import argparse
import sys

import numpy as np
import soundfile as sf


def mono(path):
    x, rate = sf.read(path, dtype="float64", always_2d=True)
    return x.mean(axis=1), rate


def sounding_seconds(x, rate):
    frame = max(1, rate // 100)  # 10 ms envelope
    n = len(x) // frame
    if n == 0:
        return 0.0
    env = np.sqrt((x[: n * frame].reshape(n, frame) ** 2).mean(axis=1))
    peak = env.max()
    if peak <= 0:
        return 0.0
    loud = np.nonzero(env >= peak * 10 ** (-40 / 20))[0]
    return (loud[-1] - loud[0] + 1) * frame / rate


def spectrum(x, rate, fmax=8000.0, step=25.0):
    """Average magnitude spectrum on a fixed grid 0..fmax Hz (so that rates can differ)."""
    n = 1024
    frames = [x[i : i + n] for i in range(0, max(1, len(x) - n), n // 2)]
    window = np.hanning(n)
    mags = np.mean([np.abs(np.fft.rfft(np.pad(f, (0, n - len(f))) * window)) for f in frames], axis=0)
    grid = np.arange(0.0, min(fmax, rate / 2), step)
    return np.interp(grid, np.fft.rfftfreq(n, 1.0 / rate), mags)


def cosine(a, b):
    m = min(len(a), len(b))
    a, b = a[:m], b[:m]
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("played")
    p.add_argument("recorded")
    p.add_argument("--original")
    p.add_argument("--min-corr", type=float, default=0.95)
    a = p.parse_args()
    ref, rate = mono(a.played)
    played_s = len(ref) / rate
    rec, rec_rate = mono(a.recorded)
    if rec_rate != rate:
        print(f"recorded at {rec_rate} Hz, played at {rate} Hz: record at the played rate", file=sys.stderr)
        return 2
    rms = float(np.sqrt(np.mean(rec ** 2))) if len(rec) else 0.0
    if rms == 0.0:
        print(f"recorded={len(rec) / rate:.3f}s rms=0: nothing was heard")
        return 1
    # Delay: the lag of the cross-correlation's peak (FFT, every overlap); negative when the
    # recording began after the sound had (a suspended sink's monitor starts with the sound).
    size = 1 << int(np.ceil(np.log2(len(rec) + len(ref))))
    xc = np.fft.irfft(np.fft.rfft(rec, size) * np.conj(np.fft.rfft(ref, size)), size)
    lags = np.concatenate([np.arange(0, len(rec)), np.arange(-(len(ref) - 1), 0)])
    values = np.concatenate([xc[: len(rec)], xc[size - (len(ref) - 1) :]])
    lag = int(lags[np.argmax(values)])
    start, end = max(0, -lag), min(len(ref), len(rec) - lag)
    ref = ref[start:end]
    seg = rec[start + lag : end + lag]
    corr = float(np.corrcoef(ref, seg)[0, 1])
    gain = float(np.dot(seg, ref) / np.dot(ref, ref))
    err = seg - gain * ref
    ser = 10 * np.log10(np.dot(gain * ref, gain * ref) / max(np.dot(err, err), 1e-20))
    fields = {
        "played_s": f"{played_s:.3f}",
        "covered": f"{len(ref) / rate / played_s:.3f}",
        "recorded_s": f"{len(rec) / rate:.3f}",
        "delay_ms": f"{1000 * lag / rate:.1f}",
        "sounding_played_s": f"{sounding_seconds(mono(a.played)[0], rate):.3f}",
        "sounding_recorded_s": f"{sounding_seconds(rec, rate):.3f}",
        "corr": f"{corr:.5f}",
        "gain": f"{gain:.4f}",
        "signal_to_error_db": f"{ser:.1f}",
        "spectrum_cos": f"{cosine(spectrum(ref, rate), spectrum(seg, rate)):.5f}",
    }
    if a.original:
        orig, orig_rate = mono(a.original)
        fields["spectrum_cos_vs_original"] = f"{cosine(spectrum(orig, orig_rate), spectrum(seg, rate)):.5f}"
    print(" ".join(f"{k}={v}" for k, v in fields.items()))
    return 0 if corr >= a.min_corr else 1


if __name__ == "__main__":
    sys.exit(main())
