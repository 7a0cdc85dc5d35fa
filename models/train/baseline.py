"""Classical baseline: TF-IDF (syllable 1-3 grams + character 2-5 grams) + class-balanced logistic
regression, trained on the same five train splits as the neural model and scored on each dev split.
Usage: /usr/bin/python3 models/train/baseline.py --data ../shared/data [--out models/train/baseline_report.json]
Needs scikit-learn (Debian: apt-get install python3-sklearn)."""
import argparse, csv, glob, hashlib, json, os, re, unicodedata

import numpy, scipy, sklearn

from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score

LABELS = ["negative", "neutral", "positive"]


def clean(text):
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\ufeff", "")
    return re.sub(r"\s+", " ", text).strip().lower()


def read(path):
    with open(path, encoding="utf8", newline="") as f:
        rows = list(csv.DictReader(f))
    return [clean(r["text"]) for r in rows], [LABELS.index(r["label"].strip()) for r in rows]


def fit(data):
    """The baseline fitted on every train split under data: (the dataset names, the fitted model, and a function from
    texts to class probabilities in LABELS order)."""
    datasets = sorted(os.path.basename(os.path.dirname(f)) for f in glob.glob(os.path.join(data, "*", "train.csv")))
    texts, labels = [], []
    for name in datasets:
        t, l = read(os.path.join(data, name, "train.csv"))
        texts += t
        labels += l
    words = TfidfVectorizer(ngram_range=(1, 3), min_df=2, sublinear_tf=True, token_pattern=r"(?u)\b\w+\b")
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    x = hstack([words.fit_transform(texts), chars.fit_transform(texts)]).tocsr()
    clf = LogisticRegression(C=4.0, max_iter=2000, class_weight="balanced")
    clf.fit(x, labels)
    return datasets, clf, lambda t: clf.predict_proba(hstack([words.transform(t), chars.transform(t)]).tocsr())


def binary_prediction(proba):
    """Negative vs positive (argmax over those two), how a split labelled only negative/positive is scored."""
    return 0 if proba[0] >= proba[2] else 2


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="../shared/data")
    p.add_argument("--out", default="models/train/baseline_report.json")
    args = p.parse_args()
    datasets, clf, predict_proba = fit(args.data)
    report = {}
    for name in datasets:
        t, gold = read(os.path.join(args.data, name, "dev.csv"))
        proba = predict_proba(t)
        pred = proba.argmax(1)
        entry = {"n": len(gold), "accuracy": accuracy_score(gold, pred), "macro_f1": f1_score(gold, pred, average="macro")}
        if set(gold) <= {0, 2}:
            pred_bin = [binary_prediction(p) for p in proba]
            entry["binary_accuracy"] = accuracy_score(gold, pred_bin)
            entry["binary_macro_f1"] = f1_score(gold, pred_bin, average="macro")
        report[name] = entry
        print(name, json.dumps(entry), flush=True)
    # What the figures depend on besides this file: a report that no longer reproduces can be told apart by these.
    report["_reproduce"] = {
        "versions": {"scikit-learn": sklearn.__version__, "scipy": scipy.__version__, "numpy": numpy.__version__},
        "iterations": int(clf.n_iter_[0]),
        "data_sha256": {f"{name}/{split}.csv": hashlib.sha256(open(os.path.join(args.data, name, f"{split}.csv"), "rb").read()).hexdigest()
                        for name in datasets for split in ("train", "dev")},
    }
    json.dump(report, open(args.out, "w"), indent=1)


if __name__ == "__main__":
    main()
