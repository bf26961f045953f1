#!/usr/bin/env python3
"""The native baseline of the GPU benchmark, run on the lent GPU machine (PyTorch with CUDA,
torchvision, onnx). Exports the torchvision models that are too large to keep in ../shared/models
(ResNet-50, EfficientNet-B0) exactly as those were made (random seeded weights, eval, opset 17,
input `input` [1,3,224,224] float32, output `logits`), then times batch-1 fp32 inference of every
model with CUDA eager and CUDA graphs. Weights do not change speed, so the timed models are plain
torchvision architectures. Writes one JSON object to --out after every step and prints it last.

  python3 torch_bench.py --export-dir .bench/models --out torch.json [--runs 200] [--warmup 20]
"""

import argparse
import inspect
import json
import os
import sys
import time
import traceback

import torch
import torchvision

MODELS = ["mobilenet_v2", "resnet50", "squeezenet1_1", "efficientnet_b0"]
EXPORT = ["resnet50", "efficientnet_b0"]
SHAPE = (1, 3, 224, 224)


def build(name):
    torch.manual_seed(0)
    return getattr(torchvision.models, name)(weights=None).eval()


def export(name, path):
    """The legacy (TorchScript) exporter, as ../shared/models were made; dynamo if it is gone."""
    model = build(name)
    x = torch.randn(*SHAPE)
    common = dict(opset_version=17, input_names=["input"], output_names=["logits"])
    t0 = time.perf_counter()
    # torch 2.9+ defaults to dynamo=True; older releases have no such argument.
    legacy = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    try:
        torch.onnx.export(model, (x,), path, **legacy, **common)
        exporter = "legacy"
    except Exception as legacy_error:  # noqa: BLE001 - fall back to the other exporter
        print(f"legacy exporter failed for {name}: {legacy_error!r}; trying dynamo", file=sys.stderr)
        torch.onnx.export(model, (x,), path, dynamo=True, external_data=False, **common)
        exporter = "dynamo"
    seconds = time.perf_counter() - t0
    import onnx

    m = onnx.load(path)
    onnx.checker.check_model(m)
    ins = [(i.name, [d.dim_value for d in i.type.tensor_type.shape.dim]) for i in m.graph.input]
    outs = [(o.name, [d.dim_value for d in o.type.tensor_type.shape.dim]) for o in m.graph.output]
    return {
        "ok": True,
        "exporter": exporter,
        "file": path,
        "bytes": os.path.getsize(path),
        "seconds": round(seconds, 2),
        "opset": max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx")),
        "inputs": ins,
        "outputs": outs,
    }


def stats(times):
    times = sorted(times)
    return {
        "p50_ms": round(times[(len(times) - 1) // 2], 4),
        "min_ms": round(times[0], 4),
        "mean_ms": round(sum(times) / len(times), 4),
        "runs": len(times),
    }


def timed(fn, runs, budget_s):
    """GPU-side time of each call, from CUDA events on the current stream."""
    times = []
    deadline = time.perf_counter() + budget_s
    while len(times) < runs and (not times or time.perf_counter() < deadline):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return stats(times)


def wall(fn, runs, budget_s):
    """Host wall time of each call, synchronised: for the end-to-end figures."""
    times = []
    deadline = time.perf_counter() + budget_s
    while len(times) < runs and (not times or time.perf_counter() < deadline):
        t0 = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1000)
    return stats(times)


def bench_model(name, runs, warmup, budget_s):
    model = build(name).cuda()
    host = torch.randn(*SHAPE).pin_memory()
    x = host.cuda()
    out = {}
    with torch.no_grad():
        for _ in range(warmup):
            model(x)
        torch.cuda.synchronize()
        # eager: input already on the GPU; e2e: upload from pinned memory and read logits back.
        out["eager"] = timed(lambda: model(x), runs, budget_s)
        out["eager_e2e"] = wall(lambda: model(host.cuda(non_blocking=True)).cpu(), runs, budget_s)

        static_in = x.clone()
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(3):
                model(static_in)
        torch.cuda.current_stream().wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            static_out = model(static_in)
        for _ in range(warmup):
            graph.replay()
        torch.cuda.synchronize()
        out["graph"] = timed(graph.replay, runs, budget_s)

        def graph_e2e():
            static_in.copy_(host, non_blocking=True)
            graph.replay()
            return static_out.cpu()

        out["graph_e2e"] = wall(graph_e2e, runs, budget_s)
    del graph, model
    torch.cuda.empty_cache()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--export-dir", default=".bench/models")
    ap.add_argument("--out", default="torch.json")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--budget-s", type=float, default=5.0, help="per model and mode")
    ap.add_argument("--no-export", action="store_true")
    args = ap.parse_args()

    torch.backends.cudnn.benchmark = True
    cuda = torch.cuda.is_available()
    result = {
        "kind": "torch-bench",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "gpu": torch.cuda.get_device_name(0) if cuda else None,
        "runs": args.runs,
        "warmup": args.warmup,
        "exports": {},
        "models": {},
    }

    def save():
        with open(args.out, "w") as f:
            json.dump(result, f, indent=1)

    save()
    if not args.no_export:
        os.makedirs(args.export_dir, exist_ok=True)
        for name in EXPORT:
            try:
                result["exports"][name] = export(name, os.path.join(args.export_dir, f"{name}.onnx"))
            except Exception as e:  # noqa: BLE001 - record it and go on with the timings
                traceback.print_exc()
                result["exports"][name] = {"ok": False, "error": repr(e)[:800]}
            print(f"export {name}: {result['exports'][name]}", file=sys.stderr, flush=True)
            save()
    if not cuda:
        result["error"] = "CUDA is not available"
    else:
        for name in MODELS:
            t0 = time.perf_counter()
            try:
                result["models"][name] = bench_model(name, args.runs, args.warmup, args.budget_s)
            except Exception as e:  # noqa: BLE001
                traceback.print_exc()
                result["models"][name] = {"error": repr(e)[:800]}
            print(f"{name}: {result['models'][name]} ({time.perf_counter() - t0:.1f} s)", file=sys.stderr, flush=True)
            save()
    save()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
