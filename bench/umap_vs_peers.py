#!/usr/bin/python3
"""Side-by-side UMAP benchmark: umap-learn, uwot (R, C++ core) and `aestudio-cli project --method umap`
on the same input in one run, then aestudio (and optionally the peers) on all 70k Fashion-MNIST images.

Input: PCA-50 of the 10k Fashion-MNIST test images (pixels scaled to [0, 1]), written to a TSV that
all three read; n_neighbors 15, min_dist 0.1, every other option at its default.
Prints each one's wall time of the embedding alone (reading the input excluded: umap-learn's fit, uwot's
umap() call, the CLI's own "in N s") and of its whole process, CPU seconds, kNN(10) accuracy
(leave-one-out: each point's 10 nearest other points vote, ties to the nearest), trustworthiness
(k = 15, against the PCA-50 input) and our t-SNE's kNN(10) on the same input for reference.

umap-learn runs in parallel (no random_state) with NUMBA_NUM_THREADS = --threads, after a warm-up fit on
500 points so that numba's compilation is not counted (its time is printed); uwot runs with n_threads =
--threads (its SGD single-threaded, the default). Peers are installed with bench/install-packages.sh.

Usage: bench/umap_vs_peers.py [--threads 2] [--skip-peers] [--skip-70k] [--peers-70k] [--skip-tsne]
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


def neighbours(x, k, chunk=1000):
    """Indices of the k nearest other rows of x (exact, squared Euclidean), nearest first."""
    x = x.astype(np.float64)
    sq = (x * x).sum(1)
    out = np.empty((len(x), k), dtype=np.int64)
    for s in range(0, len(x), chunk):
        d = sq[s:s + chunk, None] - 2.0 * x[s:s + chunk] @ x.T + sq[None, :]
        d[np.arange(len(d)), np.arange(s, s + len(d))] = np.inf
        idx = np.argpartition(d, k, axis=1)[:, :k]
        order = np.argsort(np.take_along_axis(d, idx, 1), axis=1)
        out[s:s + chunk] = np.take_along_axis(idx, order, 1)
    return out


def knn_accuracy(embedding, labels, k=10):
    idx = neighbours(embedding, k)
    correct = 0
    for i, votes in enumerate(labels[idx]):
        counts = np.bincount(votes, minlength=labels.max() + 1)
        best = counts.max()
        winner = next(v for v in votes if counts[v] == best)  # nearest among the tied
        correct += winner == labels[i]
    return correct / len(labels)


def trustworthiness(x, embedding, k=15, chunk=500):
    """sklearn.manifold.trustworthiness (Venna and Kaski), computed by chunks: the input ranks of the
    embedding's k nearest neighbours that are not among the input's k nearest."""
    n = len(x)
    x = x.astype(np.float64)
    sq = (x * x).sum(1)
    near_in = neighbours(x, k)
    near_out = neighbours(embedding, k)
    penalty = 0.0
    for s in range(0, n, chunk):
        d = sq[s:s + chunk, None] - 2.0 * x[s:s + chunk] @ x.T + sq[None, :]
        rows = np.arange(len(d))
        d[rows, np.arange(s, s + len(d))] = -np.inf  # self: rank 0
        for r in rows:
            i = s + r
            missing = np.setdiff1d(near_out[i], near_in[i], assume_unique=True)
            if len(missing):
                ranks = (d[r][None, :] < d[r][missing][:, None]).sum(1)  # self counted: nearest other = 1
                penalty += (ranks - k).sum()
    return 1.0 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)) * penalty


def cpu_seconds(who):
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def run_ours(cli, tsv, out, threads, method="umap"):
    cmd = [cli, "project", tsv, "--method", method, "--threads", str(threads), "--out", out]
    c0, t0 = cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, cpu_seconds(resource.RUSAGE_CHILDREN) - c0
    inner = float(re.search(r" in ([0-9.]+) s;", done.stderr).group(1))
    return inner, wall, cpu, np.loadtxt(out, delimiter="\t", dtype=np.float64)


UWOT_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(uwot))
x <- as.matrix(data.table::fread(args[1], header = FALSE))
t0 <- proc.time()
e <- umap(x, n_neighbors = 15, min_dist = 0.1, n_threads = as.integer(args[3]))
t <- proc.time() - t0
write.table(e, args[2], sep = "\t", row.names = FALSE, col.names = FALSE)
cat(sprintf("uwot %s %.3f\n", as.character(packageVersion("uwot")), t[["elapsed"]]))
"""

