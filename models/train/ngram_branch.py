"""Adds an n-gram branch to a trained encoder: a linear model over hashed token 1-3-grams, the syllables of
segmented words and the character 2-5-grams of each token, all computed inside the ONNX graph from the same
PhoBERT ids. The shipped model.onnx outputs alpha * log_softmax(encoder) + (1 - alpha) * log_softmax(n-grams).

Why: a small encoder trained from scratch on 62k rows is weaker than a linear n-gram model on the smaller
datasets (VLSP, UIT-ViSFD); the two make different mistakes, and the mix beats both. The branch is linear, so
the per-token parts (lower-cased token, its syllables, its character n-grams) fold into one 64,001 x 3 table
after training; only token bigrams/trigrams and syllable bigrams across tokens are hashed at inference.

Two weightings (--weighting): sqrt-length (the shipped one: occurrence counts divided by the square root of the
token count) and sublinear-l2 (TF-IDF as the baseline: each distinct token or n-gram weighted (1 + ln count) x IDF,
the row L2-normalised; the graph counts repeats by comparing each position with every other, O(length^2)).

Usage (after train.py wrote the encoder to --deep and `npm run model:dev-probabilities` its dev probabilities):
  python3 models/train/ngram_branch.py --work models/train/work --deep models/train/work/deep --out models/default --version X.Y.Z
"""
import argparse, collections, glob, json, math, os, shutil, time, zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import compose, helper, numpy_helper

from train import macro_f1, split_row_extras, weighted_loss  # this folder is on sys.path when the script runs

BOS, PAD, EOS, UNK, ORIG_VOCAB = 0, 1, 2, 3, 64001
LABELS = ["negative", "neutral", "positive"]
P1, P2, P3, P0 = 1000003, 7919, 104729, 17  # n-gram hash multipliers (any fixed odd constants)
CHAR_BUCKETS = 1 << 18  # training-time only: folded into the per-token table before export


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--work", default="models/train/work")
    p.add_argument("--vocab", default="models/vi-resources/phobert-base/dict.txt")
    p.add_argument("--deep", default="models/train/work/deep", help="folder with the encoder's model.onnx, config.json, training_report.json")
    p.add_argument("--out", default="models/default")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--buckets", type=int, default=1 << 19, help="hash buckets for token bigrams and trigrams")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--bags", type=int, default=3, help="models trained with different seeds and averaged (linear: one table)")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--alphas", default="0.2,0.25,0.3,0.35,0.4,0.45,0.5", help="encoder weights tried on dev")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--two-class-loss", action="store_true", help="as train.py: negative/positive-only splits train the two logits only")
    p.add_argument("--dataset-balance", type=float, default=0.0, help="as train.py: row weight (mean rows per split / rows in its split) ** this")
    p.add_argument("--weighting", choices=["sqrt-length", "sublinear-l2"], default="sqrt-length",
                   help="sqrt-length: occurrence counts / sqrt(tokens); sublinear-l2: (1 + ln count) x IDF per distinct unit, L2-normalised")
    p.add_argument("--version", required=True, help="written to config.json")
    p.add_argument("--table-dtype", choices=["float32", "float16", "int8"], default="float32",
                   help="how the branch's large tables are stored in model.onnx (merge_graphs); 0.7.0 is float32")
    return p.parse_args()


