"""Averages the weights of fine-tuned encoders that share a starting point (a uniform "model soup", Wortsman et al.
2022): runs of train.py from one --load-pretrained file that differ only in --ft-seed, whose weights start identical
and stay close enough to be averaged. Unlike averaging the runs' predictions, the average costs one encoder per request.
Every member counts the same (no member is picked or dropped on dev). Usage:
  python3 models/train/soup.py --work models/train/work --report A/training_report.json \
    --members A/model.onnx B/model.onnx ... --out models/train/work/soup --version X
A member is a model.onnx train.py wrote, alone or inside a mix ngram_branch.py wrote. Writes what train.py writes
(model.onnx, config.json, training_report.json), the report with the soup's dev figures and each member's."""
import argparse, json, os, time

import torch

import train


def accuracies(report):
    """Per dev set, the accuracy the model card compares (negative vs positive on a two-label set), for the log."""
    return json.dumps({name: round(entry.get("binary_accuracy", entry["accuracy"]), 4) for name, entry in report.items()})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", default="models/train/work")
    p.add_argument("--report", required=True, help="training_report.json of a member: the architecture and hyper-parameters")
    p.add_argument("--members", nargs="+", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--version", required=True, help="written to config.json")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: all cores)")
    args = p.parse_args()
    if len(args.members) < 2:
        raise SystemExit("--members: a soup needs two or more")
    started = time.time()
    torch.set_num_threads(args.threads or max(1, os.cpu_count() or 1))
    report = json.load(open(args.report))
    hyper = report["hyperparameters"]

    def classifier():
        encoder = train.Encoder(report["vocabulary"], hyper["hidden"], hyper["layers"], hyper["heads"], hyper["ffn"])
        return train.Classifier(encoder, hyper["hidden"], len(train.LABELS))

    dev = train.load_split(args.work, "dev")
    remap, dev_batches, states, members = None, None, [], []
    for path in args.members:
        model = classifier()
        member_remap = train.load_onnx_weights(path, model)
        if remap is None:
            remap = member_remap.long()
            dev_batches = {name: train.make_batches(rows, 256, remap, torch.device("cpu")) for name, rows in dev.items()}
        elif not torch.equal(member_remap.long(), remap):
            raise SystemExit(f"--members {path}: trained on another vocabulary than {args.members[0]}")
        score, member_report = train.evaluate(model, dev_batches)
        print(f"member {path}: mean dev macro-F1 {score:.4f} {accuracies(member_report)}", flush=True)
        beside = os.path.join(os.path.dirname(path), "training_report.json")
        trained = json.load(open(beside)) if os.path.exists(beside) else {}
        members.append({"model": path, "ft_seed": trained.get("hyperparameters", {}).get("ft_seed"), "best_epoch": trained.get("best_epoch"),
                        "seconds": trained.get("seconds"), "dev_mean_macro_f1": score, "dev": member_report})
        states.append(model.state_dict())

    soup = classifier()
    soup.load_state_dict({name: sum(state[name] for state in states) / len(states) for name in states[0]})
    score, soup_report = train.evaluate(soup, dev_batches)
    print(f"soup of {len(states)}: mean dev macro-F1 {score:.4f} {accuracies(soup_report)}", flush=True)

    export_args = argparse.Namespace(**{**hyper, "ft_seed": None, "work": args.work, "out": args.out, "device": "cpu", "version": args.version})
    train.export(soup, remap.tolist(), export_args, (score, None, soup_report, None), report["vocabulary"], report["train_rows"],
                 report["mlm_epochs_run"], started)
    written = os.path.join(args.out, "training_report.json")
    json.dump({**json.load(open(written)), "soup_members": members}, open(written, "w"), indent=1)
    print(f"wrote {args.out}/model.onnx", flush=True)


if __name__ == "__main__":
    main()
