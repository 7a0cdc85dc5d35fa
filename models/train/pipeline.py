"""Trains the 0.8 model family in one run: pretraining objectives compared (masked-language modelling against
replaced-token detection, ELECTRA), a larger teacher, a student distilled from it, and the aspect model.

Input: the corpus `npm run train:corpus` writes (token ids from our TypeScript preprocessing). Every phase runs
on a wall-clock budget (pretraining) or a fixed number of epochs (fine-tuning), so one run fits a GPU lease;
--budget-scale multiplies every budget (a CPU run of the same recipe: a large scale and patience). Output (--out):
  results.json    dev figures of every phase, the objective chosen, what each phase cost
  student.pt      the distilled student (fp16 state, vocabulary remap, shape)
  teacher.pt      the teacher (int8 per-row weights for large matrices, fp16 otherwise; it is served int8 anyway)
  aspects.pt      the aspect model (fp16)
export_onnx.py turns each into a model folder. Usage:
  python3 models/train/pipeline.py --corpus .gpu/corpus --out OUT [--device cuda] [--budget-scale 1]
"""
import argparse, collections, glob, gzip, json, math, os, random, time

import torch
import torch.nn as nn
import torch.nn.functional as F

from train import BOS, EOS, MASK_ORIG, ORIG_VOCAB, PAD, UNK, Classifier, Encoder, init_weights, macro_f1

CORE_SETS = ["aivivn-2019-sa", "linhlpv-ecommerce-31k", "uit-visfd", "uit-vsfc", "vlsp2016-sa"]
POLARITIES = ["absent", "positive", "negative", "neutral"]
TRAIN_MAX_IDS = 126  # training sequences: 128 positions with <s> and </s>; dev rows are scored whole (<= 254 ids)


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--corpus", default=".gpu/corpus")
    p.add_argument("--inventory", default=os.path.join(os.path.dirname(__file__), "aspect_inventory.json"))
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--vocab-size", type=int, default=16000, help="most frequent PhoBERT ids kept (plus the special ones)")
    p.add_argument("--student", default="3,128,512,4", help="layers,hidden,ffn,heads")
    p.add_argument("--teacher", default="6,384,1536,6", help="layers,hidden,ffn,heads")
    p.add_argument("--budget-scale", type=float, default=1.0, help="multiplies every pretraining budget below")
    p.add_argument("--compare-seconds", type=float, default=40, help="pretraining of each objective on the student shape")
    p.add_argument("--teacher-seconds", type=float, default=140, help="pretraining of the teacher")
    p.add_argument("--ft-epochs", type=int, default=3)
    p.add_argument("--teacher-ft-epochs", type=int, default=4)
    p.add_argument("--distill-epochs", type=int, default=3)
    p.add_argument("--aspect-epochs", type=int, default=8)
    p.add_argument("--labelled-weight", type=int, default=2, help="copies of each labelled text in the pretraining mix")
    p.add_argument("--objective", choices=["compare", "mlm", "electra"], default="compare")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--limit", type=int, default=0, help="rows per file (smoke tests)")
    p.add_argument("--aspects-from", default="", help="train only the aspect model, from a pretrained-student.pt an earlier run wrote")
    return p.parse_args()


def shape(text):
    layers, hidden, ffn, heads = (int(x) for x in text.split(","))
    return dict(layers=layers, hidden=hidden, ffn=ffn, heads=heads)


