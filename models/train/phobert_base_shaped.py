"""A model with PhoBERT-base's exact shape and random weights, for `npm run bench -- --compare-torch`:
RoBERTa (train.py's Encoder: post-LayerNorm, GELU), vocabulary 64,001, hidden 768, 12 layers, 12 heads, FFN 3,072,
258 positions, 3 labels, about 135M parameters. The old FastAPI system served such a model with PyTorch eager, one
request at a time; this script measures that baseline on the same token ids our TypeScript encoder produces.

  build --out DIR [--tokenizer FILE]   exports DIR/model.onnx (opset 14, dynamic batch and sequence) and
                                       DIR/torch_state.pt, writes config.json and copies tokenizer.json
  bench --model DIR --ids FILE.json    PyTorch eager one by one over FILE.json's id lists (with <s> ... </s>);
                                       prints one JSON object: texts/s, p50/p95 ms, cold load s, peak RSS MiB

Run with Debian's torch: LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 ...
(2 threads, as the app's ONNX Runtime session)."""
import argparse, json, os, resource, shutil, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import BOS, EOS, LABELS, MAX_LEN, ORIG_VOCAB, PAD, Classifier, Encoder, init_weights  # noqa: E402

SHAPE = dict(vocab=ORIG_VOCAB, hidden=768, layers=12, heads=12, ffn=3072)


def make_model():
    model = Classifier(Encoder(SHAPE["vocab"], SHAPE["hidden"], SHAPE["layers"], SHAPE["heads"], SHAPE["ffn"]), SHAPE["hidden"], len(LABELS))
    return model.eval()


def build(args):
    torch.manual_seed(17)
    model = make_model()
    model.apply(init_weights)
    os.makedirs(args.out, exist_ok=True)
    sample_ids = torch.tensor([[BOS, 218, 8, 649, EOS], [BOS, 218, EOS, PAD, PAD]], dtype=torch.long)
    sample_mask = (sample_ids != PAD).long()
    with torch.no_grad():
        torch.onnx.export(
            model, (sample_ids, sample_mask), os.path.join(args.out, "model.onnx"),
            input_names=["input_ids", "attention_mask"], output_names=["logits"], opset_version=14, do_constant_folding=True,
            dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}},
        )
    torch.save(model.state_dict(), os.path.join(args.out, "torch_state.pt"))
    shutil.copyfile(args.tokenizer, os.path.join(args.out, "tokenizer.json"))
    json.dump(
        {"model_id": "phobert-base-shaped-random", "version": "1.0.0", "architecture": "RoBERTa, PhoBERT-base's shape, random weights (benchmark only)",
         "labels": LABELS, "max_length": MAX_LEN, "word_segmented": True, "pad_token_id": PAD, "bos_token_id": BOS, "eos_token_id": EOS,
         "hidden_size": SHAPE["hidden"], "num_hidden_layers": SHAPE["layers"], "num_attention_heads": SHAPE["heads"],
         "intermediate_size": SHAPE["ffn"], "vocab_size": SHAPE["vocab"], "max_position_embeddings": MAX_LEN + 2,
         "parameters": sum(p.numel() for p in model.parameters())},
        open(os.path.join(args.out, "config.json"), "w"), indent=1,
    )
    with open(os.path.join(args.out, "MODEL_CARD.md"), "w") as card:
        card.write("# Model card: phobert-base-shaped-random 1.0.0\n\nRandom weights with PhoBERT-base's shape, built by "
                   "models/train/phobert_base_shaped.py for the speed benchmark only. Its predictions mean nothing.\n")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def bench(args):
    torch.set_num_threads(args.threads)
    ids_lists = json.load(open(args.ids))
    started = time.perf_counter()
    model = make_model()
    model.load_state_dict(torch.load(os.path.join(args.model, "torch_state.pt")))
    with torch.no_grad():  # warm-up, as our classifier's load does
        model(torch.tensor([[BOS, 218, EOS]]), torch.tensor([[1, 1, 1]]))
    cold = time.perf_counter() - started
    times = []
    t0 = time.perf_counter()
    with torch.inference_mode():
        for ids in ids_lists:
            t = time.perf_counter()
            x = torch.tensor([ids])
            torch.softmax(model(x, torch.ones_like(x)), dim=-1).tolist()
            times.append((time.perf_counter() - t) * 1000)
    total = time.perf_counter() - t0
    print(json.dumps({
        "texts_per_second": len(ids_lists) / total, "p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95),
        "cold_load_s": cold, "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "threads": torch.get_num_threads(), "torch": torch.__version__,
    }))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build")
    b.add_argument("--out", required=True)
    b.add_argument("--tokenizer", default=os.path.join(os.path.dirname(__file__), "..", "default", "tokenizer.json"))
    r = sub.add_parser("bench")
    r.add_argument("--model", required=True)
    r.add_argument("--ids", required=True)
    r.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    build(args) if args.command == "build" else bench(args)


if __name__ == "__main__":
    main()