def token_tables(vocab_path):
    """Per PhoBERT id: its lower-cased id, the ids of its syllables (for tokens joined by `_`), and hashed
    character 2-5-grams (word boundaries marked by spaces, as scikit-learn's char_wb)."""
    tokens = [line.rsplit(" ", 1)[0] for line in open(vocab_path, encoding="utf8") if line.strip()]
    index = {t: i + 4 for i, t in enumerate(tokens)}
    lower = list(range(ORIG_VOCAB))
    for token, i in index.items():
        lower[i] = index.get(token.lower(), i)
    syllables = [[] for _ in range(ORIG_VOCAB)]
    first, last = list(range(ORIG_VOCAB)), list(range(ORIG_VOCAB))
    chargrams = [[] for _ in range(ORIG_VOCAB)]
    for token, i in index.items():
        text = token.lower()
        continues = text.endswith("@@")  # a BPE piece that the next token continues: no closing boundary
        parts = text.replace("@@", "").split("_")
        if len(parts) > 1:
            syllables[i] = [index[p] for p in parts if p in index]
            first[i], last[i] = index.get(parts[0], i), index.get(parts[-1], i)
        for part in parts:
            padded = " " + part + ("" if continues else " ")
            grams = {padded[a : a + n] for n in range(2, 6) for a in range(len(padded) - n + 1)}
            chargrams[i] = chargrams[i] + sorted(zlib.crc32(g.encode()) % CHAR_BUCKETS for g in grams)
    return lower, syllables, chargrams, first, last


def syllable_bigram(a, b, buckets):
    return (a * P3 + b * P1 + P0 * 2) % buckets


def load(work, split):
    data = {}
    for path in sorted(glob.glob(os.path.join(work, f"*.{split}.jsonl"))):
        name = os.path.basename(path).split(".")[0]
        data[name] = [(r["ids"], r["label"]) for r in map(json.loads, open(path, encoding="utf8"))]
    return data


class Features:
    """Training-time feature ids: [0, 64001) lower-cased tokens, then hashed n-grams, then character buckets.
    A text is a set of distinct units (lower-cased tokens; hashed token bigrams, trigrams and syllable bigrams,
    each kind deduplicated on its own, as the graph does), each unit a list of feature ids.
    Must agree with NgramBranch.forward (main() checks it on one dev set before export)."""

    def __init__(self, tables, buckets):
        self.lower, self.syllables, self.chargrams, self.first, self.last = tables
        self.buckets = buckets
        # syllable bigrams inside a segmented word (foldable into the per-token table)
        inner = [[ORIG_VOCAB + syllable_bigram(a, b, buckets) for a, b in zip(sy, sy[1:])] for sy in self.syllables]
        self.token_features = [[t] + self.syllables[t] + [ORIG_VOCAB + buckets + g for g in self.chargrams[t]] + inner[t]
                               for t in range(ORIG_VOCAB)]
        for special in (BOS, EOS, PAD):
            self.token_features[special] = []
        self.size = ORIG_VOCAB + buckets + CHAR_BUCKETS
        self.idf = self.idf_list = None  # sublinear-l2 only: set by fit_idf

    def units(self, ids):
        """Per kind (tokens, token bigrams, trigrams, syllable bigrams), a Counter of the text's units."""
        seq = [BOS] + [self.lower[t] for t in ids] + [EOS]
        b = self.buckets
        return seq, [
            collections.Counter(seq),
            collections.Counter(ORIG_VOCAB + (x * P1 + y * P2) % b for x, y in zip(seq, seq[1:])),
            collections.Counter(ORIG_VOCAB + (x * P1 + y * P2 + z * P3 + P0) % b for x, y, z in zip(seq, seq[1:], seq[2:])),
            collections.Counter(ORIG_VOCAB + syllable_bigram(self.last[x], self.first[y], b) for x, y in zip(seq, seq[1:])),
        ]

    def unit_features(self, kind, unit):
        return self.token_features[unit] if kind == 0 else [unit]

    def fit_idf(self, texts):
        """Smoothed IDF over the training texts, as scikit-learn's; features no training text has get 0 (no weight, no norm)."""
        df = torch.zeros(self.size, dtype=torch.float64)
        for ids in texts:
            present = {f for kind, counter in enumerate(self.units(ids)[1]) for u in counter for f in self.unit_features(kind, u)}
            df[torch.tensor(sorted(present), dtype=torch.long)] += 1
        self.idf = torch.where(df > 0, torch.log((1 + len(texts)) / (1 + df)) + 1, torch.zeros_like(df)).float()
        self.idf_list = self.idf.tolist()

    def of(self, ids, weighting):
        """(feature ids, their values) of one text."""
        seq, kinds = self.units(ids)
        out, values, norm2 = [], [], 0.0
        for kind, counter in enumerate(kinds):
            for unit, count in counter.items():
                features = self.unit_features(kind, unit)
                out += features
                if weighting == "sqrt-length":
                    values += [float(count)] * len(features)
                else:
                    tf, idf = 1.0 + math.log(count), [self.idf_list[f] for f in features]
                    values += [tf * i for i in idf]
                    norm2 += tf * tf * sum(i * i for i in idf)
        norm = math.sqrt(len(seq)) if weighting == "sqrt-length" else math.sqrt(max(norm2, 1e-12))
        return out, [v / norm for v in values]

    def fold(self, weight):
        """(feature table) -> (per-token table [64001, 3], n-gram table [buckets, 3]) with IDF folded in, and for
        sublinear-l2 each table's squared-IDF sums (the L2 norm's parts); exact, the model is linear."""
        idf = self.idf if self.idf is not None else torch.ones(self.size)
        scaled = weight * idf.unsqueeze(1)
        unigram, unigram_sq = torch.zeros(ORIG_VOCAB, weight.shape[1]), torch.zeros(ORIG_VOCAB)
        for t in range(ORIG_VOCAB):
            features = self.token_features[t]
            if features:
                unigram[t] = scaled[features].sum(0)
                unigram_sq[t] = (idf[features] ** 2).sum()
        ngram = slice(ORIG_VOCAB, ORIG_VOCAB + self.buckets)
        return unigram, scaled[ngram].clone(), unigram_sq, idf[ngram] ** 2