def read(path, limit):
    rows = []
    with gzip.open(path, "rt", encoding="utf8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
                if limit and len(rows) >= limit:
                    break
    return rows


def load_corpus(folder, limit):
    """{"sentiment": {split: {set: rows}}, "aspects": {split: {domain: rows}}, "unlabelled": rows}"""
    out = {"sentiment": {"train": {}, "dev": {}}, "aspects": {"train": {}, "dev": {}}, "unlabelled": []}
    for path in sorted(glob.glob(os.path.join(folder, "*.jsonl.gz"))):
        kind, name, *rest = os.path.basename(path)[: -len(".jsonl.gz")].split(".")
        if kind == "unlabelled":
            out["unlabelled"] += read(path, limit)
        else:
            out[kind][rest[0]][name] = read(path, limit)
    return out


class Log:
    def __init__(self, out):
        self.started = time.time()
        self.file = open(os.path.join(out, "pipeline.log"), "a", encoding="utf8")

    def __call__(self, *parts):
        line = f"[{time.time() - self.started:7.1f}s] " + " ".join(str(p) for p in parts)
        print(line, flush=True)
        self.file.write(line + "\n")
        self.file.flush()


# ---------------------------------------------------------------- batches


def pad_batches(seqs, batch, remap, device, max_ids, shuffle_rng=None):
    """Length-sorted batches of (ids, mask, index-into-seqs), padded once and kept on the device."""
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out = []
    for start in range(0, len(order), batch):
        chosen = order[start : start + batch]
        width = min(max(len(seqs[i]) for i in chosen), max_ids) + 2
        ids = torch.full((len(chosen), width), PAD, dtype=torch.long)
        for r, i in enumerate(chosen):
            full = torch.tensor([BOS] + seqs[i][:max_ids] + [EOS], dtype=torch.long)
            ids[r, : len(full)] = remap[full]
        out.append((ids.to(device), (ids != PAD).long().to(device), torch.tensor(chosen, device=device)))
    return out


def build_vocabulary(texts, size):
    counts = collections.Counter(t for ids in texts for t in ids)
    kept = [t for t, _ in counts.most_common() if t > UNK and t != MASK_ORIG][:size]
    remap = [UNK] * ORIG_VOCAB
    for special in (BOS, PAD, EOS, UNK):
        remap[special] = special
    for i, t in enumerate(sorted(kept)):
        remap[t] = i + 4
    covered = sum(c for t, c in counts.items() if remap[t] != UNK or t <= UNK)
    return torch.tensor(remap, dtype=torch.long), len(kept) + 5, covered / max(1, sum(counts.values()))


def lr_at(fraction, peak, warmup=0.05):
    return peak * min(1.0, fraction / warmup) * max(0.0, 1.0 - fraction) if fraction < 1 else 0.0


def autocast(device):
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return torch.autocast("cpu", enabled=False)


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


# ---------------------------------------------------------------- pretraining


class ElectraGenerator(nn.Module):
    """The small generator of replaced-token detection: an MLM encoder a quarter of the discriminator's width."""

    def __init__(self, vocab, hidden, layers, heads):
        super().__init__()
        self.encoder = Encoder(vocab, hidden, layers, heads, hidden * 4)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.GELU(), nn.LayerNorm(hidden))
        self.bias = nn.Parameter(torch.zeros(vocab))

    def logits(self, ids, mask, chosen):
        return self.head(self.encoder(ids, mask)[chosen]) @ self.encoder.word.weight.t() + self.bias


