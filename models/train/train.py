"""Trains the bundled model's encoder: a small RoBERTa (PhoBERT's architecture and tokenisation) pretrained
with masked-language modelling on the training texts, then fine-tuned on all five labelled train splits.

Input: the JSONL token ids written by `npm run train:export` (our TypeScript preprocessing), so training
and serving share one tokeniser. Output: a model folder (model.onnx, config.json, training_report.json) that
ngram_branch.py then mixes with its n-gram branch into the shipped folder. Runs on torch 1.13 (Debian, CPU)
and torch 2.x (GPU). Usage:
  python3 models/train/train.py --work models/train/work --out models/train/work/deep [--device cuda]
"""
import argparse, collections, glob, inspect, json, math, os, random, time

import torch
import torch.nn as nn
import torch.nn.functional as F

PAD, BOS, EOS, UNK, MASK_ORIG, ORIG_VOCAB = 1, 0, 2, 3, 64000, 64001
LABELS = ["negative", "neutral", "positive"]
MAX_LEN = 256  # positions including <s> and </s>, as PhoBERT


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--work", default="models/train/work")
    p.add_argument("--out", default="models/train/work/deep", help="the encoder folder; ngram_branch.py writes the shipped one")
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=6)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ffn", type=int, default=1024)
    p.add_argument("--min-count", type=int, default=2)
    p.add_argument("--mlm-epochs", type=int, default=60)
    p.add_argument("--ft-epochs", type=int, default=10)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--mlm-max-seconds", type=float, default=0, help="stop pretraining early after this long (0: never)")
    p.add_argument("--ft-max-seconds", type=float, default=0, help="stop fine-tuning early after this long (0: never)")
    p.add_argument("--train-max-len", type=int, default=MAX_LEN, help="truncate training sequences (positions incl. <s>, </s>)")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: all cores)")
    p.add_argument("--version", default="0.1.0", help="written to config.json")
    p.add_argument("--limit", type=int, default=0, help="rows per split, for smoke tests")
    p.add_argument("--init-from", default="", help="start from the weights in a model.onnx this script wrote (alone or inside the shipped mix)")
    p.add_argument("--mlm-lr", type=float, default=5e-4, help="peak learning rate of the masked-language pretraining")
    p.add_argument("--save-pretrained", default="", help="write the encoder after pretraining to this file (torch state)")
    p.add_argument("--load-pretrained", default="", help="skip pretraining: start fine-tuning from a file --save-pretrained wrote")
    p.add_argument("--two-class-loss", action="store_true",
                   help="rows of a split labelled only negative/positive: loss over those two logits (their labels say nothing about neutral)")
    p.add_argument("--ft-seed", type=int, default=None,
                   help="reseed fine-tuning's data order and dropout after the head is initialised: runs that differ only here start "
                        "from the same weights, so soup.py can average them")
    p.add_argument("--dataset-balance", type=float, default=0.0,
                   help="fine-tuning row weight (mean rows per split / rows in its split) ** this; 0: every row counts the same")
    return p.parse_args()


def load_split(work, split, limit=0):
    data = {}
    for path in sorted(glob.glob(os.path.join(work, f"*.{split}.jsonl"))):
        name = os.path.basename(path).split(".")[0]
        rows = [json.loads(line) for line in open(path, encoding="utf8") if line.strip()]
        data[name] = [(r["ids"][: MAX_LEN - 2], r["label"]) for r in (rows[:limit] if limit else rows)]
    return data


class Encoder(nn.Module):
    """RoBERTa encoder (post-LayerNorm, GELU), written out so ONNX export is plain ops on any torch."""

    def __init__(self, vocab, hidden, layers, heads, ffn, dropout=0.1):
        super().__init__()
        self.heads = heads
        self.word = nn.Embedding(vocab, hidden, padding_idx=PAD)
        self.position = nn.Embedding(MAX_LEN + 2, hidden, padding_idx=PAD)
        self.token_type = nn.Embedding(1, hidden)
        self.norm = nn.LayerNorm(hidden, eps=1e-5)
        self.drop = nn.Dropout(dropout)
        self.layers = nn.ModuleList([Layer(hidden, heads, ffn, dropout) for _ in range(layers)])

    def forward(self, ids, mask):
        # RoBERTa position ids: pad positions get padding_idx, real tokens count from padding_idx + 1.
        positions = torch.cumsum(mask, dim=1) * mask + PAD
        x = self.word(ids) + self.position(positions) + self.token_type.weight[0]
        x = self.drop(self.norm(x))
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * -1e9
        for layer in self.layers:
            x = layer(x, bias)
        return x


