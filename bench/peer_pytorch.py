#!/usr/bin/python3
"""The peer: an autoencoder trained the way a PyTorch user writes it.

Data in memory as one tensor, TensorDataset + DataLoader(batch 128, shuffle), Adam 1e-3,
MSE, the Keras-tutorial convolutional autoencoder, torch.set_num_threads(THREADS).
Prints one JSON line per epoch: epoch, val_mse, val_psnr, images_per_second, seconds (training time so far),
wall (training and validation so far).
Reads an IDX images file (.gz or not) or an ImageFolder-layout folder.
The validation split is aestudio's (--split aestudio, the default: the same images as
`aestudio-cli train --seed 1 --val-split 0.1`), or torch.randperm's (--split torch).
"""
import argparse, gzip, json, os, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_folder(path):
    """An ImageFolder-layout folder, decoded as aestudio decodes it (core/data/imagedecode.cpp):
    alpha composited over white with the same integer rounding, gray only when every image is
    gray, else RGB. The images must already have one size (the benchmark sets are written at
    their final size, so neither side resizes)."""
    from PIL import Image
    files = []
    for root, _, names in os.walk(path):
        files += [os.path.join(root, n) for n in names]
    images = []
    for f in sorted(files):
        try:
            im = Image.open(f)
            im.load()
        except OSError:
            continue
        if im.mode in ("RGBA", "LA", "P", "PA") or "transparency" in im.info:
            a = np.asarray(im.convert("RGBA"), dtype=np.int32)
            rgb = (a[..., :3] * a[..., 3:] + 255 * (255 - a[..., 3:]) + 127) // 255
        else:
            rgb = np.asarray(im.convert("RGB"), dtype=np.int32)
        images.append(rgb.astype(np.uint8))
    x = np.stack(images)
    if (x[..., 0] == x[..., 1]).all() and (x[..., 1] == x[..., 2]).all():
        x = x[..., :1]
    return torch.from_numpy(x.transpose(0, 3, 1, 2).astype(np.float32) / 255.0)


def load(path):
    if os.path.isdir(path):
        return load_folder(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    n, h, w = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    x = np.frombuffer(data, np.uint8, offset=16).reshape(n, 1, h, w)
    return torch.from_numpy(x.astype(np.float32) / 255.0)


class Mt19937_64:
    """std::mt19937_64, which the C++ standard specifies exactly."""
    def __init__(self, seed):
        self.mt = [0] * 312
        self.mt[0] = seed & 0xFFFFFFFFFFFFFFFF
        for i in range(1, 312):
            self.mt[i] = (6364136223846793005 * (self.mt[i - 1] ^ (self.mt[i - 1] >> 62)) + i) & 0xFFFFFFFFFFFFFFFF
        self.i = 312

    def __call__(self):
        if self.i >= 312:
            mt = self.mt
            for k in range(312):
                y = (mt[k] & 0xFFFFFFFF80000000) | (mt[(k + 1) % 312] & 0x7FFFFFFF)
                mt[k] = mt[(k + 156) % 312] ^ (y >> 1) ^ (0xB5026F5AA96619E9 if y & 1 else 0)
            self.i = 0
        y = self.mt[self.i]
        self.i += 1
        y ^= (y >> 29) & 0x5555555555555555
        y ^= (y << 17) & 0x71D67FFFEDA60000
        y ^= (y << 37) & 0xFFF7EEE000000000
        y ^= y >> 43
        return y


def aestudio_split(n, fraction, seed):
    """core/dataset.cpp splitIndices: Fisher-Yates with a rejection-sampled bounded draw."""
    val_count = min(max(round(n * fraction), 1 if fraction > 0 and n >= 2 else 0), n - 1)
    order = list(range(n))
    engine = Mt19937_64(seed)
    for i in range(n - 1, 0, -1):
        bound = i + 1
        threshold = (2 ** 64 - bound) % bound
        while True:
            r = engine()
            if r >= threshold:
                break
        j = r % bound
        order[i], order[j] = order[j], order[i]
    return sorted(order[val_count:]), sorted(order[:val_count])


class KerasConvAE(nn.Module):
    """Two stride-2 stages: an image whose sides are not multiples of 4 is zero-padded up to
    them and the output cropped back (as aestudio's keras-conv does)."""
    def __init__(self, c, h, w, latent):
        super().__init__()
        self.size = (h, w)
        self.pad = (-w % 4, -h % 4)
        self.h, self.w = (h + self.pad[1]) // 4, (w + self.pad[0]) // 4
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
        if any(self.pad):
            x = F.pad(x, (0, self.pad[0], 0, self.pad[1]))
        return self.decoder(self.encoder(x))[:, :, :self.size[0], :self.size[1]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--latent", type=int, default=16)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--split", choices=["aestudio", "torch"], default="aestudio")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x = load(args.data)
    if args.split == "aestudio":
        train_idx, val_idx = aestudio_split(len(x), 0.1, args.seed)
        train, val = x[torch.tensor(train_idx)], x[torch.tensor(val_idx)]
    else:
        perm = torch.randperm(len(x))
        n_val = round(len(x) * 0.1)
        train, val = x[perm[n_val:]], x[perm[:n_val]]
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train), batch_size=128, shuffle=True)
    model = KerasConvAE(x.shape[1], x.shape[2], x.shape[3], args.latent)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    total = wall = 0.0
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
            per_image = ((model(val) - val) ** 2).flatten(1).mean(1)
            val_mse = per_image.mean().item()
            # aestudio's val_psnr: the mean over images of each image's PSNR (peak 1)
            val_psnr = (10 * torch.log10(1.0 / per_image.clamp_min(1e-10))).mean().item()
        wall += time.perf_counter() - t0
        print(json.dumps({"epoch": epoch, "val_mse": val_mse, "val_psnr": val_psnr, "images_per_second": len(train) / dt,
                          "seconds": total, "wall": wall}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