def pretrain(objective, encoder, dims, vocab, batches, seconds, device, rng, log, peak_lr=5e-4):
    """Pretrains `encoder` in place for `seconds` of wall-clock time; returns (steps, seconds, last losses)."""
    mask_id = vocab - 1
    hidden = dims["hidden"]
    lm_head = nn.Sequential(nn.Linear(hidden, hidden), nn.GELU(), nn.LayerNorm(hidden)).to(device)
    lm_head.apply(init_weights)
    lm_bias = nn.Parameter(torch.zeros(vocab, device=device))
    disc_head = nn.Linear(hidden, 1).to(device)
    generator = None
    params = list(encoder.parameters())
    if objective == "mlm":
        params += list(lm_head.parameters()) + [lm_bias]
    else:
        gen_hidden = max(64, hidden // 4)
        generator = ElectraGenerator(vocab, gen_hidden, max(1, dims["layers"] // 2), max(1, gen_hidden // 64)).to(device)
        generator.apply(init_weights)
        params += list(generator.parameters()) + list(disc_head.parameters())
    opt = torch.optim.AdamW(params, lr=peak_lr, weight_decay=0.01, betas=(0.9, 0.98))
    encoder.train()
    started, steps, recent = time.time(), 0, collections.deque(maxlen=200)
    while True:
        rng.shuffle(batches)
        for ids, mask, _ in batches:
            if steps % 25 == 0:
                sync(device)
                fraction = (time.time() - started) / seconds
                if fraction >= 1:
                    return steps, time.time() - started, sum(recent) / max(1, len(recent))
                for group in opt.param_groups:
                    group["lr"] = lr_at(fraction, peak_lr)
            special = (ids == BOS) | (ids == EOS) | (ids == PAD)
            chosen = (torch.rand(ids.shape, device=device) < 0.15) & ~special
            with autocast(device):
                if objective == "mlm":
                    roll = torch.rand(ids.shape, device=device)
                    inputs = torch.where(chosen & (roll < 0.8), torch.full_like(ids, mask_id), ids)
                    inputs = torch.where(chosen & (roll >= 0.8) & (roll < 0.9), torch.randint(4, vocab - 1, ids.shape, device=device), inputs)
                    logits = lm_head(encoder(inputs, mask)[chosen]) @ encoder.word.weight.t() + lm_bias
                    loss = F.cross_entropy(logits.float(), ids[chosen])
                else:
                    masked = torch.where(chosen, torch.full_like(ids, mask_id), ids)
                    gen_logits = generator.logits(masked, mask, chosen).float()
                    gen_loss = F.cross_entropy(gen_logits, ids[chosen])
                    with torch.no_grad():
                        noise = -torch.log(-torch.log(torch.rand_like(gen_logits).clamp_min(1e-9)).clamp_min(1e-9))
                        sampled = (gen_logits + noise).argmax(-1)
                    corrupted = ids.clone()
                    corrupted[chosen] = sampled
                    replaced = (corrupted != ids).float()
                    disc = disc_head(encoder(corrupted, mask)).squeeze(-1).float()
                    real = ~special
                    disc_loss = F.binary_cross_entropy_with_logits(disc[real], replaced[real])
                    loss = gen_loss + 50.0 * disc_loss
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            steps += 1
            if steps % 10 == 0:
                recent.append(loss.item())
            if steps % 2000 == 0:
                log(f"  {objective} step {steps} loss {sum(recent) / max(1, len(recent)):.3f}")


# ---------------------------------------------------------------- sentence fine-tuning and distillation


def sentence_examples(sets, device):
    """Pools the labelled train sets: (ids, label, weight, two_class) per row. Negative/positive-only sets train the
    two logits only (their labels say nothing about neutral); each set's rows weigh (mean size / its size) ** 0.5."""
    mean = sum(len(r) for r in sets.values()) / len(sets)
    out = []
    for name, rows in sets.items():
        two = {r["label"] for r in rows} <= {0, 2}
        weight = (mean / len(rows)) ** 0.5
        out += [(r["ids"], r["label"], weight, two) for r in rows]
    return out


def evaluate_sentence(model, dev, remap, device):
    """{set: {n, accuracy, macro_f1[, binary_*]}} and the mean over the core sets (binary macro-F1 for two-class sets)."""
    model.eval()
    report = {}
    with torch.no_grad():
        for name, rows in dev.items():
            seqs = [r["ids"] for r in rows]
            gold = [r["label"] for r in rows]
            pred, pred_bin = [0] * len(rows), [0] * len(rows)
            for ids, mask, index in pad_batches(seqs, 256, remap, device, 254):
                with autocast(device):
                    logits = model(ids, mask).float()
                for i, a, b in zip(index.tolist(), logits.argmax(-1).tolist(), torch.where(logits[:, 0] >= logits[:, 2], 0, 2).tolist()):
                    pred[i], pred_bin[i] = a, b
            binary = set(gold) <= {0, 2}
            entry = {"n": len(gold), "accuracy": sum(g == p for g, p in zip(gold, pred)) / len(gold),
                     "macro_f1": macro_f1(gold, pred, [0, 2] if binary else [0, 1, 2])}
            if binary:
                entry["binary_accuracy"] = sum(g == p for g, p in zip(gold, pred_bin)) / len(gold)
                entry["binary_macro_f1"] = macro_f1(gold, pred_bin, [0, 2])
            report[name] = entry
    model.train()
    core = [report[n] for n in CORE_SETS if n in report]
    return sum(e.get("binary_macro_f1", e["macro_f1"]) for e in core) / max(1, len(core)), report


def fine_tune(model, examples, dev, remap, device, epochs, log, rng, tag, lr=1e-4, soft=None, extra_soft=None, batch=64):
    """Cross-entropy on the labelled rows (class-weighted, two-class rows over negative/positive); with `soft` (teacher
    probabilities per labelled row) half of it is replaced by KL to the teacher, and `extra_soft` ((ids, probs) rows
    without labels) adds distillation-only rows. Keeps the best epoch by mean core dev macro-F1 (in memory)."""
    counts = collections.Counter(label for _, label, _, _ in examples)
    class_w = torch.tensor([len(examples) / (3 * max(1, counts[c])) for c in range(3)], device=device)
    seqs = [ids for ids, *_ in examples] + ([ids for ids, _ in extra_soft] if extra_soft else [])
    labels = torch.tensor([l for _, l, _, _ in examples] + ([-1] * len(extra_soft) if extra_soft else []), device=device)
    weights = torch.tensor([w for _, _, w, _ in examples] + ([1.0] * len(extra_soft) if extra_soft else []), device=device)
    two = torch.tensor([t for *_, t in examples] + ([False] * len(extra_soft) if extra_soft else []), device=device)
    targets = None
    if soft is not None:
        targets = torch.cat([soft, extra_soft_probs(extra_soft, device)]) if extra_soft else soft
    batches = pad_batches(seqs, batch, remap, device, TRAIN_MAX_IDS)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    total = epochs * len(batches)
    step, best = 0, (-1.0, None, None, 0)
    started = time.time()
    for epoch in range(epochs):
        rng.shuffle(batches)
        model.train()
        for ids, mask, index in batches:
            for group in opt.param_groups:
                group["lr"] = lr_at(step / total, lr, warmup=0.1)
            y, w, t = labels[index], weights[index], two[index]
            with autocast(device):
                logits = model(ids, mask).float()
            has = y >= 0
            yy = y.clamp_min(0)
            three = F.cross_entropy(logits, yy, weight=class_w, reduction="none")
            twoc = F.cross_entropy(logits[:, [0, 2]], (yy == 2).long(), weight=class_w[[0, 2]], reduction="none")
            ce = torch.where(t, twoc, three) * has
            if targets is not None:
                kl = (targets[index] * (targets[index].clamp_min(1e-8).log() - F.log_softmax(logits, -1))).sum(-1)
                loss = ((torch.where(has, 0.5 * ce / class_w[yy] + 0.5 * kl, kl)) * w).sum() / w.sum()
            else:
                loss = (ce * w).sum() / (class_w[yy] * w * has).sum().clamp_min(1e-6)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
        score, report = evaluate_sentence(model, dev, remap, device)
        log(f"  {tag} epoch {epoch + 1}: mean core dev macro-F1 {score:.4f} " + json.dumps({k: round(v["accuracy"], 4) for k, v in report.items()}))
        if score > best[0]:
            best = (score, {k: v.detach().clone() for k, v in model.state_dict().items()}, report, epoch + 1)
    model.load_state_dict(best[1])
    return {"mean_core_macro_f1": best[0], "dev": best[2], "best_epoch": best[3], "epochs": epochs, "seconds": round(time.time() - started, 1)}


def extra_soft_probs(extra_soft, device):
    return torch.stack([p for _, p in extra_soft]).to(device)


def predict_probs(model, seqs, remap, device):
    model.eval()
    out = torch.zeros(len(seqs), 3)
    with torch.no_grad():
        for ids, mask, index in pad_batches(seqs, 512, remap, device, TRAIN_MAX_IDS):
            with autocast(device):
                out[index.cpu()] = torch.softmax(model(ids, mask).float(), -1).cpu()
    model.train()
    return out


# ---------------------------------------------------------------- aspects


class AspectModel(nn.Module):
    """Encoder + pooled <s> + per-aspect 4-way logits (absent/positive/negative/neutral) + a domain classifier."""

    def __init__(self, encoder, hidden, aspects, domains):
        super().__init__()
        self.encoder = encoder
        self.dense = nn.Linear(hidden, hidden)
        self.drop = nn.Dropout(0.1)
        self.aspect_proj = nn.Linear(hidden, aspects * 4)
        self.domain_proj = nn.Linear(hidden, domains)
        self.aspects = aspects

    def forward(self, ids, mask):
        pooled = torch.tanh(self.dense(self.drop(self.encoder(ids, mask)[:, 0])))
        pooled = self.drop(pooled)
        return self.aspect_proj(pooled).view(-1, self.aspects, 4), self.domain_proj(pooled)


def aspect_layout(inventory):
    """Global aspect order (each domain's aspects, then the general ones) and, per domain, index ranges and the
    fine -> general index map."""
    index, ranges, to_general = [], {}, {}
    general_ids = [a[0] for a in inventory["general"]["aspects"]]
    general_start = sum(len(d["aspects"]) for d in inventory["domains"])
    for d in inventory["domains"]:
        start = len(index)
        for a in d["aspects"]:
            index.append((d["id"], a[0]))
            if a[3]:
                to_general[(d["id"], a[0])] = general_start + general_ids.index(a[3])
        ranges[d["id"]] = (start, len(index))
    for a in general_ids:
        index.append(("general", a))
    ranges["general"] = (general_start, len(index))
    return index, ranges, to_general


def aspect_targets(review, domain, layout):
    """Per global aspect: class index, or -100 where this review says nothing (other domains' aspects). The general
    aspects get the mapped polarity (several fine aspects on one group: the most frequent polarity, ties negative)."""
    index, ranges, to_general = layout
    target = [-100] * len(index)
    start, end = ranges[domain]
    for i in range(start, end):
        target[i] = 0
    gs, ge = ranges["general"]
    for i in range(gs, ge):
        target[i] = 0
    votes = collections.defaultdict(collections.Counter)
    for aspect, polarity in review["aspects"].items():
        key = (domain, aspect)
        i = index.index(key)
        target[i] = POLARITIES.index(polarity)
        if key in to_general:
            votes[to_general[key]][polarity] += 1
    for g, counter in votes.items():
        ranked = sorted(counter.items(), key=lambda kv: (-kv[1], ["negative", "positive", "neutral"].index(kv[0])))
        target[g] = POLARITIES.index(ranked[0][0])
    return target


def evaluate_aspects(model, dev, layout, domains, remap, device):
    """Per domain: rows, aspect F1 (micro over (review, aspect) pairs) and aspect+polarity F1 (micro over triples),
    the VLSP 2018 definitions, with the domain given; and how often the domain head names the right domain."""
    index, ranges, _ = layout
    model.eval()
    report = {}
    with torch.no_grad():
        for domain, rows in dev.items():
            start, end = ranges[domain]
            tp = fp = fn = tpp = fpp = fnp = right_domain = 0
            seqs = [r["ids"] for r in rows]
            for ids, mask, idx in pad_batches(seqs, 256, remap, device, 254):
                with autocast(device):
                    logits, dom = model(ids, mask)
                pred = logits.float()[:, start:end].argmax(-1).tolist()
                right_domain += (dom.argmax(-1) == domains.index(domain)).sum().item()
                for row_i, classes in zip(idx.tolist(), pred):
                    gold = {(a, p) for a, p in rows[row_i]["aspects"].items()}
                    guess = {(index[start + k][1], POLARITIES[c]) for k, c in enumerate(classes) if c != 0}
                    ga, pa = {a for a, _ in gold}, {a for a, _ in guess}
                    tp += len(ga & pa); fp += len(pa - ga); fn += len(ga - pa)
                    tpp += len(gold & guess); fpp += len(guess - gold); fnp += len(gold - guess)
            f1 = lambda t, p, n: 2 * t / (2 * t + p + n) if t else 0.0
            report[domain] = {"rows": len(rows), "aspect_f1": f1(tp, fp, fn), "aspect_polarity_f1": f1(tpp, fpp, fnp),
                              "domain_accuracy": right_domain / len(rows)}
    model.train()
    mean = sum(r["aspect_polarity_f1"] for r in report.values()) / max(1, len(report))
    return mean, report


def train_aspects(model, train, dev, layout, domains, remap, device, epochs, rng, log, lr=2e-4, batch=32, on_best=None):
    seqs, targets, doms = [], [], []
    for domain, rows in train.items():
        for r in rows:
            seqs.append(r["ids"])
            targets.append(aspect_targets(r, domain, layout))
            doms.append(domains.index(domain))
    targets = torch.tensor(targets, device=device)
    doms = torch.tensor(doms, device=device)
    class_w = torch.tensor([1.0, 2.0, 2.0, 3.0], device=device)  # absent dominates; neutral is the rarest
    batches = pad_batches(seqs, batch, remap, device, TRAIN_MAX_IDS)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    total, step, best = epochs * len(batches), 0, (-1.0, None, None, 0)
    started = time.time()
    for epoch in range(epochs):
        rng.shuffle(batches)
        for ids, mask, index in batches:
            for group in opt.param_groups:
                group["lr"] = lr_at(step / total, lr, warmup=0.1)
            with autocast(device):
                logits, dom = model(ids, mask)
            loss = F.cross_entropy(logits.float().reshape(-1, 4), targets[index].reshape(-1), weight=class_w, ignore_index=-100) \
                + 0.5 * F.cross_entropy(dom.float(), doms[index])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            step += 1
        score, report = evaluate_aspects(model, dev, layout, domains, remap, device)
        log(f"  aspects epoch {epoch + 1}: mean aspect+polarity F1 {score:.4f} " + json.dumps({k: round(v["aspect_polarity_f1"], 4) for k, v in report.items()}))
        if score > best[0]:
            best = (score, {k: v.detach().clone() for k, v in model.state_dict().items()}, report, epoch + 1)
            if on_best:
                on_best({"mean_aspect_polarity_f1": score, "dev": report, "best_epoch": epoch + 1})
    model.load_state_dict(best[1])
    return {"mean_aspect_polarity_f1": best[0], "dev": best[2], "best_epoch": best[3], "epochs": epochs, "seconds": round(time.time() - started, 1)}


# ---------------------------------------------------------------- saving


def save(path, module, remap, meta, int8=False):
    """State in fp16; with int8, 2-D weights over 1M values as int8 per row with an fp16 scale (lossless for the int8
    model the server runs: our quantizer scales MatMul weights per output column, i.e. per row of these)."""
    state = {}
    for k, v in module.state_dict().items():
        v = v.detach().float().cpu()
        if int8 and v.dim() == 2 and v.numel() > 1_000_000:
            scale = v.abs().amax(dim=1, keepdim=True).clamp_min(1e-12) / 127
            state[k] = {"int8": torch.round(v / scale).to(torch.int8), "scale": scale.half()}
        else:
            state[k] = v.half()
    torch.save({"state": state, "remap": remap.to(torch.int32), "meta": meta}, path)
    split_for_transfer(path)


PART_BYTES = 15 * 1024 * 1024  # the device tool returns files of at most 16 MiB


def split_for_transfer(path):
    """Files over PART_BYTES become path.part-00, -01, ... at once (export_onnx.py joins them), so a state written
    before a lease ends comes back whole; run 0.8 lost its teacher to a split that was to run after training."""
    if os.path.getsize(path) <= PART_BYTES:
        return
    with open(path, "rb") as f:
        for i, chunk in enumerate(iter(lambda: f.read(PART_BYTES), b"")):
            with open(f"{path}.part-{i:02d}", "wb") as part:
                part.write(chunk)
    os.remove(path)


def train_aspect_phase(args, corpus, encoder, dims, vocab, remap, device, results, log):
    asp_train, asp_dev = corpus["aspects"]["train"], corpus["aspects"]["dev"]
    inventory = json.load(open(args.inventory, encoding="utf8"))
    layout = aspect_layout(inventory)
    domains = [d["id"] for d in inventory["domains"]]
    torch.manual_seed(args.seed + 20)
    aspect_model = AspectModel(encoder, dims["hidden"], len(layout[0]), len(domains)).to(device)
    for part in (aspect_model.dense, aspect_model.aspect_proj, aspect_model.domain_proj):
        part.apply(init_weights)
    meta = {"shape": dims, "vocab": vocab, "kind": "aspects", "aspects": [list(a) for a in layout[0]], "domains": domains}

    def on_best(res):  # saved at every new best epoch, so a run cut short by its lease still returns a model
        results["phases"]["aspects"] = {**res, "shape": dims, "epochs": args.aspect_epochs}
        save(os.path.join(args.out, "aspects.pt"), aspect_model, remap, meta)
        json.dump(results, open(os.path.join(args.out, "results.json"), "w"), indent=1)

    res = train_aspects(aspect_model, {d: asp_train[d] for d in domains if d in asp_train}, {d: asp_dev[d] for d in domains if d in asp_dev},
                        layout, domains, remap, device, args.aspect_epochs, random.Random(args.seed + 21), log, on_best=on_best)
    results["phases"]["aspects"] = {**res, "shape": dims}
    save(os.path.join(args.out, "aspects.pt"), aspect_model, remap, meta)


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    log = Log(args.out)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    device = torch.device(args.device)
    if device.type == "cpu":
        torch.set_num_threads(args.threads or max(1, os.cpu_count() or 1))
    else:
        torch.backends.cuda.matmul.allow_tf32 = True
    results = {"args": vars(args), "torch": torch.__version__, "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu", "phases": {}}

    def dump():
        json.dump(results, open(os.path.join(args.out, "results.json"), "w"), indent=1)

    corpus = load_corpus(args.corpus, args.limit)
    if args.aspects_from:
        saved = torch.load(args.aspects_from, map_location="cpu")
        remap = saved["remap"].long()
        dims = saved["meta"]["shape"]
        encoder = Encoder(saved["meta"]["vocab"], dims["hidden"], dims["layers"], dims["heads"], dims["ffn"]).to(device)
        encoder.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in saved["encoder"].items()})
        log(f"aspect model only, from {args.aspects_from} ({saved['meta']['objective']} pretraining)")
        results["pretrained_from"] = args.aspects_from
        train_aspect_phase(args, corpus, encoder, dims, saved["meta"]["vocab"], remap, device, results, log)
        results["seconds"] = round(time.time() - log.started, 1)
        dump()
        log("done")
        return
    sent_train, sent_dev = corpus["sentiment"]["train"], corpus["sentiment"]["dev"]
    asp_train, asp_dev = corpus["aspects"]["train"], corpus["aspects"]["dev"]
    labelled_texts = [r["ids"] for rows in sent_train.values() for r in rows] + [r["ids"] for rows in asp_train.values() for r in rows]
    unlabelled = [r["ids"] for r in corpus["unlabelled"]]
    remap, vocab, coverage = build_vocabulary(labelled_texts + unlabelled, args.vocab_size)
    results["vocabulary"] = {"size": vocab, "token_coverage": coverage}
    pretrain_texts = [ids[:TRAIN_MAX_IDS] for ids in labelled_texts] * args.labelled_weight + [ids[:TRAIN_MAX_IDS] for ids in unlabelled]
    log(f"corpus: {sum(map(len, sent_train.values()))} labelled sentence rows, {sum(map(len, asp_train.values()))} aspect reviews, "
        f"{len(unlabelled)} unlabelled; pretraining mix {len(pretrain_texts)} texts; vocabulary {vocab} (token coverage {coverage:.4f})")
    pre_batches = pad_batches(pretrain_texts, 256, remap, device, TRAIN_MAX_IDS)
    examples = sentence_examples(sent_train, device)
    student_dims, teacher_dims = shape(args.student), shape(args.teacher)

    def new_encoder(dims, seed):
        torch.manual_seed(seed)
        enc = Encoder(vocab, dims["hidden"], dims["layers"], dims["heads"], dims["ffn"]).to(device)
        enc.apply(init_weights)
        return enc

    def classifier(encoder, dims, seed):
        torch.manual_seed(seed)
        model = Classifier(encoder, dims["hidden"], 3).to(device)
        model.dense.apply(init_weights)
        model.proj.apply(init_weights)
        return model

    # 1. Objectives compared on the student shape: equal wall-clock pretraining, identical fine-tuning.
    objectives = ["mlm", "electra"] if args.objective == "compare" else [args.objective]
    pretrained = {}
    for objective in objectives:
        encoder = new_encoder(student_dims, args.seed)
        steps, seconds, loss = pretrain(objective, encoder, student_dims, vocab, pre_batches, args.compare_seconds * args.budget_scale, device, rng, log)
        pretrained[objective] = {k: v.detach().clone() for k, v in encoder.state_dict().items()}
        log(f"{objective}: {steps} steps in {seconds:.0f}s, loss {loss:.3f}")
        model = classifier(encoder, student_dims, args.seed + 1)
        ft = fine_tune(model, examples, sent_dev, remap, device, args.ft_epochs, log, random.Random(args.seed + 2), f"student/{objective}")
        results["phases"][f"student_{objective}"] = {"pretraining": {"steps": steps, "seconds": round(seconds, 1), "loss": loss}, **ft}
        dump()
    chosen = max(objectives, key=lambda o: results["phases"][f"student_{o}"]["mean_core_macro_f1"])
    results["objective"] = chosen
    log(f"objective chosen: {chosen}")
    torch.save({"encoder": {k: v.half().cpu() if v.is_floating_point() else v.cpu() for k, v in pretrained[chosen].items()},
                "remap": remap.to(torch.int32), "meta": {"shape": student_dims, "vocab": vocab, "objective": chosen}},
               os.path.join(args.out, "pretrained-student.pt"))

    # 2. The teacher: wider and deeper, pretrained longer with the chosen objective.
    teacher_encoder = new_encoder(teacher_dims, args.seed + 10)
    steps, seconds, loss = pretrain(chosen, teacher_encoder, teacher_dims, vocab, pre_batches, args.teacher_seconds * args.budget_scale, device, rng, log, peak_lr=4e-4)
    log(f"teacher {chosen}: {steps} steps in {seconds:.0f}s, loss {loss:.3f}")
    teacher = classifier(teacher_encoder, teacher_dims, args.seed + 11)
    ft = fine_tune(teacher, examples, sent_dev, remap, device, args.teacher_ft_epochs, log, random.Random(args.seed + 12), "teacher", lr=8e-5)
    results["phases"]["teacher"] = {"pretraining": {"steps": steps, "seconds": round(seconds, 1), "loss": loss}, **ft, "shape": teacher_dims}
    save(os.path.join(args.out, "teacher.pt"), teacher, remap, {"shape": teacher_dims, "vocab": vocab, "kind": "sentence"}, int8=True)
    dump()

    # 3. The student distilled from the teacher: soft labels on every labelled row and on the unlabelled reviews.
    started = time.time()
    soft = predict_probs(teacher, [ids for ids, *_ in examples], remap, device).to(device)
    extra = list(zip(unlabelled, predict_probs(teacher, unlabelled, remap, device))) if unlabelled else None
    student_encoder = new_encoder(student_dims, args.seed)
    student_encoder.load_state_dict(pretrained[chosen])
    student = classifier(student_encoder, student_dims, args.seed + 1)
    ft = fine_tune(student, examples, sent_dev, remap, device, args.distill_epochs, log, random.Random(args.seed + 3), "student/distilled",
                   soft=soft, extra_soft=extra, batch=128, lr=2e-4)
    results["phases"]["student_distilled"] = {**ft, "seconds_with_soft_labels": round(time.time() - started, 1), "shape": student_dims}
    save(os.path.join(args.out, "student.pt"), student, remap, {"shape": student_dims, "vocab": vocab, "kind": "sentence"})
    dump()

    # 4. The aspect model on the student shape, from the same pretrained encoder.
    aspect_encoder = new_encoder(student_dims, args.seed)
    aspect_encoder.load_state_dict(pretrained[chosen])
    train_aspect_phase(args, corpus, aspect_encoder, student_dims, vocab, remap, device, results, log)
    results["seconds"] = round(time.time() - log.started, 1)
    dump()
    log("done")


if __name__ == "__main__":
    main()
