#!/usr/bin/env python3
"""Prints the GPU benchmark's table from run.sh's results.jsonl: per workload, weft's
median and each peer's, and the speed ratio peer_us / weft_us (above 1: weft is faster).

    report.py results.jsonl
"""
import json
import sys
from collections import defaultdict


def main(path):
    rows = defaultdict(dict)
    order = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"report.py: {path}:{n}: not JSON ({e})")
            w = r.get("workload")
            if w is None or "peer" not in r or "median_us" not in r:
                raise SystemExit(f"report.py: {path}:{n}: needs workload, peer and median_us")
            if w not in rows:
                order.append(w)
            rows[w][r["peer"]] = float(r["median_us"])
    print("| workload | weft us | peer | peer us | peer/weft |")
    print("| --- | --- | --- | --- | --- |")
    for w in order:
        weft = rows[w].get("weft")
        for peer, us in rows[w].items():
            if peer == "weft":
                continue
            ratio = f"{us / weft:.2f}" if weft else "n/a (weft not tuned)"
            weft_text = f"{weft:.1f}" if weft else "-"
            print(f"| {w} | {weft_text} | {peer} | {us:.1f} | {ratio} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
