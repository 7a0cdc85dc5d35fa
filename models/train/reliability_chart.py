"""Draws the reliability chart of a model folder's calibration_report.json (written by `npm run model:calibrate`):
one panel per dev set, accuracy against mean confidence per confidence bin, before and after calibration.
Usage (Debian: apt-get install python3-matplotlib):
  /usr/bin/python3 models/train/reliability_chart.py --report models/default/calibration_report.json --out models/default/reliability.png"""
import argparse, json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--report", default="models/default/calibration_report.json")
    p.add_argument("--out", default="models/default/reliability.png")
    args = p.parse_args()
    report = json.load(open(args.report, encoding="utf8"))
    sets = report["datasets"]
    fig, axes = plt.subplots(1, len(sets), figsize=(3.2 * len(sets), 3.6), sharey=True)
    for ax, s in zip(axes, sets):
        ax.plot([0, 1], [0, 1], color="#999999", linestyle=":", linewidth=1, label="perfect")
        for key, colour, marker, name in (("bins_before", "#d62728", "o", "before"), ("bins_after", "#1f77b4", "s", f"T = {report['temperature']:.2f}")):
            bins = [b for b in s[key] if b["count"] > 0]
            ece = s["ece_before" if key == "bins_before" else "ece_after"]
            ax.plot([b["meanConfidence"] for b in bins], [b["accuracy"] for b in bins], color=colour, marker=marker, markersize=4,
                    linewidth=1.2, label=f"{name} (ECE {ece:.3f})")
        ax.set_title(f"{s['dataset']}\n{s['scored_as']}, n={s['n']}", fontsize=9)
        ax.set_xlim(0.3, 1.0)
        ax.set_ylim(0.0, 1.0)
        ax.set_xlabel("mean confidence (top label)", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=7, loc="upper left")
    axes[0].set_ylabel("accuracy", fontsize=8)
    fig.suptitle(f"Reliability on dev, {report['model']}: before and after temperature scaling", fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