class Layer(nn.Module):
    def __init__(self, hidden, heads, ffn, dropout):
        super().__init__()
        self.heads, self.dk = heads, hidden // heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.out = nn.Linear(hidden, hidden)
        self.norm1 = nn.LayerNorm(hidden, eps=1e-5)
        self.ff1 = nn.Linear(hidden, ffn)
        self.ff2 = nn.Linear(ffn, hidden)
        self.norm2 = nn.LayerNorm(hidden, eps=1e-5)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, bias):
        b, t, h = x.shape
        q, k, v = self.qkv(x).view(b, t, 3, self.heads, self.dk).permute(2, 0, 3, 1, 4).unbind(0)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dk) + bias
        att = self.drop(torch.softmax(att, dim=-1))
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, t, h)
        x = self.norm1(x + self.drop(self.out(y)))
        return self.norm2(x + self.drop(self.ff2(self.drop(F.gelu(self.ff1(x))))))


class Classifier(nn.Module):
    def __init__(self, encoder, hidden, classes):
        super().__init__()
        self.encoder = encoder
        self.dense = nn.Linear(hidden, hidden)
        self.drop = nn.Dropout(0.1)
        self.proj = nn.Linear(hidden, classes)

    def forward(self, ids, mask):
        cls = self.encoder(ids, mask)[:, 0]
        return self.proj(self.drop(torch.tanh(self.dense(self.drop(cls)))))


def load_onnx_weights(path, classifier):
    """Loads a Classifier's weights from a model.onnx this script exported, alone or merged into the shipped
    model (whose initializer names carry a prefix such as "encoder/"); returns the vocabulary remap it holds.
    torch's exporter keeps parameter names except for the Linear weights of the layers, which it stores
    transposed under generated names ("onnx::MatMul_N", in the order qkv, out, ff1, ff2 of each layer) and
    the token-type row it folds into one constant ("onnx::Add_N")."""
    import onnx
    from onnx import numpy_helper

    found = {i.name.split("/", 1)[-1]: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in onnx.load(path).graph.initializer}
    state = {name[len("classifier."):]: value for name, value in found.items() if name.startswith("classifier.")}
    (token_type,) = [v for k, v in found.items() if k.startswith("onnx::Add_")]
    state["encoder.token_type.weight"] = token_type[None]
    matmuls = sorted((int(k.rsplit("_", 1)[1]), v) for k, v in found.items() if k.startswith("onnx::MatMul_"))
    if len(matmuls) != 4 * len(classifier.encoder.layers):
        raise SystemExit(f"--init-from {path}: {len(matmuls)} MatMul weights, expected 4 per layer")
    for i, (_, weight) in enumerate(matmuls):
        state[f"encoder.layers.{i // 4}.{('qkv', 'out', 'ff1', 'ff2')[i % 4]}.weight"] = weight.t().contiguous()
    classifier.load_state_dict(state, strict=True)
    return found["remap"]


def init_weights(module):
    if isinstance(module, (nn.Linear, nn.Embedding)):
        nn.init.normal_(module.weight, std=0.02)
    if isinstance(module, nn.Linear) and module.bias is not None:
        nn.init.zeros_(module.bias)
    if isinstance(module, nn.Embedding) and module.padding_idx is not None:
        with torch.no_grad():
            module.weight[module.padding_idx].zero_()


class ExportWrapper(nn.Module):
    """Takes PhoBERT ids; maps them to the pruned vocabulary inside the graph, so the folder keeps
    PhoBERT's tokenizer.json and a full PhoBERT export is a drop-in replacement."""

    def __init__(self, classifier, remap):
        super().__init__()
        self.classifier = classifier
        self.register_buffer("remap", remap)

    def forward(self, input_ids, attention_mask):
        ids = torch.index_select(self.remap, 0, input_ids.reshape(-1)).reshape(input_ids.shape)
        return self.classifier(ids, attention_mask)


