#!/usr/bin/env python3
"""The tables of docs/results.md (issue 18) from bench/assess.sh's JSONs: for each data set and share, each
remedy's mean and spread (sample standard deviation) over the seeds that have run; then the review curve
(share sent to review against the error among accepted items) of each remedy, averaged over seeds.

    python3 bench/assess_table.py OUT
"""
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

REMEDIES = ["plain", "class-weights", "oversampling", "smote", "focal", "gan"]


def spread(values, digits=3):
    mean = statistics.fmean(values)
    if len(values) < 2:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def main(folder):
    runs = defaultdict(list)
    for path in sorted(Path(folder).glob("*.json")):
        r = json.loads(path.read_text())
        runs[(r["data"], r["share"], r["remedy"])].append(r)
    for data, share in sorted({(d, s) for d, s, _ in runs}):
        rare = next(iter(runs[(data, share, next(m for m in REMEDIES if (data, share, m) in runs))]))["rare"]
        print(f"\n{data}, classes {', '.join(map(str, rare))} at {share:.0%} of training\n")
        print("| remedy | seeds | balanced accuracy | macro-F1 | rare-class recall | ECE after T | steps | training s | GAN s | graded/s |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for remedy in REMEDIES:
            rs = runs.get((data, share, remedy))
            if not rs:
                continue
            gan = spread([r["gan_seconds"] for r in rs], 0) if "gan_seconds" in rs[0] else "-"
            print(f"| {remedy} | {len(rs)} | {spread([r['balanced_accuracy'] for r in rs])} | {spread([r['macro_f1'] for r in rs])} | "
                  f"{spread([r['rare_recall'] for r in rs])} | {spread([r['ece_calibrated'] for r in rs])} | "
                  f"{spread([r['steps'] for r in rs], 0)} | {spread([r['train_seconds'] for r in rs], 0)} | {gan} | {spread([r['graded_per_second'] for r in rs], 0)} |")
        thresholds = [p["threshold"] for p in next(iter(runs.values()))[0]["review_curve"]]
        print(f"\nreview curve ({data}, {share:.0%}): share sent to review / error among accepted, per calibrated-confidence threshold\n")
        print("| remedy | " + " | ".join(f"t = {t:g}" for t in thresholds) + " |")
        print("|---|" + "---|" * len(thresholds))
        for remedy in REMEDIES:
            rs = runs.get((data, share, remedy))
            if not rs:
                continue
            cells = []
            for i in range(len(thresholds)):
                review = statistics.fmean(r["review_curve"][i]["review"] for r in rs)
                error = statistics.fmean(r["review_curve"][i]["error_accepted"] for r in rs)
                cells.append(f"{review:.0%} / {error:.1%}")
            print(f"| {remedy} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "out/bench/assess")
