#!/usr/bin/env python3
"""Register-tile shapes a tuning database holds: for each record of a workload, its
sketch (register or SSRSRS, packed or not), rows x vectors and GFLOP/s, best first.

    bench/cpu/register_shapes.py DB [WORKLOAD_SUBSTRING]
"""
import re
import sqlite3
import sys


def shape(trace):
    if '"register"' not in trace:
        return "SSRSRS"
    rows = re.search(r"sample_partial_tile\([^)]*\) -> \[([0-9, ]+)\]", trace)
    vectors = re.findall(r"split\(l\d+, \[None, (\d+)\]\)", trace)
    h = rows.group(1).split(",")[-1].strip() if rows else "?"
    v = vectors[1] if len(vectors) > 1 else "?"
    sampled = re.search(r"sample_perfect_tile\([^)]*max_innermost=4\) -> \[\d+, (\d+)\]", trace)
    if sampled:  # traces before one sketch per vector count sampled the vectors
        v = sampled.group(1)
    packed = "packed" if re.search(r"cache_read\(b0, [12], \"global\"\)\ncompute_at", trace) else "rows"
    return f"register {h}x{v} {packed}"


def main():
    db = sqlite3.connect(sys.argv[1])
    like = f"%{sys.argv[2]}%" if len(sys.argv) > 2 else "%"
    rows = db.execute(
        "SELECT w.name, r.id, r.median_us, r.trace_text, r.status FROM records r JOIN workloads w ON w.id = r.workload_id "
        "WHERE w.name LIKE ? ORDER BY w.name, r.id", (like,)).fetchall()
    flops = {}
    for name, in db.execute("SELECT DISTINCT name FROM workloads"):
        m = dict(re.findall(r"([MNK])=(\d+)", name))
        flops[name] = 2 * int(m.get("M", 0)) * int(m.get("N", 0)) * int(m.get("K", 0))
    counts = {}
    out = []
    for name, rid, us, trace, status in rows:
        s = shape(trace)
        counts[(name, s)] = counts.get((name, s), 0) + 1
        if status == "ok":
            out.append((name, flops[name] / us / 1e3, rid, s))
    for name, gf, rid, s in sorted(out, key=lambda x: (x[0], -x[1]))[:15]:
        print(f"{gf:7.1f} GF/s  record {rid:4d}  {s}")
    print("samples per shape:")
    for (name, s), n in sorted(counts.items(), key=lambda x: -x[1]):
        print(f"  {n:3d}  {s}")


main()