def make_batches(examples, batch, remap, device, extras=None):
    """Length-sorted batches, padded once and kept on the device: per-step Python work dominated otherwise.
    extras: per example (row weight, two-class flag), returned as two more tensors of each batch."""
    order = sorted(range(len(examples)), key=lambda i: len(examples[i][0]))
    out = []
    for start in range(0, len(order), batch):
        rows = [examples[i] for i in order[start : start + batch]]
        width = max(len(ids) for ids, _ in rows) + 2
        ids = torch.full((len(rows), width), PAD, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for r, (seq, _) in enumerate(rows):
            full = torch.tensor([BOS] + seq + [EOS], dtype=torch.long)
            ids[r, : len(full)] = remap[full]
            mask[r, : len(full)] = 1
        labels = torch.tensor([label for _, label in rows], dtype=torch.long)
        batch_out = (ids.to(device), mask.to(device), labels.to(device))
        if extras is not None:
            chosen = [extras[i] for i in order[start : start + batch]]
            batch_out += (torch.tensor([w for w, _ in chosen], device=device), torch.tensor([b for _, b in chosen], device=device))
        out.append(batch_out)
    return out


def split_row_extras(splits, balance, two_class):
    """Per row of the splits, in order: (weight (mean split size / its split's size) ** balance, whether the row is
    from a negative/positive-only split and two_class asks for the two-class loss there). Shared with ngram_branch.py."""
    mean_rows = sum(len(rows) for rows in splits.values()) / len(splits)
    return [((mean_rows / len(rows)) ** balance, two_class and {label for _, label in rows} <= {0, 2})
            for rows in splits.values() for _ in rows]


def weighted_loss(logits, labels, class_weights, row_weight, two_class):
    """Class-weighted cross-entropy, each row scaled by its weight; two_class rows over the negative and positive
    logits only (their labels say nothing about neutral). With unit rows: F.cross_entropy(..., weight=class_weights)."""
    three = F.cross_entropy(logits, labels, weight=class_weights, reduction="none")
    two = F.cross_entropy(logits[:, [0, 2]], (labels == 2).long(), weight=class_weights[[0, 2]], reduction="none")
    return (torch.where(two_class, two, three) * row_weight).sum() / (class_weights[labels] * row_weight).sum()


def macro_f1(gold, pred, classes):
    f1s = []
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred) if g == c and p != c)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return sum(f1s) / len(f1s)


def evaluate(model, dev_batches):
    model.eval()
    report = {}
    with torch.no_grad():
        for name, prepared in dev_batches.items():
            gold, pred, pred_bin = [], [], []
            for ids, mask, labels, *_ in prepared:
                logits = model(ids, mask)
                gold += labels.tolist()
                pred += logits.argmax(-1).tolist()
                pred_bin += torch.where(logits[:, 0] >= logits[:, 2], 0, 2).tolist()
            binary = set(gold) <= {0, 2}
            acc = sum(g == p for g, p in zip(gold, pred)) / len(gold)
            entry = {"n": len(gold), "accuracy": acc, "macro_f1": macro_f1(gold, pred, [0, 1, 2] if not binary else [0, 2])}
            if binary:
                entry["binary_accuracy"] = sum(g == p for g, p in zip(gold, pred_bin)) / len(gold)
                entry["binary_macro_f1"] = macro_f1(gold, pred_bin, [0, 2])
            report[name] = entry
    model.train()
    score = sum(e.get("binary_macro_f1", e["macro_f1"]) for e in report.values()) / len(report)
    return score, report


def schedule(optimizer, total, warmup):
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (total - s) / max(1, total - warmup))
    )


