#!/usr/bin/env python3
"""Prints tuned_bench's JSON lines as a table: weft against OpenBLAS and oneDNN.

    print_table.py RESULTS.jsonl [...]   (or JSON lines on stdin)

A ratio is weft's throughput over the peer's (> 1: weft is faster). Lines that are not
JSON objects are skipped; a missing oneDNN peer shows as "-".
"""
import json
import sys


def number(value, fmt):
    return "-" if value is None else format(value, fmt)


def check(line):
    checks = [line.get("check")]
    if line.get("onednn_check") is not None:
        checks.append(line["onednn_check"])
    return "pass" if all(c == "pass" for c in checks) else "FAIL"


def rows(stream):
    for text in stream:
        text = text.strip()
        if text.startswith("{"):
            yield json.loads(text)


def main(paths):
    streams = [open(p) for p in paths] if paths else [sys.stdin]
    lines = [line for s in streams for line in rows(s)]
    header = ("workload", "weft GF/s", "OpenBLAS GF/s", "ratio", "oneDNN GF/s", "oneDNN ratio", "check", "load")
    table = [header]
    for line in lines:
        table.append((line["workload"], number(line["weft_gflops"], ".1f"), number(line["peer_gflops"], ".1f"),
                      number(line["ratio"], ".2f"), number(line.get("onednn_gflops"), ".1f"),
                      number(line.get("onednn_ratio"), ".2f"), check(line),
                      f'{line.get("load_before", "?")} -> {line.get("load_after", "?")}'))
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(w) if i in (0, 6, 7) else cell.rjust(w) for i, (cell, w) in
                        enumerate(zip(row, widths))).rstrip())
    return 0 if all(check(line) == "pass" for line in lines) else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
