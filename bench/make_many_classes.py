#!/usr/bin/python3
"""Writes a folder of many classes (ImageFolder layout) for trying the latent map's class list
as a new user would: CLASSES classes of PER_CLASS gray 28x28 PNGs, each class a blob at its own
place and size with its own stripe direction, drawn with noise. Standard library only (PNG
written with zlib), deterministic.

Usage: make_many_classes.py OUT_DIR [CLASSES=40] [PER_CLASS=40]
"""
import math, os, random, struct, sys, zlib


def png(path, pixels, side):
    raw = b"".join(b"\0" + bytes(pixels[y * side:(y + 1) * side]) for y in range(side))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def main():
    out = sys.argv[1]
    classes = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    per_class = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    side = 28
    rng = random.Random(1)
    names = ["apple", "bolt", "cloud", "drum", "eagle", "fern", "gear", "harp", "iris", "jade", "kite", "lamp",
             "moth", "nest", "oak", "pear", "quill", "rose", "sail", "tulip", "urn", "vase", "wasp", "yarn",
             "zebra", "acorn", "bell", "comb", "dice", "egg", "fig", "gull", "hat", "ink", "jug", "key", "leaf",
             "mug", "nut", "owl"]
    for c in range(classes):
        name = "%02d-%s" % (c, names[c % len(names)])
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        angle = 2 * math.pi * (c % 8) / 8
        cx, cy = 14 + 7 * math.cos(angle), 14 + 7 * math.sin(angle)
        radius = 3 + (c // 8) % 5
        stripe = math.pi * (c % 5) / 5
        for i in range(per_class):
            jx, jy = rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5)
            pixels = []
            for y in range(side):
                for x in range(side):
                    d = math.hypot(x - cx - jx, y - cy - jy)
                    v = 200 if d < radius else 0
                    v += 40 * (1 + math.sin(0.9 * (x * math.cos(stripe) + y * math.sin(stripe))))
                    v += rng.uniform(-20, 20)
                    pixels.append(max(0, min(255, int(v))))
            png(os.path.join(folder, "%03d.png" % i), pixels, side)


if __name__ == "__main__":
    main()
