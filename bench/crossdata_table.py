#!/usr/bin/python3
"""One row of bench/crossdata.sh's table from the peer's JSON lines and an aestudio run directory.
Usage: crossdata_table.py SET PEER_JSONL RUN_DIR"""
import csv, json, os, sys

name, peer_path, run = sys.argv[1:4]
peer = [json.loads(line) for line in open(peer_path) if line.startswith("{")]
ours = list(csv.DictReader(open(os.path.join(run, "history.csv"))))
summary = json.load(open(os.path.join(run, "summary.json")))
target = peer[-1]["val_mse"]
peer_time = peer[-1]["seconds"]      # training only: the peer's validation is not counted
peer_wall = peer[-1]["wall"]
reach = next((r for r in ours if float(r["val_mse"]) <= target), None)
within = [r for r in ours if float(r["seconds"]) <= peer_wall] or ours[:1]
at_equal = within[-1]
final = ours[-1]
model = summary.get("model", {})
train = summary.get("training", summary.get("train", {}))
ds = summary.get("dataset", {})
print(f"{name}: {ds.get('images')} images {ds.get('width')}x{ds.get('height')}x{ds.get('channels')}; ours: "
      f"latent {model.get('latent')}, widths {model.get('widths') or 'default'}, batch {train.get('batch')}, "
      f"{train.get('epochs')} epochs, {train.get('schedule')} schedule, {summary.get('threads')} threads")
print(f"  peer {len(peer)} epochs: val MSE {target:.5f}, PSNR {peer[-1]['val_psnr']:.2f} dB, "
      f"{peer_time:.1f} s training ({peer_wall:.1f} s with validation)")
if reach:
    t = float(reach["seconds"])
    print(f"  ours reached it at epoch {reach['epoch']}, {t:.1f} s: {peer_time / t:.1f}x sooner")
else:
    print(f"  ours never reached it (best {min(float(r['val_mse']) for r in ours):.5f})")
print(f"  at equal time (<= {peer_wall:.1f} s): ours epoch {at_equal['epoch']} ({float(at_equal['seconds']):.1f} s) "
      f"val MSE {float(at_equal['val_mse']):.5f}, PSNR {float(at_equal['val_psnr']):.2f} dB "
      f"vs peer {target:.5f}, {peer[-1]['val_psnr']:.2f} dB")
print(f"  ours final: epoch {final['epoch']}, {float(final['seconds']):.1f} s, val MSE {float(final['val_mse']):.5f}, "
      f"PSNR {float(final['val_psnr']):.2f} dB")
print("  TABLE | %s | %.5f / %.2f dB / %.1f s | %s | %s | %.5f / %.2f dB (%.1f s) |" % (
    name, target, peer[-1]["val_psnr"], peer_time,
    f"{float(reach['seconds']):.1f} s (epoch {reach['epoch']})" if reach else "never",
    f"{peer_time / float(reach['seconds']):.1f}x" if reach else "-",
    float(at_equal["val_mse"]), float(at_equal["val_psnr"]), float(at_equal["seconds"])), flush=True)
