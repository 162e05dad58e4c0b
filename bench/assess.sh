#!/usr/bin/env bash
# The imbalance comparison of docs/results.md (issue 18), one JSON per run in OUT (default
# out/bench/assess), resumable: a run whose JSON exists is skipped, so the sweep can be stopped and started
# again. Fashion-MNIST with classes 2, 4, 6 (pullover, coat, shirt: the ones most alike) kept at 2% and at
# 10% of their training items, and the digits with the 8s at 2%; each remedy with a fixed time budget
# (the GAN's own training on top, its time recorded); seeds 1 to 3, seed by seed. Stops starting runs after
# MINUTES (default: no limit). Then bench/assess_table.py OUT prints the tables.
# Needs a build and scripts/fetch-data.sh.
#
#   bash bench/assess.sh [MINUTES [OUT]]      env: SECONDS_FASHION (90) GAN_FASHION (180) SECONDS_DIGITS (30) GAN_DIGITS (90)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${NFX_DATA:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/data}
minutes=${1:-0}
out=${2:-$root/out/bench/assess}
mkdir -p "$out"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores" | tee "$out/cpu.txt"
start=$(date +%s)
run() {  # NAME ARGS...
  local name=$1
  shift
  [[ -f "$out/$name.json" ]] && return 0
  if [[ $minutes != 0 ]] && (($(date +%s) - start > minutes * 60)); then
    echo "time budget of $minutes min spent; run again to go on"
    exit 0
  fi
  /usr/bin/time -f "$name: %e s, peak %M KB" "$root/build/release/bin/bench_assess" "$out/$name.json" "$@" 2> >(grep -v '^epoch' >&2)
}
for seed in 1 2 3; do
  for remedy in plain class-weights oversampling smote focal gan; do
    for share in 0.02 0.10; do
      run "fashion-$share-$remedy-$seed" data=fashion dir="$data/fashion-mnist" share=$share rare=2,4,6 remedy=$remedy seed=$seed \
        seconds="${SECONDS_FASHION:-90}" gan_seconds="${GAN_FASHION:-180}"
    done
    run "digits-0.02-$remedy-$seed" data=digits dir="$data/digits.png" share=0.02 rare=8 remedy=$remedy seed=$seed \
      seconds="${SECONDS_DIGITS:-30}" gan_seconds="${GAN_DIGITS:-90}"
  done
done
python3 "$root/bench/assess_table.py" "$out"
