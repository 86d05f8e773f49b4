#!/usr/bin/env bash
# Checks that exported TorchScript archives load in Python (torch.jit.load) and give the
# app's numbers within 1e-5:
#  A. every model kind of tests/tst_torchscriptexport: the test keeps each archive and the
#     app's outputs (torch::pickle_save) in a folder; Python reruns encode/decode/forward;
#  B. end to end: aestudio-cli trains a small vae on a Fashion-MNIST subset and exports
#     --torchscript and --embeddings; Python encodes the same images and compares with
#     the app's vectors.tsv, and reads the archive's extra files.
# Usage: bench/check_torchscript_python.sh [BUILD_DIR]   (build first; needs python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build}"
PY=/usr/bin/python3
DATA="${DATA:-/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
export OMP_WAIT_POLICY=PASSIVE QT_QPA_PLATFORM=offscreen

echo "== A: every model kind (tst_torchscriptexport's archives and outputs)"
mkdir -p "$OUT/ref"
AES_EXPORT_REFERENCE_DIR="$OUT/ref" "$BUILD/tests/tst_torchscriptexport" reloadedModelGivesTheAppsNumbers >/dev/null
"$PY" - "$OUT/ref" <<'EOF'
import glob, os, sys, torch
worst, rows = 0.0, 0
for ref_path in sorted(glob.glob(os.path.join(sys.argv[1], "reference-*.pt"))):
    tag = os.path.basename(ref_path)[len("reference-"):-3]
    ref = torch.load(ref_path)
    model = torch.jit.load(os.path.join(sys.argv[1], f"model-{tag}.pt"))
    with torch.no_grad():
        diffs = {
            "encode": (model.encode(ref["x"]) - ref["z"]).abs().max().item(),
            "decode": (model.decode(ref["z"]) - ref["decoded"]).abs().max().item(),
            "forward": (model(ref["x"]) - ref["reconstructed"]).abs().max().item(),
        }
    rows += 1
    worst = max(worst, *diffs.values())
    print(f"  {tag:36s} " + "  ".join(f"{k} {v:.2e}" for k, v in diffs.items()))
    if max(diffs.values()) > 1e-5:
        sys.exit(f"{tag}: differs from the app by more than 1e-5")
if rows == 0:
    sys.exit("no reference archives were written")
print(f"  {rows} archives, max abs difference {worst:.2e} (limit 1e-5)")
EOF

echo "== B: aestudio-cli train + export, Python encodes the same images"
"$PY" - "$DATA" "$OUT/subset-images-idx3-ubyte" <<'EOF'
import gzip, struct, sys
with gzip.open(sys.argv[1]) as f:
    magic, n, h, w = struct.unpack(">IIII", f.read(16))
    count = 300
    pixels = f.read(count * h * w)
with open(sys.argv[2], "wb") as f:
    f.write(struct.pack(">IIII", magic, count, h, w) + pixels)
EOF
"$BUILD/app/aestudio-cli" train "$OUT/subset-images-idx3-ubyte" --out "$OUT/run" --model vae --latent 8 \
    --widths 8,16 --epochs 1 --batch 32 --threads 2 --no-knn 2>&1 | tail -n 1
"$BUILD/app/aestudio-cli" export "$OUT/run" --torchscript "$OUT/model.pt" --embeddings "$OUT/projector" --threads 2
"$PY" - "$OUT/subset-images-idx3-ubyte" "$OUT/model.pt" "$OUT/projector/vectors.tsv" <<'EOF'
import json, struct, sys, torch
with open(sys.argv[1], "rb") as f:
    _, n, h, w = struct.unpack(">IIII", f.read(16))
    x = torch.frombuffer(bytearray(f.read(n * h * w)), dtype=torch.uint8).view(n, 1, h, w).float() / 255
extra = {"preprocessing.json": "", "class_names.json": "", "model_options.json": ""}
model = torch.jit.load(sys.argv[2], _extra_files=extra)
pre = json.loads(extra["preprocessing.json"])
assert (pre["channels"], pre["height"], pre["width"]) == (1, h, w), pre
app = torch.tensor([[float(v) for v in line.split("\t")] for line in open(sys.argv[3]) if line.strip()])
with torch.no_grad():
    z = model.encode(x)
    y = model(x)
diff = (z - app).abs().max().item()
print(f"  {n} images: codes of torch.jit.load vs the app's vectors.tsv: max abs difference {diff:.2e} (limit 1e-5)")
print(f"  reconstruction {tuple(y.shape)}, range [{y.min().item():.3f}, {y.max().item():.3f}]; extra files: {sorted(extra)}")
if diff > 1e-5:
    sys.exit("the Python codes differ from the app's")
EOF
echo "OK: TorchScript archives load in Python torch $("$PY" -c 'import torch; print(torch.__version__)') with the app's numbers"
