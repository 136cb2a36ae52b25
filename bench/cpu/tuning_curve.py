#!/usr/bin/env python3
"""Tuning curve from `weft db export` JSON lines: best-so-far GFLOP/s against trials.

    tuning_curve.py EXPORT.jsonl CSV [PNG]

Records are read in insertion order (the export's order). Every record is a trial;
only records with status "ok" can improve the best. The CSV has one row per trial:
workload, trial, status, gflops (this trial, empty unless ok), best_gflops (so far,
empty until the first ok). The PNG is drawn only when matplotlib imports; without it
the script says so on stderr and still writes the CSV.
"""
import csv
import json
import sys


def read_curves(path):
    curves = {}  # workload -> list of (status, gflops or None)
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
                name, status, median, flops = r["workload_name"], r["status"], r["median_us"], r["flops"]
            except (ValueError, KeyError) as e:
                sys.exit(f"{path}:{number}: not a weft export record ({e})")
            gflops = flops / (median * 1e3) if status == "ok" and median > 0 else None
            curves.setdefault(name, []).append((status, gflops))
    return curves


def write_csv(curves, path):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["workload", "trial", "status", "gflops", "best_gflops"])
        for name, trials in curves.items():
            best = None
            for i, (status, g) in enumerate(trials, 1):
                if g is not None and (best is None or g > best):
                    best = g
                w.writerow([name, i, status, "" if g is None else f"{g:.3f}", "" if best is None else f"{best:.3f}"])


def plot(curves, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        print(f"tuning_curve.py: matplotlib unavailable ({e}); wrote the CSV only", file=sys.stderr)
        return False
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, trials in curves.items():
        xs, ys, best = [], [], None
        for i, (_, g) in enumerate(trials, 1):
            if g is not None and (best is None or g > best):
                best = g
            if best is not None:
                xs.append(i)
                ys.append(best)
        ax.step(xs, ys, where="post", label=name.split(",dtype")[0])
        ok = [(i, g) for i, (_, g) in enumerate(trials, 1) if g is not None]
        ax.scatter([i for i, _ in ok], [g for _, g in ok], s=8, alpha=0.35)
    ax.set_xlabel("trials (measured candidates, insertion order)")
    ax.set_ylabel("GFLOP/s (best so far; dots: each trial)")
    ax.set_title("weft tuning curve (CPU)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return True


def main(argv):
    if len(argv) not in (3, 4):
        sys.exit(__doc__)
    curves = read_curves(argv[1])
    if not curves:
        sys.exit(f"{argv[1]}: no records")
    write_csv(curves, argv[2])
    if len(argv) == 4 and plot(curves, argv[3]):
        print(f"wrote {argv[2]} and {argv[3]}")
    else:
        print(f"wrote {argv[2]}")


if __name__ == "__main__":
    main(sys.argv)
