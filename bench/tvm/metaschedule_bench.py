#!/usr/bin/env python3
"""TVM MetaSchedule (LLVM target) on the workloads of bench/cpu/run.sh, same trial budget.

    metaschedule_bench.py --trials N [--work-dir DIR] [WORKLOAD...]

WORKLOAD is a weft spec of matmul or dense_bias_gelu (f32), e.g.
"matmul:M=1024,N=1024,K=1024". Each is written in TE as weft defines it, tuned with
tune_tir (evolutionary search, XGBoost cost model), then the best schedule is built,
checked against numpy and timed (median of repeats). Prints one JSON line per
workload with GFLOP/s computed from weft's flop count convention (2*M*N*K for the
product, plus the epilogue's operations for dense_bias_gelu, as `weft show` counts).
Needs apache-tvm (bench/tvm/run.sh installs it into bench/.venv).
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import tvm
from tvm import te
from tvm.s_tir import meta_schedule as ms


def parse_spec(spec):
    op, _, rest = spec.partition(":")
    params = {}
    for item in filter(None, rest.split(",")):
        key, eq, value = item.partition("=")
        if not eq:
            sys.exit(f"workload '{spec}': '{item}' is not key=value")
        params[key] = value
    for key in ("M", "N", "K"):
        if key not in params:
            sys.exit(f"workload '{spec}': parameter {key} is missing")
    if params.get("dtype", "f32") != "f32":
        sys.exit(f"workload '{spec}': only f32 is supported here")
    return op, int(params["M"]), int(params["N"]), int(params["K"])


def build_te(op, M, N, K):
    """TE definition, numpy reference and flop count (weft's convention) of a workload."""
    X = te.placeholder((M, K), name="X", dtype="float32")
    W = te.placeholder((K, N), name="W", dtype="float32")
    k = te.reduce_axis((0, K), name="k")
    T = te.compute((M, N), lambda i, j: te.sum(X[i, k] * W[k, j], axis=[k]), name="T")
    if op == "matmul":
        return [X, W, T], (lambda x, w: x @ w), 2.0 * M * N * K
    if op == "dense_bias_gelu":
        b = te.placeholder((N,), name="b", dtype="float32")
        half, one, rsqrt2 = (tvm.tirx.const(v, "float32") for v in (0.5, 1.0, 1.0 / math.sqrt(2.0)))

        def gelu(i, j):
            x = T[i, j] + b[j]
            return half * x * (one + te.erf(x * rsqrt2))

        Y = te.compute((M, N), gelu, name="Y")

        def reference(x, w, bias):
            from math import erf

            t = (x.astype(np.float64) @ w.astype(np.float64)) + bias
            return (0.5 * t * (1.0 + np.vectorize(erf)(t / math.sqrt(2.0)))).astype(np.float32)

        return [X, W, b, Y], reference, None  # flops: weft's count, given by the caller
    sys.exit(f"no TE definition for op '{op}' (matmul, dense_bias_gelu)")


def host_target():
    cpu = tvm.target.codegen.llvm_get_system_cpu()
    return tvm.target.Target({"kind": "llvm", "mcpu": cpu, "num-cores": os.cpu_count()})


def run_one(spec, trials, work_dir, repeats, flops_override):
    op, M, N, K = parse_spec(spec)
    tensors, reference, flops = build_te(op, M, N, K)
    if flops is None:
        flops = flops_override
    func = te.create_prim_func(tensors)
    target = host_target()
    task_dir = os.path.join(work_dir, spec.replace(":", "_").replace(",", "_").replace("=", ""))
    records = os.path.join(task_dir, "database_tuning_record.json")
    done = sum(1 for line in open(records) if line.strip()) if os.path.exists(records) else 0
    start = time.time()
    if done >= trials:  # tuned before with this budget: reuse the records (as weft tune resumes)
        database = ms.database.JSONDatabase(work_dir=task_dir, allow_missing=False)
    else:
        database = ms.tir_integration.tune_tir(
            mod=func,
            target=target,
            work_dir=task_dir,
            max_trials_global=trials - done,
            num_trials_per_iter=min(16, trials),
            num_tuning_cores=os.cpu_count(),
            seed=1,
            # Worker processes import TVM first; on a loaded 2-core machine that alone can
            # pass the default 30 s limit, failing every candidate.
            builder=ms.builder.LocalBuilder(timeout_sec=300),
            runner=ms.runner.LocalRunner(timeout_sec=120),
        )
    tune_s = time.time() - start
    sch = ms.tir_integration.compile_tir(database, func, target)
    if sch is None:
        print(json.dumps({"workload": spec, "error": "no valid schedule found", "tune_s": tune_s}), flush=True)
        return False
    lib = tvm.compile(sch.mod, target=target)
    dev = tvm.cpu()
    rng = np.random.default_rng(7)
    inputs = [rng.uniform(-1, 1, size=[int(d) for d in t.shape]).astype("float32") for t in tensors[:-1]]
    out_shape = [int(d) for d in tensors[-1].shape]
    args = [tvm.runtime.tensor(a, dev) for a in inputs] + [tvm.runtime.tensor(np.zeros(out_shape, "float32"), dev)]
    lib["main"](*args)
    expected = reference(*inputs)
    ok = bool(np.allclose(args[-1].numpy(), expected, rtol=1e-3, atol=1e-3))
    timer = lib.mod.time_evaluator("main", dev, number=1, repeat=repeats)
    result = timer(*args)
    median_us = statistics.median(result.results) * 1e6
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(
        json.dumps(
            {
                "workload": spec,
                "tvm_version": tvm.__version__,
                "target": str(target),
                "trials": max(trials, done),
                "reused_records": done >= trials,
                "tune_s": round(tune_s, 1),
                "median_us": median_us,
                "gflops": flops / (median_us * 1e3),
                "check_vs_numpy": "pass" if ok else "FAIL",
                "repeats": repeats,
                "load_after": load,
                "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
        ),
        flush=True,
    )
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--trials", type=int, required=True)
    p.add_argument("--work-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--flops", type=float, action="append", default=[],
                   help="flop count per workload (in order) where the op needs weft's own count")
    p.add_argument("workloads", nargs="*",
                   default=["matmul:M=1024,N=1024,K=1024", "dense_bias_gelu:M=1024,N=1024,K=1024"])
    a = p.parse_args()
    all_ok = True
    for i, spec in enumerate(a.workloads):
        flops = a.flops[i] if i < len(a.flops) else None
        op, M, N, K = parse_spec(spec)
        if op != "matmul" and flops is None:
            sys.exit(f"workload '{spec}': pass --flops (weft show prints its count)")
        all_ok = run_one(spec, a.trials, a.work_dir, a.repeats, flops) and all_ok
    sys.exit(0 if all_ok else 3)


if __name__ == "__main__":
    main()
