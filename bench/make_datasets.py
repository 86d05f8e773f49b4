#!/usr/bin/python3
"""Writes the cross-data benchmark sets (ImageFolder layout, PNG at their final size so that no
resizing happens on either side of a comparison):

  photos64/    4000 RGB 64x64 crops of natural photos (scikit-learn's china.jpg and flower.jpg,
               SciPy's raccoon face), random position, scale (48-256 px squares) and mirror;
               one class per source photo
  photos128/   2000 RGB 128x128 crops of the same photos (96-400 px squares)
  photos{64,128,192}x4k/  4000 crops each at 64, 128 and 192 px (the memory benchmark)
  icons48/     the 48x48 PNG icons of Debian's adwaita-icon-theme (RGBA, ~1000); one class per
               icon context (actions, status, places, ...)
  faces25/     3000 gray 25x25 synthetic faces (head, hair, eyes, brows, nose, mouth, side light
               and noise drawn at 100x100 and averaged down); classes smile / neutral / frown
  digits8/     scikit-learn's 1797 handwritten digits, 8x8 gray (16 levels scaled to 0-255)

Usage: make_datasets.py OUT_DIR [NAME...]  (default: every set). A set already complete is kept.
Deterministic: the same files every time.
Needs python3-numpy, python3-pil, python3-scipy, python3-sklearn, adwaita-icon-theme
(bench/install-packages.sh installs them).
"""
import glob, os, sys, warnings

import numpy as np
from PIL import Image


def complete(folder, count):
    if not os.path.isdir(folder):
        return False
    return sum(len(f) for _, _, f in os.walk(folder)) == count


def save(folder, cls, index, array):
    os.makedirs(os.path.join(folder, cls), exist_ok=True)
    mode = {2: "L", 3: "RGB"}[array.ndim] if array.ndim == 2 or array.shape[2] == 3 else "RGBA"
    Image.fromarray(array, mode).save(os.path.join(folder, cls, f"{index:05d}.png"))


def photo_sources():
    import sklearn.datasets
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import scipy.misc
        raccoon = scipy.misc.face()
    china, flower = sklearn.datasets.load_sample_images().images
    return {"china": china, "flower": flower, "raccoon": raccoon}


def photos(folder, count, size, smallest, largest, seed):
    if complete(folder, count):
        print(f"{folder}: {count} images already there")
        return
    rng = np.random.default_rng(seed)
    sources = photo_sources()
    names = sorted(sources)
    for i in range(count):
        name = names[i % len(names)]
        img = sources[name]
        h, w = img.shape[:2]
        side = int(round(np.exp(rng.uniform(np.log(smallest), np.log(min(largest, h, w))))))
        y = int(rng.integers(0, h - side + 1))
        x = int(rng.integers(0, w - side + 1))
        crop = Image.fromarray(img[y:y + side, x:x + side]).resize((size, size), Image.BOX)
        if rng.random() < 0.5:
            crop = crop.transpose(Image.FLIP_LEFT_RIGHT)
        save(folder, name, i, np.asarray(crop))
    print(f"{folder}: wrote {count} images")


def icons(folder):
    files = sorted(glob.glob("/usr/share/icons/*/48x48/*/*.png"))
    if not files:
        print(f"{folder}: no 48x48 icons under /usr/share/icons (install adwaita-icon-theme)", file=sys.stderr)
        return
    if complete(folder, len(files)):
        print(f"{folder}: {len(files)} images already there")
        return
    written = 0
    for i, path in enumerate(files):
        try:
            im = Image.open(path).convert("RGBA")
        except OSError:
            continue
        if im.size != (48, 48):
            continue
        save(folder, path.split("/")[-2], i, np.asarray(im))
        written += 1
    print(f"{folder}: wrote {written} images")


def ellipse_mask(yy, xx, cy, cx, ry, rx, angle=0.0):
    c, s = np.cos(angle), np.sin(angle)
    dy, dx = yy - cy, xx - cx
    u = (dx * c + dy * s) / rx
    v = (-dx * s + dy * c) / ry
    return (u * u + v * v) <= 1.0


