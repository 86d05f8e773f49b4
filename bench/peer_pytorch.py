#!/usr/bin/python3
"""The peer: an autoencoder trained the way a PyTorch user writes it.

Data in memory as one tensor, TensorDataset + DataLoader(batch 128, shuffle), Adam 1e-3,
MSE, the Keras-tutorial convolutional autoencoder, torch.set_num_threads(THREADS).
Prints one JSON line per epoch: epoch, val_mse, images_per_second, seconds.
Reads an IDX images file (.gz or not) or an ImageFolder-layout folder.
"""
import argparse, gzip, json, os, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load(path):
    if os.path.isdir(path):
        from torchvision import datasets, transforms
        ds = datasets.ImageFolder(path, transform=transforms.Compose(
            [transforms.Grayscale(), transforms.ToTensor()]))
        return torch.stack([x for x, _ in ds])
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    n, h, w = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    x = np.frombuffer(data, np.uint8, offset=16).reshape(n, 1, h, w)
    return torch.from_numpy(x.astype(np.float32) / 255.0)


class KerasConvAE(nn.Module):
    def __init__(self, c, h, w, latent):
        super().__init__()
        self.h, self.w = h // 4, w // 4
        self.encoder = nn.Sequential(
            nn.Conv2d(c, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
            nn.Flatten(), nn.Linear(64 * self.h * self.w, latent))
        self.decoder = nn.Sequential(
            nn.Linear(latent, 64 * self.h * self.w), nn.ReLU(),
            nn.Unflatten(1, (64, self.h, self.w)),
            nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, c, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())

    def forward(self, x):
        return self.decoder(self.encoder(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--latent", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x = load(args.data)
    perm = torch.randperm(len(x))
    n_val = round(len(x) * 0.1)
    train, val = x[perm[n_val:]], x[perm[:n_val]]
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train), batch_size=128, shuffle=True)
    model = KerasConvAE(x.shape[1], x.shape[2], x.shape[3], args.latent)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    total = 0.0
    for epoch in range(1, args.epochs + 1):
        model.train()
        t0 = time.perf_counter()
        for (batch,) in loader:
            loss = F.mse_loss(model(batch), batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
        dt = time.perf_counter() - t0
        total += dt
        model.eval()
        with torch.no_grad():
            val_mse = F.mse_loss(model(val), val).item()
        print(json.dumps({"epoch": epoch, "val_mse": val_mse, "images_per_second": len(train) / dt,
                          "seconds": total}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