class Packed:
    """All rows' feature ids in one tensor, so a batch is a few vectorised gathers (Python lists were the bottleneck)."""

    def __init__(self, rows, extras=None):
        """rows: ((feature ids, values), label); extras: per row (weight, two-class flag), for training."""
        lengths = [len(features) for (features, _), _ in rows]
        self.flat = torch.tensor([f for (features, _), _ in rows for f in features], dtype=torch.long)
        self.values = torch.tensor([v for (_, values), _ in rows for v in values])
        self.lengths = torch.tensor(lengths, dtype=torch.long)
        self.starts = torch.cumsum(self.lengths, 0) - self.lengths
        self.labels = torch.tensor([label for _, label in rows], dtype=torch.long)
        extras = extras or [(1.0, False)] * len(rows)
        self.row_weight = torch.tensor([w for w, _ in extras])
        self.two_class = torch.tensor([b for _, b in extras])

    def batches(self, size, generator=None):
        order = torch.randperm(len(self.labels), generator=generator) if generator is not None else torch.arange(len(self.labels))
        for chunk in order.split(size):
            lengths = self.lengths[chunk]
            offsets = torch.cumsum(lengths, 0) - lengths
            within = torch.arange(int(lengths.sum())) - offsets.repeat_interleave(lengths)
            index = self.starts[chunk].repeat_interleave(lengths) + within
            yield self.flat[index], offsets, self.values[index], self.labels[chunk], self.row_weight[chunk], self.two_class[chunk]


def distinct_counts(keys, valid):
    """Per position of [batch, n] int64 keys: how often its key occurs among the row's valid positions, or 0 where
    the position is invalid or repeats an earlier one (so each distinct key is counted once, at its first place)."""
    same = (keys.unsqueeze(2) == keys.unsqueeze(1)).to(torch.float32) * valid.unsqueeze(1) * valid.unsqueeze(2)
    positions = torch.arange(keys.shape[1])
    earlier = (positions.unsqueeze(0) < positions.unsqueeze(1)).to(torch.float32)
    first = ((same * earlier).sum(2) == 0).to(torch.float32)
    return same.sum(2) * first * valid