def face(rng, expression):
    n = 100
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32)
    bg = rng.uniform(0.15, 0.9)
    img = bg + rng.uniform(-0.2, 0.2) * (xx / n - 0.5) + rng.uniform(-0.2, 0.2) * (yy / n - 0.5)
    cy, cx = 52 + rng.normal(0, 3), 50 + rng.normal(0, 4)
    ry, rx = rng.uniform(34, 42), rng.uniform(25, 32)
    tilt = rng.normal(0, 0.12)
    skin = rng.uniform(0.35, 0.85)
    head = ellipse_mask(yy, xx, cy, cx, ry, rx, tilt)
    light = 1.0 + rng.uniform(-0.35, 0.35) * (xx - cx) / rx
    img = np.where(head, skin * light, img)
    # hair: the top of a slightly larger ellipse, cut by a fringe line
    hair_tone = rng.uniform(0.02, 0.95)
    fringe = cy - ry * rng.uniform(0.35, 0.7) + rng.uniform(-4, 4) * (xx - cx) / rx
    hair = ellipse_mask(yy, xx, cy - 2, cx, ry + rng.uniform(2, 6), rx + rng.uniform(2, 7), tilt) & (yy < fringe)
    img = np.where(hair, hair_tone, img)
    eye_y = cy - ry * rng.uniform(0.05, 0.25)
    spread = rx * rng.uniform(0.35, 0.5)
    eye_r = rng.uniform(3.0, 5.0)
    for side in (-1, 1):
        ex = cx + side * spread
        white = ellipse_mask(yy, xx, eye_y, ex, eye_r * 0.7, eye_r * 1.3)
        img = np.where(white, 0.92, img)
        pupil = ellipse_mask(yy, xx, eye_y, ex + rng.normal(0, 0.8), eye_r * 0.55, eye_r * 0.55)
        img = np.where(pupil, 0.05, img)
        brow_y = eye_y - eye_r * rng.uniform(1.6, 2.4)
        brow = ellipse_mask(yy, xx, brow_y, ex, 1.6, eye_r * 1.6, side * rng.normal(0, 0.15))
        img = np.where(brow, hair_tone * 0.6, img)
    nose = ellipse_mask(yy, xx, cy + ry * 0.12, cx + rng.normal(0, 1), ry * 0.14, rx * 0.09)
    img = np.where(nose, skin * light * 0.75, img)
    mouth_y = cy + ry * rng.uniform(0.42, 0.55)
    width = rx * rng.uniform(0.35, 0.6)
    curve = {"smile": 1.0, "neutral": 0.0, "frown": -1.0}[expression] * rng.uniform(3, 7) \
        + rng.normal(0, 0.7)
    t = (xx - cx) / width
    lip = mouth_y + curve * (1 - t * t) - curve * 0.5  # image y grows downwards
    mouth = (np.abs(yy - lip) < rng.uniform(1.2, 2.6)) & (np.abs(t) <= 1.0)
    img = np.where(mouth, skin * 0.35, img)
    img = img + rng.normal(0, 0.03, img.shape)
    small = img.reshape(25, 4, 25, 4).mean(axis=(1, 3))
    return (np.clip(small, 0, 1) * 255 + 0.5).astype(np.uint8)


def faces(folder, count, seed):
    if complete(folder, count):
        print(f"{folder}: {count} images already there")
        return
    rng = np.random.default_rng(seed)
    kinds = ["smile", "neutral", "frown"]
    for i in range(count):
        kind = kinds[i % 3]
        save(folder, kind, i, face(rng, kind))
    print(f"{folder}: wrote {count} images")


def digits(folder):
    import sklearn.datasets
    d = sklearn.datasets.load_digits()
    if complete(folder, len(d.images)):
        print(f"{folder}: {len(d.images)} images already there")
        return
    for i, (img, label) in enumerate(zip(d.images, d.target)):
        save(folder, str(label), i, (img * (255.0 / 16.0) + 0.5).astype(np.uint8))
    print(f"{folder}: wrote {len(d.images)} images")


SETS = {
    "photos64": lambda out: photos(os.path.join(out, "photos64"), 4000, 64, 48, 256, 64),
    "photos128": lambda out: photos(os.path.join(out, "photos128"), 2000, 128, 96, 400, 128),
    # The memory benchmark's sets (bench/memory_bound.sh): 4000 crops at 64, 128 and 192 px.
    "photos64x4k": lambda out: photos(os.path.join(out, "photos64x4k"), 4000, 64, 48, 256, 641),
    "photos128x4k": lambda out: photos(os.path.join(out, "photos128x4k"), 4000, 128, 96, 400, 1281),
    "photos192x4k": lambda out: photos(os.path.join(out, "photos192x4k"), 4000, 192, 144, 480, 1921),
    "icons48": lambda out: icons(os.path.join(out, "icons48")),
    "faces25": lambda out: faces(os.path.join(out, "faces25"), 3000, 25),
    "digits8": lambda out: digits(os.path.join(out, "digits8")),
}


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    names = sys.argv[2:] or list(SETS)
    for name in names:
        if name not in SETS:
            print(f"unknown set {name}; one of {', '.join(SETS)}", file=sys.stderr)
            return 2
        SETS[name](out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
