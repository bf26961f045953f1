#!/usr/bin/env bash
# Packs the GPU benchmark for the lent GPU machine into .bench/ (git-ignored), beside the .gpu/ that
# ../shared/tools/gpu/prep.sh packs (node, dawn.node, Vulkan loader): bench.ts bundled into one ESM
# file (Dawn stays outside: $DAWN_NODE there), report.ts likewise, onnxruntime-web's WebGPU build,
# the two shared models, torch_bench.py and run.sh. Carry both; the device command is
#   source .gpu/prelude.sh; bash .bench/run.sh
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
shared=${KILN_SHARED:-$root/../shared}
bash "$shared/tools/gpu/prep.sh" >/dev/null
grep -qx '/.bench/' .git/info/exclude 2>/dev/null || echo '/.bench/' >> .git/info/exclude

b=.bench
mkdir -p "$b/ort" "$b/models"
# What run.sh unpacked or wrote here in a local try must not travel: keep only the compressed files.
find "$b" -type f ! -name '*.xz' -delete

# The WASM backend's build-time compiler (assemblyscript, binaryen) never runs on the GPU machine.
esb=(npx --no-install esbuild --bundle --platform=node --format=esm --target=node20 --log-level=warning --legal-comments=none
  --external:webgpu --external:assemblyscript --external:binaryen
  "--banner:js=import { createRequire as __kilnRequire } from 'node:module'; const require = __kilnRequire(import.meta.url);")
"${esb[@]}" bench/gpu/bench.ts --outfile="$b/bench.mjs"
"${esb[@]}" bench/gpu/report.ts --outfile="$b/report.mjs"
"${esb[@]}" bench/create/cache.ts --outfile="$b/create.mjs"
"${esb[@]}" bench/gpu/floor.ts --outfile="$b/floor.mjs"
"${esb[@]}" bench/gpu/pipelines.ts --outfile="$b/pipelines.mjs"

ort=node_modules/onnxruntime-web/dist
cp "$ort/ort.webgpu.bundle.min.mjs" "$b/ort/"
xzc() { [ "$2" -nt "$1" ] || xz -T2 -6 -c "$1" > "$2"; }
xzc "$ort/ort-wasm-simd-threaded.asyncify.wasm" "$b/ort/ort-wasm-simd-threaded.asyncify.wasm.xz"
for m in mobilenet_v2 squeezenet1_1; do xzc "$shared/models/$m.onnx" "$b/models/$m.onnx.xz"; done
cp bench/gpu/torch_bench.py bench/gpu/run.sh "$b/"
echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo +dirty)" > "$b/commit.txt"

# Everything that travels: the working tree (tracked and untracked files git does not ignore) plus .gpu and .bench.
tree=$(git ls-files -z -co --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s+=$1} END {print s+0}')
carried=$(du -sb .gpu "$b" | awk '{s+=$1} END {print s}')
total=$((tree + carried))
awk -v t="$tree" -v a="$total" -v g="$(du -sh .gpu | cut -f1)" -v b="$(du -sh "$b" | cut -f1)" \
  'BEGIN { printf "packed: .gpu %s, .bench %s, working tree %.1f MiB; total %.1f MiB of 64\n", g, b, t / 1048576, a / 1048576 }'
[ "$total" -lt $((60 * 1048576)) ] || { echo "pack.sh: $total bytes is too close to the 64 MiB that may travel" >&2; exit 1; }
