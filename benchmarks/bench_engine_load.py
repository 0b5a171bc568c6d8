#!/usr/bin/env python3
"""Full-size (V1: D=2048, 24 layers, FFN 8192, 4.84 GB) weights: load time and peak RSS.

Synthesizes the canonical file in --workdir (streamed, never held in memory; checks free disk first),
then runs each measurement in a fresh child process so ru_maxrss is that loader's own peak:
  engine      load_model (header pre-check + meta build + mmap views), then one exact 1024-byte chunk forward
  reference   soma-models Model.load (random init + safetensors load_file + transposed copies), only with --reference

    .venv/bin/python benchmarks/bench_engine_load.py [--workdir /tmp] [--skip-forward] [--reference] [--keep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench_engine_common import ROOT, synthesize_weights

from soma_desktop.engine.architecture import Architecture

FULL = Architecture(embedding_dim=2048, num_layers=24, num_heads=8, ffn_dim=8192)

ENGINE_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from soma_desktop.engine.weights import load_model
from soma_desktop.engine.scorer import score_bytes
t1 = time.perf_counter()
model = load_model(sys.argv[1], device="cpu")
t2 = time.perf_counter()
out = {"import_s": t1 - t0, "load_s": t2 - t1,
       "rss_after_load_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}
if sys.argv[2] == "forward":
    r = score_bytes([model], bytes(range(256)) * 4, precision="exact")
    out["forward_1024_s"] = time.perf_counter() - t2
    out["loss"] = r.models[0].loss
out["peak_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
print(json.dumps(out))
"""

REFERENCE_CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[2])
from bench_engine_reference import Model, config_from_file
t1 = time.perf_counter()
model = Model.load(sys.argv[1], config_from_file(sys.argv[1], 8))
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1,
                  "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6}))
"""


def child(code: str, *argv: str) -> dict:
    run = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, cwd=ROOT)
    if run.returncode:
        raise SystemExit(f"child failed: {run.stderr.strip().splitlines()[-1:]}")
    return json.loads(run.stdout)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", type=Path, default=Path("/tmp"))
    parser.add_argument("--skip-forward", action="store_true")
    parser.add_argument("--reference", action="store_true", help="also time soma-models Model.load (needs ~15 GB RAM)")
    parser.add_argument("--keep", action="store_true", help="keep the synthesized file")
    args = parser.parse_args()
    path = args.workdir / "bench_full_v1.safetensors"
    arch = FULL
    need = arch.num_parameters * 4 + (1 << 20)
    free = shutil.disk_usage(args.workdir).free
    if not path.exists() or path.stat().st_size < arch.num_parameters * 4:
        if free < need + (1 << 30):
            layers = max(1, int((free - (2 << 30)) // (need / FULL.num_layers)))
            arch = Architecture(2048, min(layers, FULL.num_layers), 8, 8192)
            print(f"only {free / 1e9:.1f} GB free: measuring {arch.num_layers} layers instead of 24")
        start = time.perf_counter()
        size = synthesize_weights(path, arch)
        print(f"synthesized {path} ({size:,} bytes, {arch.num_parameters:,} params) "
              f"in {time.perf_counter() - start:.1f} s")
    size = path.stat().st_size
    print(f"file {size / 1e9:.3f} GB")
    for attempt in ("first", "warm"):
        result = child(ENGINE_CHILD, str(path), "load" if attempt == "first" or args.skip_forward else "forward")
        print(f"engine {attempt}: " + ", ".join(f"{k} {v:.3f}" for k, v in result.items())
              + f"  (peak RSS / file = {result['peak_rss_gb'] * 1e9 / size:.2f})")
    if args.reference:
        result = child(REFERENCE_CHILD, str(path), str(ROOT / "benchmarks"))
        print("soma-models Model.load: " + ", ".join(f"{k} {v:.3f}" for k, v in result.items())
              + f"  (peak RSS / file = {result['peak_rss_gb'] * 1e9 / size:.2f})")
    if not args.keep:
        path.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
