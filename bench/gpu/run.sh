#!/usr/bin/env bash
# The GPU benchmark on the lent machine, from the project root, after bench/gpu/pack.sh here:
#   source .gpu/prelude.sh; bash .bench/run.sh
# Stages, each bounded in time and each writing its own log and JSON into $OUT, so that one
# failing stage loses no other's figures: unpack, PyTorch (exports ResNet-50 and EfficientNet-B0
# into .bench/models, times all four models), one Node process per model (Kiln and onnxruntime-web
# on the same bytes), creation with and without the compiled-model cache, the dispatch floor
# (bench/gpu/floor.ts), then results.json, results.md and chart.svg. The whole run stays under
# BENCH_DEADLINE_S seconds (default 420). Knobs for a local try: BENCH_RUNS, BENCH_WARMUP,
# BENCH_BUDGET_S, BENCH_MODELS, BENCH_NODE_TIMEOUT_S (per model, default 60), BENCH_PYTHON,
# BENCH_SKIP_TORCH=1, BENCH_SKIP_CREATE=1, BENCH_ENGINES (default ort,kiln).
set -u
cd "$(dirname "$0")/.."
b=.bench
out=${OUT:-/tmp/kiln-bench-out}
mkdir -p "$out" "$b/models" "$b/ort"
t_start=$(date +%s)
deadline=$((t_start + ${BENCH_DEADLINE_S:-420}))
: > "$out/stages.tsv"

# stage NAME LIMIT_S CMD...: runs CMD with its output in $out/NAME.log, bounded by LIMIT_S and by
# what is left of the deadline; records NAME, exit status and seconds in stages.tsv.
stage() {
  local name=$1 limit=$2; shift 2
  local left=$((deadline - $(date +%s) - 20))
  [ "$left" -lt "$limit" ] && limit=$left
  if [ "$limit" -le 5 ]; then
    printf '%s\t%s\t%s\n' "$name" 124 0 >> "$out/stages.tsv"
    echo "== $name: skipped, out of time" | tee "$out/$name.log"
    return
  fi
  local t0=$(date +%s)
  echo "== $name (at most ${limit}s)"
  timeout -k 5 "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  printf '%s\t%s\t%s\n' "$name" "$rc" "$(($(date +%s) - t0))" >> "$out/stages.tsv"
  tail -n 12 "$out/$name.log"
  echo "== $name: exit $rc after $(($(date +%s) - t0))s"
}

unpack='set -e
  xz -dc .bench/ort/ort-wasm-simd-threaded.asyncify.wasm.xz > .bench/ort/ort-wasm-simd-threaded.asyncify.wasm
  for f in .bench/models/*.onnx.xz; do xz -dc "$f" > "${f%.xz}"; done
  ls -l .bench/models .bench/ort'

{
  echo "commit: $(cat $b/commit.txt 2>/dev/null)"
  echo "date: $(date -u +%FT%TZ)"
  echo "node: $(node --version 2>&1)  DAWN_NODE=${DAWN_NODE:-unset}  VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1
  python3 -c 'import torch, torchvision, onnx; print("torch", torch.__version__, "torchvision", torchvision.__version__, "onnx", onnx.__version__)' 2>&1
} > "$out/env.txt"
cat "$out/env.txt"
[ -n "${DAWN_NODE:-}" ] || echo "run.sh: DAWN_NODE is not set (was .gpu/prelude.sh sourced?): using the webgpu package if there is one"

stage unpack 60 bash -c "$unpack"
py=${BENCH_PYTHON:-python3}
[ -n "${BENCH_PYTHON:-}" ] || for p in python3 python; do "$p" -c 'import torch' 2>/dev/null && { py=$p; break; }; done
[ -n "${BENCH_SKIP_TORCH:-}" ] || stage torch 110 "$py" $b/torch_bench.py --export-dir $b/models --out "$out/torch.json" --runs 200 --warmup 20 --budget-s 3

runs=${BENCH_RUNS:-100} warmup=${BENCH_WARMUP:-10} budget=${BENCH_BUDGET_S:-10}
for m in ${BENCH_MODELS:-mobilenet_v2 resnet50 squeezenet1_1 efficientnet_b0}; do
  if [ ! -f "$b/models/$m.onnx" ]; then
    printf '%s\t%s\t%s\n' "bench-$m" 2 0 >> "$out/stages.tsv"
    echo "== bench-$m: $b/models/$m.onnx is missing (see torch.log)" | tee "$out/bench-$m.log"
    continue
  fi
  # onnxruntime-web first: should Kiln run past the limit, the model's file still has ort's figures.
  stage "bench-$m" "${BENCH_NODE_TIMEOUT_S:-60}" node $b/bench.mjs --engines "${BENCH_ENGINES:-ort,kiln}" --ort-dir $b/ort --runs "$runs" --warmup "$warmup" \
    --profile-runs 10 --budget-s "$budget" --out "$out/bench-$m.json" "$b/models/$m.onnx"
done

# Creation without and with the compiled-model cache, each in a fresh process (bench/create/cache.ts).
[ -n "${BENCH_SKIP_CREATE:-}" ] || stage create-cache 90 node $b/create.mjs --backend webgpu --model $b/models/mobilenet_v2.onnx --runs 5 --json "$out/create-cache.json"

# What dawn.node costs a run with no model: upload, N trivial dispatches, readback (bench/gpu/floor.ts).
stage floor 30 node $b/floor.mjs --json "$out/floor.json"

# What each pipeline costs to create, with the driver's shader cache off (a fresh machine) and on
# (bench/gpu/pipelines.ts).
pm=$(for m in ${BENCH_MODELS:-mobilenet_v2 resnet50 squeezenet1_1 efficientnet_b0}; do [ -f "$b/models/$m.onnx" ] && echo "$b/models/$m.onnx"; done)
stage pipelines-cold 60 env __GL_SHADER_DISK_CACHE=0 node $b/pipelines.mjs $pm --json "$out/pipelines-cold.json"
stage pipelines-warm 60 node $b/pipelines.mjs $pm --json "$out/pipelines-warm.json"

stage report 30 node $b/report.mjs "$out" --results-out "$out/results.json" --md "$out/results.md" --svg "$out/chart.svg"
# Few files come back from the lent machine: the logs and per-stage JSON travel as one archive.
(cd "$out" && tar czf logs.tar.gz --exclude results.json --exclude results.md --exclude chart.svg --exclude logs.tar.gz ./* &&
  find . -maxdepth 1 -type f ! -name results.json ! -name results.md ! -name chart.svg ! -name logs.tar.gz -delete)
echo "run.sh: done in $(($(date +%s) - t_start))s; files in $out:"
ls -l "$out"
