#!/usr/bin/python3
"""The loading peer: a folder into one tensor the way a PyTorch user writes it.

torchvision ImageFolder with PIL (Grayscale for gray data) + ToTensor, stacked into one tensor.
Prints one JSON line: images, seconds, peak_rss_mib (of this process, interpreter included).
Usage: peer_load.py FOLDER [--gray] [--threads N]
"""
import argparse, json, resource, sys, time

import torch
from torchvision import datasets, transforms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--gray", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    steps = ([transforms.Grayscale()] if args.gray else []) + [transforms.ToTensor()]
    ds = datasets.ImageFolder(args.folder, transform=transforms.Compose(steps))
    x = torch.stack([img for img, _ in ds])
    seconds = time.perf_counter() - t0
    print(json.dumps({"images": len(x), "shape": list(x.shape), "seconds": seconds,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
