#!/usr/bin/python3
"""Side-by-side t-SNE benchmark: scikit-learn's TSNE and `aestudio-cli project --method tsne`
on the same input in one run, then our t-SNE on all 70k Fashion-MNIST images.

Input: PCA-50 of Fashion-MNIST pixels (scaled to [0, 1]), written to a TSV that both read.
Prints wall and CPU times, the speed ratios, and the kNN(10) accuracy of each embedding
against the labels (leave-one-out: each point's 10 nearest other points vote, ties to the
nearest). Both run with OMP_WAIT_POLICY=PASSIVE and the same thread count; CPU seconds
(user + system) are the fairer measure when other work shares the machine.

Usage: bench/tsne_vs_sklearn.py [--n 10000] [--skip-sklearn] [--skip-70k] [--threads 2]
Environment: CLI (default build/app/aestudio-cli), DATA (default /usr/share/datasets/fashion-mnist).
"""
import argparse
import gzip
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_sklearn():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(sudo + ["apt-get", "update"], check=True, env=env)
        subprocess.run(sudo + ["apt-get", "install", "-y", "--no-install-recommends", "python3-sklearn"],
                       check=True, env=env)


def read_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def fashion(data_dir, part):
    images = read_idx(f"{data_dir}/{part}-images-idx3-ubyte.gz", 16).reshape(-1, 784).astype(np.float64) / 255.0
    labels = read_idx(f"{data_dir}/{part}-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return images, labels


def pca50(x):
    x = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    return (x @ vt[:50].T).astype(np.float32)


def write_tsv(path, x):
    np.savetxt(path, x, fmt="%.7g", delimiter="\t")


def knn_accuracy(embedding, labels, k=10):
    from sklearn.neighbors import NearestNeighbors
    _, idx = NearestNeighbors(n_neighbors=k + 1).fit(embedding).kneighbors(embedding)
    correct = 0
    for i, row in enumerate(idx):
        votes = labels[[j for j in row if j != i][:k]]
        counts = np.bincount(votes, minlength=10)
        best = counts.max()
        winner = next(v for v in votes if counts[v] == best)  # nearest among the tied
        correct += winner == labels[i]
    return correct / len(labels)


def cpu_seconds(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def run_ours(cli, tsv, out, threads, extra=()):
    cmd = [cli, "project", tsv, "--method", "tsne", "--threads", str(threads), "--out", out, *extra]
    c0, t0 = cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    printed = done.stdout + done.stderr
    seconds, cpu = time.perf_counter() - t0, cpu_seconds(resource.RUSAGE_CHILDREN) - c0
    # "... tsne in 3.21 s; wrote ...": the embedding alone, as fit_transform is timed on the
    # peer's side (without the process start and library loading of either).
    found = re.search(r" in ([0-9.]+) s;", printed)
    inner = float(found.group(1)) if found else seconds
    return seconds, cpu, inner, np.loadtxt(out, delimiter="\t", dtype=np.float64)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10000, help="first N training images for the side-by-side run")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-sklearn", action="store_true")
    ap.add_argument("--skip-70k", action="store_true")
    args = ap.parse_args()
    cli = os.environ.get("CLI", os.path.join(ROOT, "build/app/aestudio-cli"))
    data_dir = os.environ.get("DATA", "/usr/share/datasets/fashion-mnist")
    ensure_sklearn()
    # Before scikit-learn loads libgomp, which reads these once.
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import sklearn
    from sklearn.manifold import TSNE

    tmp = tempfile.mkdtemp(prefix="aes-tsne-")
    try:
        train_x, train_y = fashion(data_dir, "train")
        x, y = pca50(train_x[:args.n]), train_y[:args.n]
        tsv = os.path.join(tmp, "fashion-pca50.tsv")
        write_tsv(tsv, x)
        print(f"== input: PCA-50 of the first {args.n} Fashion-MNIST training images, {args.threads} threads; "
              f"load average {os.getloadavg()[0]:.1f} (the machine may be shared: compare ratios)")

        ours_s, ours_cpu, ours_fit, ours = run_ours(cli, tsv, os.path.join(tmp, "ours.tsv"), args.threads)
        ours_acc = knn_accuracy(ours, y)
        print(f"aestudio t-SNE:          {ours_s:7.1f} s wall {ours_cpu:7.1f} s CPU   kNN(10) accuracy {ours_acc:.4f}"
              f"   (embedding alone {ours_fit:.2f} s; the rest: process start, reading and writing TSV)")

        if not args.skip_sklearn:
            c0, t0 = cpu_seconds(resource.RUSAGE_SELF), time.perf_counter()
            theirs = TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto",
                          random_state=0, n_jobs=args.threads).fit_transform(x)
            sk_s, sk_cpu = time.perf_counter() - t0, cpu_seconds(resource.RUSAGE_SELF) - c0
            sk_acc = knn_accuracy(theirs, y)
            print(f"scikit-learn {sklearn.__version__} TSNE: {sk_s:7.1f} s wall {sk_cpu:7.1f} s CPU   "
                  f"kNN(10) accuracy {sk_acc:.4f}")
            print(f"speed-up, aestudio / scikit-learn: {sk_s / ours_fit:.1f}x wall (embedding against fit_transform), "
                  f"{sk_s / ours_s:.1f}x with our whole command, {sk_cpu / ours_cpu:.1f}x CPU (whole command); "
                  f"CPU per wall second {ours_cpu / ours_s:.2f}; accuracy difference: {ours_acc - sk_acc:+.4f}; "
                  f"load average now {os.getloadavg()[0]:.1f}")

        if not args.skip_70k:
            test_x, test_y = fashion(data_dir, "t10k")
            x70, y70 = pca50(np.concatenate([train_x, test_x])), np.concatenate([train_y, test_y])
            tsv70 = os.path.join(tmp, "fashion70k-pca50.tsv")
            write_tsv(tsv70, x70)
            s70, cpu70, _, ours70 = run_ours(cli, tsv70, os.path.join(tmp, "ours70k.tsv"), args.threads)
            print(f"aestudio t-SNE, all {len(y70)} images: {s70:7.1f} s wall {cpu70:7.1f} s CPU   "
                  f"kNN(10) accuracy {knn_accuracy(ours70, y70):.4f}; load average now {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