class NgramBranch(nn.Module):
    """The exported branch: PhoBERT ids in, n-gram logits out (same arithmetic as Features, in int64)."""

    def __init__(self, features, weighting, weight, bias, kept_tokens=None):
        """kept_tokens: lower-cased ids that keep a row of the per-token table (the others share a zero row), so a wide
        branch does not carry 64,001 rows; None keeps every row."""
        super().__init__()
        unigram, ngram, unigram_sq, ngram_sq = features.fold(weight)
        self.compact = kept_tokens is not None
        if self.compact:
            kept = sorted(kept_tokens)
            rows = torch.zeros(ORIG_VOCAB, dtype=torch.long)
            rows[torch.tensor(kept, dtype=torch.long)] = torch.arange(1, len(kept) + 1)
            unigram = torch.cat([torch.zeros(1, unigram.shape[1]), unigram[kept]])
            unigram_sq = torch.cat([torch.zeros(1), unigram_sq[kept]])
            self.register_buffer("rows", rows)
        self.sublinear = weighting == "sublinear-l2"
        self.register_buffer("lower", torch.tensor(features.lower, dtype=torch.long))
        self.register_buffer("first", torch.tensor(features.first, dtype=torch.long))
        self.register_buffer("last", torch.tensor(features.last, dtype=torch.long))
        self.register_buffer("unigram", unigram)
        self.register_buffer("ngram", ngram)
        self.register_buffer("unigram_sq", unigram_sq)
        self.register_buffer("ngram_sq", ngram_sq)
        self.register_buffer("bias", bias)

    def forward(self, input_ids, attention_mask):
        ids = torch.index_select(self.lower, 0, input_ids.reshape(-1)).reshape(input_ids.shape)
        mask = attention_mask.to(torch.float32)
        buckets = self.ngram.shape[0]
        kinds = [
            (self.rows[ids] if self.compact else ids, mask, self.unigram, self.unigram_sq),
            ((ids[:, :-1] * P1 + ids[:, 1:] * P2) % buckets, mask[:, :-1] * mask[:, 1:], self.ngram, self.ngram_sq),
            ((ids[:, :-2] * P1 + ids[:, 1:-1] * P2 + ids[:, 2:] * P3 + P0) % buckets, mask[:, :-2] * mask[:, 1:-1] * mask[:, 2:], self.ngram, self.ngram_sq),
            (syllable_bigram(self.last[ids[:, :-1]], self.first[ids[:, 1:]], buckets), mask[:, :-1] * mask[:, 1:], self.ngram, self.ngram_sq),
        ]
        total = torch.zeros(ids.shape[0], self.bias.shape[0])
        norm2 = torch.zeros(ids.shape[0])
        for keys, valid, table, table_sq in kinds:
            if self.sublinear:
                count = distinct_counts(keys, valid)
                tf = torch.where(count > 0, 1.0 + torch.log(count.clamp_min(1.0)), torch.zeros_like(count))
                total = total + (table[keys] * tf.unsqueeze(-1)).sum(1)
                norm2 = norm2 + (table_sq[keys] * tf * tf).sum(1)
            else:
                total = total + (table[keys] * valid.unsqueeze(-1)).sum(1)
        norm = norm2.clamp_min(1e-12).sqrt() if self.sublinear else mask.sum(1).sqrt()
        return total / norm.unsqueeze(1) + self.bias


class Mix(nn.Module):
    def __init__(self, branch, alpha):
        super().__init__()
        self.branch, self.alpha = branch, alpha

    def forward(self, input_ids, attention_mask, encoder_logits):
        ngram = torch.log_softmax(self.branch(input_ids, attention_mask), -1)
        return self.alpha * torch.log_softmax(encoder_logits, -1) + (1.0 - self.alpha) * ngram


def score(gold, scores):
    """Accuracy and macro-F1; on a positive/negative-only set, negative vs positive (as eval and the card)."""
    if set(gold) <= {0, 2}:
        pred = torch.where(scores[:, 0] >= scores[:, 2], 0, 2).tolist()
        classes = [0, 2]
    else:
        pred, classes = scores.argmax(-1).tolist(), [0, 1, 2]
    return sum(g == p for g, p in zip(gold, pred)) / len(gold), macro_f1(gold, pred, classes)


