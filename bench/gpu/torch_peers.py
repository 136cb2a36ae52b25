#!/usr/bin/env python3
"""PyTorch peers for the GPU benchmark (bench/gpu/run.sh), eager and torch.compile.

    torch_peers.py dense_bias_gelu M N K DTYPE   Y = gelu(X @ W + b), erf form
    torch_peers.py gemm M N K DTYPE
    torch_peers.py softmax M N DTYPE             over the last axis
    torch_peers.py layernorm M N DTYPE           over the last axis, with gamma/beta

Prints one JSON object per mode (eager, compile). Timing follows weft's GPU runner:
CUDA events, warm-up, repeats, median, an L2 flush before each repeat.
"""
import json
import statistics
import sys

import torch

DTYPES = {"f16": torch.float16, "bf16": torch.bfloat16, "f32": torch.float32}


def median_us(fn, warmup=5, repeats=50):
    l2 = torch.cuda.get_device_properties(0).L2_cache_size
    flush = torch.empty(max(2 * l2, 1 << 20), dtype=torch.uint8, device="cuda")
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        flush.zero_()
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop) * 1e3)
    return statistics.median(times)


def make_case(op, dims, dtype):
    gen = torch.Generator(device="cuda").manual_seed(0)

    def rand(*shape):
        return torch.rand(*shape, generator=gen, device="cuda", dtype=dtype) * 2 - 1

    if op in ("gemm", "dense_bias_gelu"):
        m, n, k = dims
        x, w, b = rand(m, k), rand(k, n), rand(n)
        flops = 2.0 * m * n * k
        if op == "gemm":
            return (lambda: x @ w), flops
        return (lambda: torch.nn.functional.gelu(torch.addmm(b, x, w))), flops
    m, n = dims
    x = rand(m, n)
    if op == "softmax":
        return (lambda: torch.softmax(x, dim=-1)), 0.0
    if op == "layernorm":
        gamma, beta = rand(n), rand(n)
        return (lambda: torch.nn.functional.layer_norm(x, (n,), gamma, beta)), 0.0
    raise SystemExit(f"torch_peers: unknown op '{op}'")


def main(argv):
    if len(argv) < 4:
        raise SystemExit(__doc__)
    op, dtype_name = argv[1], argv[-1]
    if dtype_name not in DTYPES:
        raise SystemExit(f"torch_peers: dtype '{dtype_name}' is not one of {sorted(DTYPES)}")
    dims = [int(a) for a in argv[2:-1]]
    if not torch.cuda.is_available():
        raise SystemExit("torch_peers: no GPU found")
    fn, flops = make_case(op, dims, DTYPES[dtype_name])
    for mode, f in (("eager", fn), ("compile", torch.compile(fn))):
        with torch.no_grad():
            us = median_us(f)
        row = {"peer": f"torch_{mode}", "op": op, "dims": dims, "dtype": dtype_name, "median_us": round(us, 3)}
        if flops:
            row["tflops"] = round(flops / (us * 1e-6) / 1e12, 2)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main(sys.argv)