def export(model, remap_list, args, best, vocab, train_rows, mlm_epochs_run, started):
    """Writes model.onnx and training_report.json for the current weights (called on every new best epoch)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    wrapper = ExportWrapper(model, torch.tensor(remap_list, dtype=torch.long, device=device)).eval()
    sample_ids = torch.tensor([[BOS, 218, 8, 649, EOS], [BOS, 218, EOS, PAD, PAD]], dtype=torch.long, device=device)
    sample_mask = (sample_ids != PAD).long()
    export_kwargs = dict(
        input_names=["input_ids", "attention_mask"], output_names=["logits"], opset_version=14,
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}},
        do_constant_folding=True,
    )
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        export_kwargs["dynamo"] = False
    os.makedirs(args.out, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(wrapper, (sample_ids, sample_mask), os.path.join(args.out, "model.onnx"), **export_kwargs)
        reference = wrapper(sample_ids, sample_mask).tolist()
    json.dump(
        {"seed": args.seed, "best_epoch": best[3], "dev_mean_macro_f1": best[0], "dev": best[2], "vocabulary": vocab,
         "parameters": sum(p.numel() for p in model.parameters()), "train_rows": train_rows, "mlm_epochs_run": mlm_epochs_run,
         "hyperparameters": {k: v for k, v in vars(args).items() if k not in ("work", "out", "device")},
         "torch": torch.__version__, "seconds": round(time.time() - started), "export_check": {"input_ids": sample_ids.tolist(), "logits": reference}},
        open(os.path.join(args.out, "training_report.json"), "w"), indent=1,
    )
    json.dump(
        {"model_id": "camxuc-phobert-small", "version": args.version, "architecture": "RobertaForSequenceClassification (PhoBERT tokenisation)",
         "labels": LABELS, "max_length": MAX_LEN, "word_segmented": True, "pad_token_id": PAD, "bos_token_id": BOS, "eos_token_id": EOS,
         "hidden_size": args.hidden, "num_hidden_layers": args.layers, "num_attention_heads": args.heads, "intermediate_size": args.ffn,
         "vocab_size": vocab, "input_vocab_size": ORIG_VOCAB},
        open(os.path.join(args.out, "config.json"), "w"), indent=1,
    )
    model.train(was_training)


def main():
    args = parse_args()
    if args.init_from and args.load_pretrained:
        raise SystemExit("--init-from and --load-pretrained both give the starting encoder: use one")
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    if args.device == "cpu":
        torch.set_num_threads(args.threads or max(1, os.cpu_count() or 1))
    rng = random.Random(args.seed)
    device = torch.device(args.device)
    train, dev = load_split(args.work, "train", args.limit), load_split(args.work, "dev", args.limit)
    all_train = [(ids[: args.train_max_len - 2], label) for rows in train.values() for ids, label in rows]
    row_extras = split_row_extras(train, args.dataset_balance, args.two_class_loss)

    counts = collections.Counter(t for ids, _ in all_train for t in ids)
    kept = [t for t, c in sorted(counts.items()) if c >= args.min_count and t > UNK and t != MASK_ORIG]
    remap_list = [UNK] * ORIG_VOCAB
    for special in (BOS, PAD, EOS, UNK):
        remap_list[special] = special
    for i, t in enumerate(kept):
        remap_list[t] = i + 4
    vocab = len(kept) + 5  # + mask
    remap_t = torch.tensor(remap_list, dtype=torch.long)
    mlm_batches = make_batches(all_train, args.batch, remap_t, device)
    ft_batches = make_batches(all_train, 32, remap_t, device, row_extras)
    dev_batches = {name: make_batches(rows, 256, remap_t, device) for name, rows in dev.items()}
    mask_id = vocab - 1
    print(f"train rows {len(all_train)}; vocabulary pruned from {len(counts)} used ids to {vocab}", flush=True)

    encoder = Encoder(vocab, args.hidden, args.layers, args.heads, args.ffn).to(device)
    lm_head = nn.Sequential(nn.Linear(args.hidden, args.hidden), nn.GELU(), nn.LayerNorm(args.hidden)).to(device)
    lm_bias = nn.Parameter(torch.zeros(vocab, device=device))
    encoder.apply(init_weights)
    lm_head.apply(init_weights)
    if args.init_from:
        initial = Classifier(encoder, args.hidden, len(LABELS)).to(device)
        if not torch.equal(load_onnx_weights(args.init_from, initial).to(remap_t.dtype), remap_t):
            raise SystemExit(f"--init-from {args.init_from}: that model was trained on another vocabulary")
        score, _ = evaluate(initial, dev_batches)
        print(f"initialised from {args.init_from}: mean dev macro-F1 {score:.4f}", flush=True)
    started = time.time()
    mlm_epochs_run = 0
    if args.load_pretrained:
        saved = torch.load(args.load_pretrained, map_location=device)
        if not torch.equal(saved["remap"], remap_t):
            raise SystemExit(f"--load-pretrained {args.load_pretrained}: pretrained on another vocabulary")
        encoder.load_state_dict(saved["encoder"])
        mlm_epochs_run = saved["mlm_epochs_run"]
        rng.setstate(saved["python_rng"])
        torch.set_rng_state(saved["torch_rng"])
        print(f"pretrained encoder from {args.load_pretrained} ({mlm_epochs_run} MLM epochs)", flush=True)

    # Masked-language pretraining on the training texts (labels unused); the output layer is tied to the embeddings.
    params = list(encoder.parameters()) + list(lm_head.parameters()) + [lm_bias]
    opt = torch.optim.AdamW(params, lr=args.mlm_lr, weight_decay=0.01, betas=(0.9, 0.98))
    mlm_epochs = 0 if args.load_pretrained else args.mlm_epochs
    steps = mlm_epochs * math.ceil(len(all_train) / args.batch)
    sched = schedule(opt, steps, max(1, steps // 20))
    for epoch in range(mlm_epochs):
        total = 0.0
        rng.shuffle(mlm_batches)
        for ids, mask, _ in mlm_batches:
            special = (ids == BOS) | (ids == EOS) | (ids == PAD)
            chosen = (torch.rand(ids.shape, device=device) < 0.15) & ~special
            roll = torch.rand(ids.shape, device=device)
            inputs = torch.where(chosen & (roll < 0.8), torch.full_like(ids, mask_id), ids)
            random_ids = torch.randint(4, vocab - 1, ids.shape, device=device)
            inputs = torch.where(chosen & (roll >= 0.8) & (roll < 0.9), random_ids, inputs)
            # Vocabulary logits only at the masked positions: the full-vocabulary product dominates otherwise.
            hidden = lm_head(encoder(inputs, mask)[chosen])
            logits = hidden @ encoder.word.weight.t() + lm_bias
            loss = F.cross_entropy(logits, ids[chosen])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            total += loss.detach()
        mlm_epochs_run = epoch + 1
        print(f"mlm epoch {epoch + 1}/{args.mlm_epochs} loss {total.item() / math.ceil(len(all_train) / args.batch):.3f} ({time.time() - started:.0f}s)", flush=True)
        if args.mlm_max_seconds and time.time() - started > args.mlm_max_seconds:
            break
    if args.save_pretrained:
        # with the random states, so fine-tuning from the file repeats what this run's fine-tuning does
        torch.save({"encoder": encoder.state_dict(), "remap": remap_t, "mlm_epochs_run": mlm_epochs_run,
                    "python_rng": rng.getstate(), "torch_rng": torch.get_rng_state()}, args.save_pretrained)

    # Fine-tuning with class weights (inverse frequency over the combined splits), optionally per-split row weights and
    # a two-class loss for negative/positive-only splits; best epoch by mean dev macro-F1.
    model = Classifier(encoder, args.hidden, len(LABELS)).to(device)
    model.dense.apply(init_weights)
    model.proj.apply(init_weights)
    if args.ft_seed is not None:
        rng = random.Random(args.ft_seed)
        torch.manual_seed(args.ft_seed)
    label_counts = collections.Counter(label for _, label in all_train)
    weights = torch.tensor([len(all_train) / (len(LABELS) * label_counts[c]) for c in range(len(LABELS))], device=device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01)
    steps = args.ft_epochs * math.ceil(len(all_train) / 32)
    sched = schedule(opt, steps, max(1, steps // 10))
    best = (-1.0, None, None, 0)
    ft_started = time.time()
    for epoch in range(args.ft_epochs):
        rng.shuffle(ft_batches)
        for ids, mask, labels, row_weight, two_class in ft_batches:
            loss = weighted_loss(model(ids, mask), labels, weights, row_weight, two_class)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
        score, report = evaluate(model, dev_batches)
        print(f"fine-tune epoch {epoch + 1}: mean dev macro-F1 {score:.4f} " + json.dumps({k: round(v["accuracy"], 4) for k, v in report.items()}), flush=True)
        if score > best[0]:
            best = (score, None, report, epoch + 1)
            export(model, remap_list, args, best, vocab, len(all_train), mlm_epochs_run, started)
        if args.ft_max_seconds and time.time() - ft_started > args.ft_max_seconds:
            break

    if best[3]:
        print(f"best epoch {best[3]} mean dev macro-F1 {best[0]:.4f}; wrote {args.out}/model.onnx", flush=True)
    else:
        print("no fine-tuning epoch ran: no model written" + (f" (pretrained encoder: {args.save_pretrained})" if args.save_pretrained else ""), flush=True)


if __name__ == "__main__":
    main()