UWOT_SCRIPT_BASE_R = UWOT_SCRIPT.replace('data.table::fread(args[1], header = FALSE)',
                                         'read.table(args[1], header = FALSE, sep = "\\t")')


def run_uwot(tsv, out, threads, tmp):
    script = os.path.join(tmp, "uwot.R")
    has_fread = subprocess.run(["Rscript", "-e", "quit(status = !requireNamespace('data.table', quietly = TRUE))"],
                               capture_output=True).returncode == 0
    with open(script, "w") as f:
        f.write(UWOT_SCRIPT if has_fread else UWOT_SCRIPT_BASE_R)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    c0, t0 = cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run(["Rscript", script, tsv, out, str(threads)], check=True, capture_output=True, text=True,
                          env=env)
    wall, cpu = time.perf_counter() - t0, cpu_seconds(resource.RUSAGE_CHILDREN) - c0
    m = re.search(r"uwot (\S+) ([0-9.]+)", done.stdout)
    return m.group(1), float(m.group(2)), wall, cpu, np.loadtxt(out, delimiter="\t", dtype=np.float64)


def run_umap_learn(x, threads):
    """In a child process, so that numba's threads and CPU time are its own."""
    code = f"""
import os, sys, time, resource, numpy as np
os.environ["NUMBA_NUM_THREADS"] = "{threads}"
import umap
x = np.load(sys.argv[1])
t0 = time.perf_counter()
umap.UMAP(n_neighbors=15, min_dist=0.1).fit_transform(x[:500])
warm = time.perf_counter() - t0
c0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter()
e = umap.UMAP(n_neighbors=15, min_dist=0.1).fit_transform(x)
s = time.perf_counter() - t0
c1 = resource.getrusage(resource.RUSAGE_SELF)
np.save(sys.argv[2], e)
print("umap-learn", umap.__version__ if hasattr(umap, "__version__") else "?", warm, s,
      (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime))
"""
    tmp = tempfile.mkdtemp(prefix="aes-umap-learn-")
    try:
        np.save(os.path.join(tmp, "x.npy"), x)
        env = dict(os.environ, NUMBA_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads))
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", code, os.path.join(tmp, "x.npy"), os.path.join(tmp, "e.npy")],
                              check=True, capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t0
        _, version, warm, inner, cpu = done.stdout.split()[-5:]
        return version, float(warm), float(inner), wall, float(cpu), np.load(os.path.join(tmp, "e.npy"))
    finally:
        shutil.rmtree(tmp)


def umap_learn_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "umap-learn"], capture_output=True, text=True)
        return out.stdout.strip() or "?"
    except OSError:
        return "?"


