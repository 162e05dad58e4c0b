#!/usr/bin/env bash
# mapper.map's throughput and memory (docs/results.md, issue 17): a synthetic scene of SIZE x SIZE pixels
# (default 20,000) and the sample scene's 6 bands, a GDAL VRT that tiles L7_ETMs.tif (a few MB of XML,
# nothing big on disk), mapped by graphs/map-geology.toml into a Cloud-Optimized GeoTIFF. Prints the wall
# time, megapixels per second and the peak resident memory of the whole nfx run. The sample scene
# itself is mapped first for comparison. Needs a build and scripts/fetch-data.sh.
#
#   bash bench/mapper_throughput.sh [SIZE [BLOCK_ROWS]]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${NFX_DATA:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/data}
size=${1:-20000}
block_rows=${2:-0}
nfx="$root/build/release/bin/nfx"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
cd "$root"
"$nfx" run -q graphs/map-train.toml --set "model=$work/model.pt" --set train.k=9

python3 - "$data/stars/L7_ETMs.tif" "$size" > "$work/big.vrt" <<'PY'
import sys
source, size = sys.argv[1], int(sys.argv[2])
w, h, bands = 349, 352, 6  # L7_ETMs.tif
print(f'<VRTDataset rasterXSize="{size}" rasterYSize="{size}">')
print('  <GeoTransform>288776.3, 28.5, 0, 9120761.3, 0, -28.5</GeoTransform>')
for b in range(1, bands + 1):
    print(f'  <VRTRasterBand dataType="Byte" band="{b}">')
    for y in range(0, size, h):
        for x in range(0, size, w):
            cw, ch = min(w, size - x), min(h, size - y)
            print(f'    <SimpleSource><SourceFilename relativeToVRT="0">{source}</SourceFilename><SourceBand>{b}</SourceBand>'
                  f'<SrcRect xOff="0" yOff="0" xSize="{cw}" ySize="{ch}"/><DstRect xOff="{x}" yOff="{y}" xSize="{cw}" ySize="{ch}"/></SimpleSource>')
    print('  </VRTRasterBand>')
print('</VRTDataset>')
PY

map() {
  local scene=$1 pixels=$2
  /usr/bin/time -f "%e %M" -o "$work/time" "$nfx" run -q graphs/map-geology.toml --set "scene=$scene" --set "model=$work/model.pt" \
    --set "out=$work/map" --set "read.block_rows=$block_rows"
  read -r seconds kb < "$work/time"
  python3 -c "import sys; s, kb, px = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]); print(f'{sys.argv[4]}: {px / 1e6:.1f} MP in {s:.1f} s = {px / 1e6 / s:.2f} MP/s; peak RSS {kb / 1024:.0f} MiB; map {sys.argv[5]} bytes')" \
    "$seconds" "$kb" "$pixels" "$scene" "$(stat -c %s "$work/map/map.tif")"
}
map "$data/stars/L7_ETMs.tif" $((349 * 352))
map "$work/big.vrt" $((size * size))