def train_bag(packed, size, classes, weights, args):
    """Averages the weights of --bags models trained with different seeds (one linear model again)."""
    total_w, total_b = torch.zeros(size, classes), torch.zeros(classes)
    for bag in range(args.bags):
        torch.manual_seed(args.seed + bag)
        generator = torch.Generator().manual_seed(args.seed + bag)
        table = nn.EmbeddingBag(size, classes, mode="sum", sparse=True)
        nn.init.zeros_(table.weight)
        bias = nn.Parameter(torch.zeros(classes))
        sparse_opt, dense_opt = torch.optim.SparseAdam([table.weight], lr=args.lr), torch.optim.Adam([bias], lr=args.lr)
        for epoch in range(args.epochs):
            for flat, offsets, per_sample, labels, row_weight, two_class in packed.batches(64, generator):
                loss = weighted_loss(table(flat, offsets, per_sample_weights=per_sample) + bias, labels, weights, row_weight, two_class)
                sparse_opt.zero_grad()
                dense_opt.zero_grad()
                loss.backward()
                sparse_opt.step()
                dense_opt.step()
            print(f"bag {bag + 1}/{args.bags} epoch {epoch + 1}/{args.epochs}", flush=True)
        total_w += table.weight.detach() / args.bags
        total_b += bias.detach() / args.bags
    return total_w, total_b


def stored_tables(tensor, dtype, initializers, nodes, users):
    """Replaces one float32 gather table by its float16 or int8 form (in initializers) and each Gather of it (in nodes)
    by a Gather of the stored form followed by the nodes that give back float32 rows."""
    values = numpy_helper.to_array(tensor)
    index = initializers.index(tensor)
    if dtype == "float16":
        initializers[index] = numpy_helper.from_array(values.astype("float16"), tensor.name)
    else:
        scale = np.abs(values).max(1, keepdims=True) / 127.0
        scale[scale == 0] = 1.0
        initializers[index] = numpy_helper.from_array(np.round(values / scale).astype("int8"), tensor.name)
        initializers.append(numpy_helper.from_array(scale.astype("float32"), tensor.name + "/scale"))
    for node in users:
        gathered, stored = node.output[0], node.output[0] + "/" + dtype
        node.output[0] = stored
        at = nodes.index(node) + 1
        if dtype == "float16":
            nodes.insert(at, helper.make_node("Cast", [stored], [gathered], to=onnx.TensorProto.FLOAT))
        else:
            nodes[at:at] = [
                helper.make_node("Cast", [stored], [stored + "/float"], to=onnx.TensorProto.FLOAT),
                helper.make_node("Gather", [tensor.name + "/scale", node.input[1]], [stored + "/scale"]),
                helper.make_node("Mul", [stored + "/float", stored + "/scale"], [gathered]),
            ]


