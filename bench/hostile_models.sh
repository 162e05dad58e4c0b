#!/usr/bin/env bash
# The hostile-model table of docs/results.md (issue 33): crafted TF.js and ncnn files, and settings that cannot
# work, each given to graphs/sr-upscale.toml (x2 or x4 on the sample butterfly). Prints per case the exit
# status, the first line of the error, the wall time and the peak memory (/usr/bin/time), and whether an
# output file was written. Needs a build.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nfx=$root/build/release/bin/nfx
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A TF.js model: input -> Conv2D 3x3 (FILTERS, 'same') -> UpSampling2D(UP), weights all VALUE; EDIT is Python
# applied to the JSON `m` before it is written.
tfjs() {  # dir filters up value edit
  mkdir -p "$1"
  python3 - "$@" <<'PY'
import json, struct, sys
d, filters, up, value, edit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
def inbound(name): return [[[name, 0, 0, {}]]]
layers = [{"class_name": "InputLayer", "name": "in", "config": {}, "inbound_nodes": []},
          {"class_name": "Conv2D", "name": "conv", "config": {"padding": "same", "activation": "linear"}, "inbound_nodes": inbound("in")},
          {"class_name": "UpSampling2D", "name": "up", "config": {"size": [up, up]}, "inbound_nodes": inbound("conv")}]
weights = [{"name": "conv/kernel", "shape": [3, 3, 3, filters], "dtype": "float32"},
           {"name": "conv/bias", "shape": [filters], "dtype": "float32"}]
m = {"format": "layers-model",
     "modelTopology": {"model_config": {"config": {"layers": layers, "output_layers": [["up", 0, 0]]}}},
     "weightsManifest": [{"paths": ["shard.bin"], "weights": weights}]}
exec(edit)
json.dump(m, open(d + "/model.json", "w"))
open(d + "/shard.bin", "wb").write(struct.pack("<%df" % (28 * filters), *([value] * (28 * filters))))
PY
}

ncnn() {  # dir layer-lines...
  mkdir -p "$1"
  printf '7767517\n2 2\nInput in 0 1 data\n' >"$1/m.param"
  shift_dir=$1; shift
  printf '%s\n' "$@" >>"$shift_dir/m.param"
  head -c 4096 /dev/zero >"$shift_dir/m.bin"
}

run() {  # label, then nfx --set arguments
  local label=$1; shift
  rm -rf "$work/out"
  local status=0
  /usr/bin/time -f "%e %M" -o "$work/time" "$nfx" run "$root/graphs/sr-upscale.toml" -q --set "out=$work/out" "$@" \
    >/dev/null 2>"$work/err" || status=$?
  read -r seconds kib < <(tail -1 "$work/time")
  local message
  message=$(grep -v '^Command exited' "$work/err" | grep -m1 -E 'error|nfx:' | sed "s|$work/||g; s|$root/||g" | cut -c1-240 || true)
  local written=no
  if [[ -n $(ls -A "$work/out" 2>/dev/null) ]]; then written=yes; fi
  printf '| %s | %s | %s | %s s | %s MiB | %s |\n' "$label" "$status" "${message:-}" "$seconds" "$((kib / 1024))" "$written"
}

echo "| file or setting | exit | message | time | peak memory | output written |"
echo "|---|---|---|---|---|---|"
tfjs "$work/ok" 3 2 0.01 ''
run "well-formed TF.js model (control)" --set "up.model=$work/ok/model.json" --set up.scale=2
tfjs "$work/c12" 12 4 0.01 ''
run "TF.js output of 12 channels" --set "up.model=$work/c12/model.json" --set up.scale=4
tfjs "$work/c1" 1 4 0.01 ''
run "TF.js output of 1 channel" --set "up.model=$work/c1/model.json" --set up.scale=4
tfjs "$work/nan" 3 2 nan ''
run "TF.js weights NaN" --set "up.model=$work/nan/model.json" --set up.scale=2
tfjs "$work/inf" 3 2 inf ''
run "TF.js weights Inf" --set "up.model=$work/inf/model.json" --set up.scale=2
tfjs "$work/big" 3 2 0.01 ''
truncate -s 300M "$work/big/model.json"
run "model.json of 300 MB" --set "up.model=$work/big/model.json" --set up.scale=2
tfjs "$work/fifo" 3 2 0.01 ''
rm "$work/fifo/shard.bin" && mkfifo "$work/fifo/shard.bin"
run "weight shard a FIFO" --set "up.model=$work/fifo/model.json" --set up.scale=2
tfjs "$work/zero" 3 2 0.01 ''
ln -sf /dev/zero "$work/zero/shard.bin"
run "weight shard /dev/zero" --set "up.model=$work/zero/model.json" --set up.scale=2
tfjs "$work/up200" 3 200 0.01 ''
run "UpSampling2D of 200" --set "up.model=$work/up200/model.json" --set up.scale=2
tfjs "$work/type" 3 2 0.01 'm["weightsManifest"][0]["weights"][0]["shape"][1] = "x"'
run "TF.js shape holding a string" --set "up.model=$work/type/model.json" --set up.scale=2
tfjs "$work/neg" 3 2 0.01 'm["weightsManifest"][0]["weights"][0]["shape"][2] = -9'
run "TF.js shape dimension -9" --set "up.model=$work/neg/model.json" --set up.scale=2
ncnn "$work/k0" "Convolution c 1 1 data out 0=3 1=0 6=27"
run "ncnn kernel size 0" --set "up.model=$work/k0/m.param" --set up.scale=2
ncnn "$work/wrap" "Convolution c 1 1 data out 0=1073741824 1=4 11=4 6=0"
run "ncnn dimensions whose product wraps" --set "up.model=$work/wrap/m.param" --set up.scale=2
ncnn "$work/ps0" "PixelShuffle ps 1 1 data out 0=0"
run "ncnn PixelShuffle factor 0" --set "up.model=$work/ps0/m.param" --set up.scale=2
ncnn "$work/dup" "Split s 1 2 data a b" "Split t 1 1 a b"
run "ncnn blob name made twice" --set "up.model=$work/dup/m.param" --set up.scale=2
ncnn "$work/tops" "Split s 1 2147483647 data a"
run "ncnn layer of 2^31 outputs" --set "up.model=$work/tops/m.param" --set up.scale=2
run "tile = 32, overlap = 1024" --set up.model=bicubic --set up.tile=32 --set up.overlap=1024
run "tile = 64 for realesrgan-x4plus (reach 92)" --set up.model=realesrgan-x4plus --set up.tile=64
