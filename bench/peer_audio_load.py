#!/usr/bin/python3
"""The audio loading peer: a folder of clips into one uint8 log-mel tensor the way a Python user
writes it with soundfile and numpy (librosa's recipe, without librosa: Debian has none).

Per clip: soundfile.read, mono mix-down, scipy.signal.resample_poly to 16 kHz, peak
normalisation, pad/cut to the median duration; then a centred STFT (periodic Hann, n_fft 400,
hop 160, zero padding, numpy.fft.rfft), power scaled so that a full-scale sine is 0 dB, an HTK
mel filterbank of 64 bands, 10 log10, [-80, 0] dB -> [0, 255] uint8 (the same features as
aestudio). --procs N spreads the clips over N processes (multiprocessing.Pool).
Prints one JSON line: clips, shape, seconds.
Usage: peer_audio_load.py FOLDER [--procs N]
"""
import argparse, json, os, sys, time
from math import gcd

# Small matrix products on many BLAS threads are 10x slower on a shared 2-core machine: one
# thread per process is this peer at its best (measured: 2.3 s vs 0.19 s for 50 clips' features).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

RATE, N_FFT, HOP, N_MELS, DB_RANGE = 16000, 400, 160, 64, 80.0


def hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + f / 700.0)


def mel_to_hz(m):
    return 700.0 * (10.0 ** (m / 2595.0) - 1.0)


def filterbank():
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(RATE / 2), N_MELS + 2))
    freqs = np.arange(N_FFT // 2 + 1) * RATE / N_FFT
    left, centre, right = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (freqs - left) / (centre - left)
    down = (right - freqs) / (right - centre)
    return np.maximum(0.0, np.minimum(up, down)).astype(np.float32)


def decode(path):
    x, rate = sf.read(path, dtype="float32", always_2d=True)
    x = x.mean(axis=1)
    if rate != RATE:
        g = gcd(rate, RATE)
        x = resample_poly(x, RATE // g, rate // g).astype(np.float32)
    peak = np.abs(x).max() if len(x) else 0.0
    return x / peak if peak > 1e-6 else x


def features(x, samples, fb, window, scale):
    x = np.pad(x[:samples], (0, max(0, samples - len(x))))
    x = np.pad(x, N_FFT // 2)
    frames = 1 + (len(x) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(frames)[:, None]
    spec = np.abs(np.fft.rfft(x[idx] * window, axis=1)) / scale
    mel = fb @ (spec ** 2).T
    db = 10.0 * np.log10(np.maximum(mel, 1e-20))
    unit = np.clip(db / DB_RANGE + 1.0, 0.0, 1.0)
    return np.round(unit[::-1] * 255.0).astype(np.uint8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--procs", type=int, default=1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    paths = sorted(os.path.join(r, f) for r, _, fs in os.walk(args.folder) for f in fs
                   if f.lower().endswith((".wav", ".flac", ".ogg", ".mp3")))
    if args.procs > 1:
        from multiprocessing import Pool
        with Pool(args.procs) as pool:
            clips = pool.map(decode, paths, chunksize=16)
    else:
        clips = [decode(p) for p in paths]
    # The median as aestudio takes it (the upper middle of an even count, not numpy's mean of
    # the two), then whole hops: the same frame count on any set.
    samples = sorted(len(c) for c in clips)[len(clips) // 2]
    samples = (samples // HOP) * HOP
    fb = filterbank()
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
    scale = window.sum() / 2
    x = np.stack([features(c, samples, fb, window, scale) for c in clips])[:, None]
    seconds = time.perf_counter() - t0
    print(json.dumps({"clips": len(x), "shape": list(x.shape), "seconds": seconds}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