def merge_graphs(encoder_path, mix, out_path, outputs=(("logits", [1, len(LABELS)]),), table_dtype="float32"):
    """encoder graph (input_ids, attention_mask -> outputs) + mix graph (input_ids, attention_mask, each encoder
    output -> the same outputs) = one graph with the encoder's interface. outputs: (name, shape of one row).
    table_dtype: how the mix's large float tables (only ever gathered) are stored: float32 as trained, float16, or int8
    with one float32 scale per row (symmetric); the gathered rows are turned back into float32, so a session keeps
    the tables at a half or a quarter of the memory."""
    sample_ids = torch.tensor([[BOS, 218, 8, 649, EOS], [BOS, 218, EOS, PAD, PAD]], dtype=torch.long)
    sample_mask = (sample_ids != PAD).long()
    names = [name for name, _ in outputs]
    mix_path = out_path + ".mix.onnx"
    torch.onnx.export(
        mix, (sample_ids, sample_mask, *[torch.zeros([2] + shape[1:]) for _, shape in outputs]), mix_path,
        input_names=["input_ids", "attention_mask"] + [f"encoder_{n}" for n in names], output_names=names, opset_version=14,
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                      **{f"encoder_{n}": {0: "batch"} for n in names}, **{n: {0: "batch"} for n in names}},
        do_constant_folding=True,
    )
    encoder = compose.add_prefix(onnx.load(encoder_path), "encoder/")
    mixer = compose.add_prefix(onnx.load(mix_path), "mix/")
    os.remove(mix_path)
    # Both parts read the shared inputs; the mix also reads the encoder's outputs.
    shared = {"encoder/input_ids": "input_ids", "encoder/attention_mask": "attention_mask", "mix/input_ids": "input_ids",
              "mix/attention_mask": "attention_mask",
              **{f"mix/encoder_{n}": f"encoder/{n}" for n in names}, **{f"mix/{n}": n for n in names}}
    for node in list(encoder.graph.node) + list(mixer.graph.node):
        node.input[:] = [shared.get(name, name) for name in node.input]
        node.output[:] = [shared.get(name, name) for name in node.output]
    inputs = [i for i in mixer.graph.input if not i.name.startswith("mix/encoder_")]
    for value in inputs + list(mixer.graph.output):
        value.name = shared[value.name]
    initializers, nodes = list(mixer.graph.initializer), list(mixer.graph.node)
    if table_dtype != "float32":
        for tensor in list(initializers):
            if tensor.data_type == onnx.TensorProto.FLOAT and len(tensor.dims) == 2 and tensor.dims[0] * tensor.dims[1] > 500_000:
                users = [n for n in nodes if tensor.name in n.input]
                assert all(n.op_type == "Gather" and n.input[0] == tensor.name for n in users), f"{tensor.name}: not only gathered"
                stored_tables(tensor, table_dtype, initializers, nodes, users)
    graph = helper.make_graph(
        list(encoder.graph.node) + nodes, "camxuc_encoder_plus_ngrams",
        inputs=inputs, outputs=list(mixer.graph.output),
        initializer=list(encoder.graph.initializer) + initializers,
    )
    opset = max(o.version for o in encoder.opset_import if o.domain in ("", "ai.onnx"))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="camxuc ngram_branch.py")
    model.ir_version = encoder.ir_version
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


