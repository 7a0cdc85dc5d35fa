"""Whether a model's lead or lag against the TF-IDF baseline on each dev split is more than the split's size can tell:
both are scored row by row on the same rows (a two-label split as negative vs positive, as the model card does), then
McNemar's exact test on the rows only one of them gets right, and a paired bootstrap (2,000 resamples, seed 13) of the
accuracy difference; then the same on the pooled rows of all splits (the project's bar: no split significantly worse,
the pooled rows significantly better, p < 0.05). The baseline is fitted as baseline.py fits it. Usage (needs python3-sklearn):
  npm run model:dev-probabilities -- --model models/default --data ../shared/data --out /tmp/dev.json
  /usr/bin/python3 models/train/paired_comparison.py --probabilities /tmp/dev.json [--data ../shared/data] [--out FILE.json]
With --against OTHER.json (another model's dev probabilities) the other model takes the baseline's place: is a
candidate significantly better or worse than the model it would replace? (The other model's columns keep the baseline_ names.)"""
import argparse, json, os, random

from scipy.stats import binomtest

import baseline


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--probabilities", required=True, help="what `npm run model:dev-probabilities` wrote for the model")
    p.add_argument("--data", default="../shared/data")
    p.add_argument("--resamples", type=int, default=2000)
    p.add_argument("--out", default="", help="also write the results as JSON (the model card reads models/default/paired_comparison.json)")
    p.add_argument("--against", default="", help="another model's dev probabilities to compare with, instead of the baseline")
    args = p.parse_args()
    written = json.load(open(args.probabilities, encoding="utf8"))
    if written["labels"] != baseline.LABELS:
        raise SystemExit(f"--probabilities: labels {written['labels']}, the baseline's are {baseline.LABELS}")
    if args.against:
        other = json.load(open(args.against, encoding="utf8"))
        if other["labels"] != written["labels"]:
            raise SystemExit(f"--against: labels {other['labels']}, the model's are {written['labels']}")
        datasets = sorted(written["probabilities"])
        predict_for = lambda name, texts: other["probabilities"][name]
    else:
        datasets, _, predict_proba = baseline.fit(args.data)
        predict_for = lambda name, texts: predict_proba(texts)
    rng = random.Random(13)
    results, pooled_model, pooled_baseline = [], [], []
    for name in datasets:
        texts, gold = baseline.read(os.path.join(args.data, name, "dev.csv"))
        ours = written["probabilities"].get(name)
        if ours is None or len(ours) != len(gold):
            raise SystemExit(f"--probabilities: {name} has {0 if ours is None else len(ours)} rows, its dev split {len(gold)}")
        two_label = set(gold) <= {0, 2}
        pick = baseline.binary_prediction if two_label else (lambda proba: max(range(len(proba)), key=lambda c: proba[c]))
        model_right = [pick(proba) == g for proba, g in zip(ours, gold)]
        baseline_right = [pick(list(proba)) == g for proba, g in zip(predict_for(name, texts), gold)]
        results.append(compare(name, model_right, baseline_right, rng, args.resamples))
        pooled_model += model_right
        pooled_baseline += baseline_right
    results.append(compare("pooled", pooled_model, pooled_baseline, rng, args.resamples))
    if args.out:
        with open(args.out, "w", encoding="utf8") as f:
            json.dump({"model": written["model"], "calibrated": written.get("calibrated", False), "results": results}, f, indent=1)


def compare(name, model_right, baseline_right, rng, resamples):
    only_model = sum(m and not b for m, b in zip(model_right, baseline_right))
    only_baseline = sum(b and not m for m, b in zip(model_right, baseline_right))
    p_value = binomtest(only_model, only_model + only_baseline, 0.5).pvalue if only_model + only_baseline else 1.0
    n = len(model_right)
    differences = sorted(sum(model_right[i] - baseline_right[i] for i in (rng.randrange(n) for _ in range(n))) / n
                         for _ in range(resamples))
    low, high = differences[int(0.025 * resamples)], differences[int(0.975 * resamples) - 1]
    result = {"dataset": name, "n": n, "model_right": sum(model_right), "baseline_right": sum(baseline_right),
              "only_model_right": only_model, "only_baseline_right": only_baseline, "mcnemar_exact_p": round(p_value, 6),
              "accuracy_difference": round((sum(model_right) - sum(baseline_right)) / n, 4),
              "bootstrap_95": [round(low, 4), round(high, 4)]}
    print(json.dumps(result), flush=True)
    return result

if __name__ == "__main__":
    main()