def report(name, inner, wall, cpu, emb, x, y, with_trust=True):
    acc = knn_accuracy(emb, y)
    trust = f"   trustworthiness(15) {trustworthiness(x, emb):.4f}" if with_trust else ""
    print(f"{name:<22} {inner:7.2f} s ({wall:6.2f} s process)  {cpu:7.2f} s CPU ({cpu / wall:.2f} per wall s)   "
          f"kNN(10) {acc:.4f}{trust}", flush=True)
    return acc


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-peers", action="store_true")
    ap.add_argument("--skip-70k", action="store_true")
    ap.add_argument("--peers-70k", action="store_true", help="also run the peers on 70k (minutes)")
    ap.add_argument("--skip-tsne", action="store_true", help="skip our t-SNE's kNN(10) reference on 10k")
    args = ap.parse_args()
    cli = os.environ.get("CLI", os.path.join(ROOT, "build/app/aestudio-cli"))
    data_dir = os.environ.get("DATA", "/usr/share/datasets/fashion-mnist")
    if not args.skip_peers:
        subprocess.run([os.path.join(ROOT, "bench/install-packages.sh"), "umap-learn", "r-cran-uwot"], check=True)
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"

    tmp = tempfile.mkdtemp(prefix="aes-umap-")
    try:
        test_x, test_y = fashion(data_dir, "t10k")
        x, y = pca50(test_x), test_y
        tsv = os.path.join(tmp, "fashion-test-pca50.tsv")
        np.savetxt(tsv, x, fmt="%.7g", delimiter="\t")
        print(f"== input: PCA-50 of the {len(y)} Fashion-MNIST test images; n_neighbors 15, min_dist 0.1; "
              f"{args.threads} threads; load average {os.getloadavg()[0]:.2f} (the machine may be shared: "
              f"compare ratios)", flush=True)
        print("                       embedding (whole process)   CPU                              quality", flush=True)
        inner, wall, cpu, ours = run_ours(cli, tsv, os.path.join(tmp, "ours.tsv"), args.threads)
        report("aestudio UMAP", inner, wall, cpu, ours, x, y)
        if not args.skip_peers:
            version, warm, l_inner, l_wall, l_cpu, learn = run_umap_learn(x, args.threads)
            report(f"umap-learn {umap_learn_version().split('+')[0]}", l_inner, l_wall, l_cpu, learn, x, y)
            print(f"    (umap-learn's numba warm-up fit on 500 points, not counted: {warm:.1f} s)")
            u_version, u_inner, u_wall, u_cpu, uw = run_uwot(tsv, os.path.join(tmp, "uwot.tsv"), args.threads, tmp)
            report(f"uwot {u_version}", u_inner, u_wall, u_cpu, uw, x, y)
            print(f"speed-up of aestudio's embedding: {l_inner / inner:.1f}x umap-learn, {u_inner / inner:.1f}x uwot; "
                  f"load average now {os.getloadavg()[0]:.2f}", flush=True)
        if not args.skip_tsne:
            t_inner, t_wall, t_cpu, tsne = run_ours(cli, tsv, os.path.join(tmp, "tsne.tsv"), args.threads, "tsne")
            report("aestudio t-SNE (ref.)", t_inner, t_wall, t_cpu, tsne, x, y, with_trust=False)

        if not args.skip_70k:
            train_x, train_y = fashion(data_dir, "train")
            x70, y70 = pca50(np.concatenate([train_x, test_x])), np.concatenate([train_y, test_y])
            tsv70 = os.path.join(tmp, "fashion70k-pca50.tsv")
            np.savetxt(tsv70, x70, fmt="%.7g", delimiter="\t")
            print(f"== all {len(y70)} images; load average {os.getloadavg()[0]:.2f}", flush=True)
            inner, wall, cpu, ours70 = run_ours(cli, tsv70, os.path.join(tmp, "ours70k.tsv"), args.threads)
            report("aestudio UMAP", inner, wall, cpu, ours70, x70, y70, with_trust=False)
            if args.peers_70k and not args.skip_peers:
                _, _, l_inner, l_wall, l_cpu, learn = run_umap_learn(x70, args.threads)
                report("umap-learn", l_inner, l_wall, l_cpu, learn, x70, y70, with_trust=False)
                _, u_inner, u_wall, u_cpu, uw = run_uwot(tsv70, os.path.join(tmp, "uwot70k.tsv"), args.threads, tmp)
                report("uwot", u_inner, u_wall, u_cpu, uw, x70, y70, with_trust=False)
            print(f"load average now {os.getloadavg()[0]:.2f}", flush=True)
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