def main():
    args = parse_args()
    started = time.time()
    torch.set_num_threads(args.threads)
    features = Features(token_tables(args.vocab), args.buckets)
    train, dev = load(args.work, "train"), load(args.work, "dev")
    if args.weighting == "sublinear-l2":
        features.fit_idf([ids for split in train.values() for ids, _ in split])
    rows = [(features.of(ids, args.weighting), label) for split in train.values() for ids, label in split]
    extras = split_row_extras(train, args.dataset_balance, args.two_class_loss)
    dev_packed = {name: Packed([(features.of(ids, args.weighting), label) for ids, label in split]) for name, split in dev.items()}
    encoder_probs = json.load(open(os.path.join(args.deep, "dev_probabilities.json"), encoding="utf8"))
    assert encoder_probs["labels"] == LABELS, encoder_probs["labels"]
    encoder_logp = {}
    for name, split in dev.items():
        probs = torch.tensor(encoder_probs["probabilities"][name])
        assert len(probs) == len(split), f"{name}: {len(probs)} encoder rows, {len(split)} dev rows"
        encoder_logp[name] = probs.clamp_min(1e-12).log()
    counts = collections.Counter(label for _, label in rows)
    weights = torch.tensor([len(rows) / (len(LABELS) * counts[c]) for c in range(len(LABELS))])
    print(f"{len(rows)} train rows, {features.size} features", flush=True)

    weight, bias = train_bag(Packed(rows, extras), features.size, len(LABELS), weights, args)
    del rows
    ngram_logp = {}
    for name, packed in dev_packed.items():
        parts = [F.embedding_bag(flat, weight, offsets, mode="sum", per_sample_weights=w) + bias for flat, offsets, w, *_ in packed.batches(512)]
        ngram_logp[name] = torch.log_softmax(torch.cat(parts), -1)

    # alpha by mean dev macro-F1, the criterion train.py uses for its best epoch
    results = {}
    for alpha in [float(a) for a in args.alphas.split(",")] + [0.0, 1.0]:
        per_set = {}
        for name, split in dev.items():
            gold = [label for _, label in split]
            acc, f1 = score(gold, alpha * encoder_logp[name] + (1 - alpha) * ngram_logp[name])
            per_set[name] = {"accuracy": round(acc, 4), "macro_f1": round(f1, 4)}
        results[alpha] = (sum(e["macro_f1"] for e in per_set.values()) / len(per_set), per_set)
        print(f"alpha {alpha}: mean dev macro-F1 {results[alpha][0]:.4f} {json.dumps(per_set)}", flush=True)
    tried = [float(a) for a in args.alphas.split(",")]
    alpha = max(tried, key=lambda a: results[a][0])

    branch = NgramBranch(features, args.weighting, weight, bias)
    with torch.no_grad():  # the graph's arithmetic must equal the training features' (checked on one dev set)
        name = sorted(dev)[-1]
        for (flat, offsets, w, *_), chunk in zip(dev_packed[name].batches(64), [dev[name][i : i + 64] for i in range(0, len(dev[name]), 64)]):
            width = max(len(ids) for ids, _ in chunk) + 2
            ids = torch.full((len(chunk), width), PAD, dtype=torch.long)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for r, (seq, _) in enumerate(chunk):
                ids[r, : len(seq) + 2] = torch.tensor([BOS] + seq + [EOS])
                mask[r, : len(seq) + 2] = 1
            expected = F.embedding_bag(flat, weight, offsets, mode="sum", per_sample_weights=w) + bias
            got = branch(ids, mask)
            assert torch.allclose(expected, got, atol=1e-3), (expected - got).abs().max()

    os.makedirs(args.out, exist_ok=True)
    merge_graphs(os.path.join(args.deep, "model.onnx"), Mix(branch, alpha).eval(), os.path.join(args.out, "model.onnx"), table_dtype=args.table_dtype)
    shutil.copy(os.path.join(args.deep, "tokenizer.json"), os.path.join(args.out, "tokenizer.json"))
    config = json.load(open(os.path.join(args.deep, "config.json"), encoding="utf8"))
    config.update({"version": args.version, "architecture": "RobertaForSequenceClassification (PhoBERT tokenisation) + n-gram branch",
                   "ngram_branch": {"alpha": alpha, "buckets": args.buckets}})
    json.dump(config, open(os.path.join(args.out, "config.json"), "w"), indent=1)
    report = json.load(open(os.path.join(args.deep, "training_report.json"), encoding="utf8"))
    report["encoder_export_check"] = report.pop("export_check", None)  # the encoder graph's logits, not the mix's
    report["ngram_branch"] = {
        "alpha": alpha, "seed": args.seed, "bags": args.bags, "epochs": args.epochs, "lr": args.lr, "buckets": args.buckets,
        "two_class_loss": args.two_class_loss, "dataset_balance": args.dataset_balance, "weighting": args.weighting,
        "char_buckets": CHAR_BUCKETS, "table_dtype": args.table_dtype, "seconds": round(time.time() - started), "torch": torch.__version__,
        "encoder_only_dev": results[1.0][1], "ngrams_only_dev": results[0.0][1], "mixed_dev": results[alpha][1],
    }
    json.dump(report, open(os.path.join(args.out, "training_report.json"), "w"), indent=1)
    print(f"alpha {alpha}: wrote {args.out}/model.onnx ({os.path.getsize(os.path.join(args.out, 'model.onnx')) / 1e6:.1f} MB) in {time.time() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main()
