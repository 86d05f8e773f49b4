#!/usr/bin/python3
"""Writes the image folders of the loading benchmark (ImageFolder layout: one subfolder per class).

  fashion-70k/   all 70k Fashion-MNIST images (train + t10k) as 28x28 gray PNGs, from Debian's IDX files
  rgb64/         the first 10k of them as 64x64 RGB PNGs (upscaled, tinted per class)
  rgb128/        the first 5k as 128x128 RGB PNGs
Usage: write_png_folders.py OUT_DIR [IDX_DIR]. A folder that already holds its images is kept.
"""
import gzip, os, sys

import numpy as np
from PIL import Image

NAMES = ["tshirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"]
TINTS = np.array([[255, 80, 80], [80, 255, 80], [80, 80, 255], [255, 255, 80], [255, 80, 255],
                  [80, 255, 255], [255, 160, 80], [160, 80, 255], [80, 160, 255], [200, 200, 200]], np.float32) / 255


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def write(folder, images, labels, size=None):
    if os.path.isdir(folder) and sum(len(f) for _, _, f in os.walk(folder)) == len(images):
        print(f"{folder}: {len(images)} images already there")
        return
    for name in NAMES:
        os.makedirs(os.path.join(folder, name), exist_ok=True)
    for i, (img, label) in enumerate(zip(images, labels)):
        if size:
            gray = np.asarray(Image.fromarray(img).resize((size, size), Image.BILINEAR), np.float32)
            pil = Image.fromarray((gray[..., None] * TINTS[label]).astype(np.uint8), "RGB")
        else:
            pil = Image.fromarray(img)
        pil.save(os.path.join(folder, NAMES[label], f"{i:05d}.png"))
    print(f"{folder}: wrote {len(images)} images")


def main():
    out = sys.argv[1]
    src = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    images = np.concatenate([idx(f"{src}/train-images-idx3-ubyte.gz"), idx(f"{src}/t10k-images-idx3-ubyte.gz")])
    labels = np.concatenate([idx(f"{src}/train-labels-idx1-ubyte.gz"), idx(f"{src}/t10k-labels-idx1-ubyte.gz")])
    write(os.path.join(out, "fashion-70k"), images, labels)
    write(os.path.join(out, "rgb64"), images[:10000], labels[:10000], 64)
    write(os.path.join(out, "rgb128"), images[:5000], labels[:5000], 128)


if __name__ == "__main__":
    sys.exit(main())
