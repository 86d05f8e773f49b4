#!/usr/bin/python3
"""The peer of the one-class protocol: anomaly detection as a PyTorch user writes it.

For each Fashion-MNIST class k: a convolutional autoencoder (two strided convolutions to a
16-number code and back, ReLU, sigmoid output) trained with Adam 1e-3, batch 128, MSE, on the
training images of class k only; each of the 10 000 test images scored by its reconstruction
MSE; the AUROC of class k (normal) against the other nine (ties count one half).
Prints one line per class (AUROC, training seconds) and the mean.
"""
import argparse, gzip, os, time

import numpy as np
import torch
import torch.nn as nn

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def images(path):
    x = idx(path, 16).reshape(-1, 1, 28, 28)
    return torch.from_numpy(x.astype(np.float32) / 255.0)


def auroc(scores, anomalous):
    # Mann-Whitney with average ranks for ties.
    order = np.argsort(scores, kind="mergesort")
    s = scores[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[i:j + 1] = (i + j + 2) / 2.0
        i = j + 1
    r = np.empty(len(s))
    r[order] = ranks
    p = anomalous.sum()
    n = len(s) - p
    return (r[anomalous].sum() - p * (p + 1) / 2.0) / (p * n)


class ConvAE(nn.Module):
    def __init__(self, latent=16):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(64 * 7 * 7, latent))
        self.decoder = nn.Sequential(
            nn.Linear(latent, 64 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    xtr = images(os.path.join(a.dir, "train-images-idx3-ubyte.gz"))
    ytr = torch.from_numpy(idx(os.path.join(a.dir, "train-labels-idx1-ubyte.gz"), 8).astype(np.int64))
    xte = images(os.path.join(a.dir, "t10k-images-idx3-ubyte.gz"))
    yte = idx(os.path.join(a.dir, "t10k-labels-idx1-ubyte.gz"), 8).astype(np.int64)
    figures = []
    for k, name in enumerate(CLASSES):
        torch.manual_seed(a.seed)
        x = xtr[ytr == k]
        model = ConvAE()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x), batch_size=128, shuffle=True)
        start = time.time()
        model.train()
        for _ in range(a.epochs):
            for (b,) in loader:
                opt.zero_grad()
                loss = nn.functional.mse_loss(model(b), b)
                loss.backward()
                opt.step()
        seconds = time.time() - start
        model.eval()
        with torch.no_grad():
            scores = torch.cat([((model(b) - b) ** 2).mean(dim=(1, 2, 3)) for b in xte.split(1000)]).double().numpy()
        value = auroc(scores, yte != k)
        figures.append((value, seconds))
        print(f"{name:<12} AUROC {value:.4f}  train {seconds:5.1f} s", flush=True)
    print(f"mean         AUROC {np.mean([f[0] for f in figures]):.4f}  train {np.mean([f[1] for f in figures]):5.1f} s per class")


if __name__ == "__main__":
    main()
