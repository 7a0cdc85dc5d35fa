"""Adds an n-gram branch to the aspect model (issue 22), as ngram_branch.py does for the sentence model.

Why: the aspect encoder (3 x 128, trained on 35,862 reviews) is weak where a domain has few reviews and many aspects
(hotels: 2,997 reviews, 34 aspects), and a linear model over n-grams is strong there (the VLSP 2018 SVM anchors).
The branch reads the same PhoBERT ids inside the ONNX graph: hashed token 1-3-grams, syllables of segmented words and
character 2-5-grams (ngram_branch.Features), summed into a low-rank hidden vector (a fastText-style bag: rank
--rank), then one linear layer to every aspect's four logits and the domain logits. The shipped graph outputs, per
aspect, alpha * log_softmax(encoder) + (1 - alpha) * log_softmax(n-grams), plus a shift of the `absent` logit; the
domain logits mix the same way with their own weight. Each domain's alpha and shift are chosen on its dev split
(aspect+polarity F1), the general aspects take the alpha best on the mean over domains; the served interface
(aspect_logits, domain_logits) is unchanged.

A domain named in --specialists also gets a linear model of its own (0.3.0): per aspect, a multinomial logistic
regression over the same features, trained on that domain's reviews only with classes weighted inversely to their
frequency in the aspect (scikit-learn's "balanced"). The shared bag sees one loss over 102 aspects through a 128-wide
bottleneck and weights classes alike across aspects; a domain with many rare aspects (hotels: 34) loses recall there.
Its weight matrix is factored (SVD, --specialist-rank) into a table the graph gathers as it does the bag's, and a head;
the domain's output is then beta * (the mix above) + (1 - beta) * log_softmax(specialist), beta chosen on dev.

Usage (the corpus from `npm run train:corpus`; --deep is an aspect folder whose encoder is kept: 0.1.0's encoder-only
folder or one this script wrote):
  python3 models/train/aspect_ngrams.py --corpus .gpu/corpus --deep DIR --out models/aspects --version X.Y.Z
"""
import argparse, gzip, json, os, random, shutil, time

import numpy as np
import onnx
import scipy.sparse as sparse
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import numpy_helper
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression

from paired_comparison import compare
from ngram_branch import BOS, EOS, PAD, Features, NgramBranch, merge_graphs, token_tables  # this folder is on sys.path
from pipeline import POLARITIES, AspectModel, aspect_layout, aspect_targets
from export_onnx import AspectExport, export
from train import Encoder

CLASS_WEIGHTS = [1.0, 2.0, 2.0, 3.0]  # as pipeline.train_aspects: absent dominates, neutral is the rarest


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--corpus", default=".gpu/corpus")
    p.add_argument("--inventory", default=os.path.join(os.path.dirname(__file__), "aspect_inventory.json"))
    p.add_argument("--vocab", default="models/vi-resources/phobert-base/dict.txt")
    p.add_argument("--deep", default="models/aspects", help="aspect folder whose model.onnx is the encoder (no n-gram branch)")
    p.add_argument("--out", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--buckets", type=int, default=1 << 16, help="hash buckets for token bigrams, trigrams and syllable bigrams")
    p.add_argument("--rank", type=int, default=128, help="width of the bag's hidden vector")
    p.add_argument("--act", choices=["none", "relu"], default="relu", help="between the bag and the output layer")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=0.003)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--bag-class-balance", type=float, default=0.0,
                   help="0: the bag's class weights are CLASS_WEIGHTS; P > 0: per aspect, scikit-learn's balanced weights ** P (an experiment)")
    p.add_argument("--domain-balance", type=float, default=0.0, help="row weight (mean reviews per domain / its domain's) ** this")
    p.add_argument("--alphas", default="0,0.2,0.3,0.4,0.5,0.6,0.7,1")
    p.add_argument("--absent-shifts", default="-1.5,-1,-0.5,-0.25,0,0.25,0.5,1")
    p.add_argument("--weighting", choices=["sqrt-length", "sublinear-l2"], default="sqrt-length", help="as ngram_branch.py")
    p.add_argument("--table-dtype", choices=["int8", "float16", "float32"], default="int8", help="the gather tables on disk and in memory (ngram_branch.merge_graphs)")
    p.add_argument("--specialists", default="hotels,restaurants", help="domains that also get a linear model of their own (comma-separated; empty: none)")
    p.add_argument("--specialist-c", type=float, default=10.0, help="inverse L2 strength of the specialists' logistic regressions")
    p.add_argument("--specialist-rank", type=int, default=96, help="rank of the specialists' factored weight matrices (hotels: 64 loses 0.3 F1, 96 none)")
    p.add_argument("--betas", default="0,0.2,0.4,0.6,0.8,1", help="weights of the shared mix against a specialist, tried on dev")
    return p.parse_args()


def read_aspects(corpus, split):
    out = {}
    for name in sorted(os.listdir(corpus)):
        parts = name.split(".")
        if parts[0] == "aspects" and parts[2] == split:
            out[parts[1]] = [json.loads(line) for line in gzip.open(os.path.join(corpus, name), "rt", encoding="utf8") if line.strip()]
    return out


def encoder_from_onnx(path, config, aspects, domains):
    """The aspect encoder of a model.onnx (encoder-only, or one this script wrote) as a torch module. torch.onnx.export
    keeps parameter names, except the folded token-type vector (an Add constant) and the transposed MatMul weights,
    which come in layer order: qkv, out, ff1, ff2."""
    graph = onnx.load(path).graph
    values = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    if any(name.startswith("encoder/") for name in values):  # a folder this script wrote: its encoder part
        values = {name[len("encoder/"):]: v for name, v in values.items() if name.startswith("encoder/")}
    hidden, layers = config["hidden_size"], config["num_hidden_layers"]
    encoder = Encoder(config["vocab_size"], hidden, layers, config["num_attention_heads"], config["intermediate_size"])
    model = AspectModel(encoder, hidden, aspects, domains)
    state = {k[len("model."):]: v for k, v in values.items() if k.startswith("model.")}
    added = [v for k, v in values.items() if k.startswith("onnx::Add")]
    matmuls = [v for k, v in values.items() if k.startswith("onnx::MatMul")]
    assert len(added) == 1 and len(matmuls) == 4 * layers, (len(added), len(matmuls))
    state["encoder.token_type.weight"] = added[0].reshape(1, hidden)
    for layer in range(layers):
        for i, part in enumerate(["qkv", "out", "ff1", "ff2"]):
            state[f"encoder.layers.{layer}.{part}.weight"] = matmuls[4 * layer + i].t().contiguous()
    model.load_state_dict(state)
    remap = values["remap"].long()
    return model.eval(), remap


def encoder_log_probs(model, remap, rows, batch=64):
    """Per review: log-probabilities [aspects, 4] and domain log-probabilities, scored whole (dev reviews fit 254 ids)."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]["ids"]))
    aspect_out, domain_out = [None] * len(rows), [None] * len(rows)
    with torch.no_grad():
        for start in range(0, len(order), batch):
            chosen = order[start : start + batch]
            width = max(len(rows[i]["ids"][:254]) for i in chosen) + 2
            ids = torch.full((len(chosen), width), PAD, dtype=torch.long)
            for r, i in enumerate(chosen):
                seq = [BOS] + rows[i]["ids"][:254] + [EOS]
                ids[r, : len(seq)] = torch.tensor(seq)
            mask = (ids != PAD).long()
            logits, dom = model(remap[ids], mask)
            for r, i in enumerate(chosen):
                aspect_out[i] = torch.log_softmax(logits[r], -1)
                domain_out[i] = torch.log_softmax(dom[r], -1)
    return torch.stack(aspect_out), torch.stack(domain_out)


class Bag(nn.Module):
    """Training form of the branch: weighted feature sum -> hidden (+ bias, activation) -> aspect and domain logits."""

    def __init__(self, size, rank, act, aspects, domains):
        super().__init__()
        self.table = nn.EmbeddingBag(size, rank, mode="sum", sparse=True)
        nn.init.normal_(self.table.weight, std=0.02)
        self.hidden_bias = nn.Parameter(torch.zeros(rank))
        self.act = act
        self.out = nn.Linear(rank, aspects * 4 + domains)
        self.aspects = aspects

    def head(self, summed):
        hidden = summed + self.hidden_bias
        if self.act == "relu":
            hidden = torch.relu(hidden)
        out = self.out(hidden)
        return out[:, : self.aspects * 4].view(-1, self.aspects, 4), out[:, self.aspects * 4 :]

    def forward(self, flat, offsets, weights):
        return self.head(self.table(flat, offsets, per_sample_weights=weights))


class ExportedBranch(nn.Module):
    """The branch inside the graph: NgramBranch (the folded tables) gives the summed hidden vector, then the head."""

    def __init__(self, features, weighting, bag, kept_tokens):
        super().__init__()
        self.sum = NgramBranch(features, weighting, bag.table.weight.detach(), torch.zeros(bag.table.weight.shape[1]), kept_tokens)
        self.bag = bag

    def forward(self, input_ids, attention_mask):
        return self.bag.head(self.sum(input_ids, attention_mask))


class Specialist(nn.Module):
    """One domain's linear model in the graph: NgramBranch sums the factored table's rows, the head finishes W = table @ head."""

    def __init__(self, features, weighting, table, head_weight, head_bias, kept_tokens):
        super().__init__()
        self.sum = NgramBranch(features, weighting, table, torch.zeros(table.shape[1]), kept_tokens)
        self.head = nn.Linear(table.shape[1], head_bias.shape[0])
        with torch.no_grad():
            self.head.weight.copy_(head_weight)
            self.head.bias.copy_(head_bias)

    def forward(self, input_ids, attention_mask):
        return torch.log_softmax(self.head(self.sum(input_ids, attention_mask)).view(input_ids.shape[0], -1, 4), -1)


def train_specialist(features, rows, domain, layout, args):
    """Per aspect of the domain, a logistic regression with balanced classes on the domain's own reviews; returns the
    factored weights (table [features, rank], head [aspects * 4, rank], bias). A class an aspect never has in training
    gets bias -30; a two-class aspect's single coefficient row is split symmetrically between its two classes."""
    data, columns, pointers = [], [], [0]
    for r in rows:
        merged = {}
        for f, v in zip(*features.of(r["ids"], args.weighting)):
            merged[f] = merged.get(f, 0.0) + v
        columns += list(merged)
        data += list(merged.values())
        pointers.append(len(columns))
    x = sparse.csr_matrix((data, columns, pointers), shape=(len(rows), features.size))
    used = np.unique(x.indices)  # the other features have no training value: their weights stay 0
    x = x[:, used]
    start, end = layout[1][domain]
    targets = np.array([aspect_targets(r, domain, layout)[start:end] for r in rows])
    aspects = end - start
    weight, bias = np.zeros((len(used), aspects * 4)), np.full(aspects * 4, -30.0)
    fit = lambda k: LogisticRegression(C=args.specialist_c, max_iter=3000, class_weight="balanced").fit(x, targets[:, k])
    trained = [k for k in range(aspects) if len(np.unique(targets[:, k])) > 1]
    for k in set(range(aspects)) - set(trained):
        bias[4 * k + targets[0, k]] = 0.0
    for k, model in zip(trained, Parallel(n_jobs=args.threads)(delayed(fit)(k) for k in trained)):
        coef, intercept = model.coef_, model.intercept_
        if len(model.classes_) == 2:
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
        for j, c in enumerate(model.classes_):
            weight[:, 4 * k + c], bias[4 * k + c] = coef[j], intercept[j]
    u, singular, vt = np.linalg.svd(weight, full_matrices=False)
    rank = min(args.specialist_rank, len(singular))
    table = torch.zeros(features.size, rank)
    table[torch.from_numpy(used.astype(np.int64))] = torch.from_numpy(u[:, :rank] * singular[:rank]).float()
    return table, torch.from_numpy(vt[:rank].T.copy()).float(), torch.from_numpy(bias).float()


def padded_batches(rows, batch=64):
    """(ids, mask) per batch of rows in their order: BOS + ids + EOS, right-padded."""
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        width = max(len(r["ids"]) for r in chunk) + 2
        ids = torch.full((len(chunk), width), PAD, dtype=torch.long)
        for i, r in enumerate(chunk):
            ids[i, : len(r["ids"]) + 2] = torch.tensor([BOS] + r["ids"] + [EOS])
        yield ids, (ids != PAD).long()


class AspectMix(nn.Module):
    def __init__(self, branch, alpha, domain_alpha, absent_shift, specialists=()):
        """specialists: (Specialist, first aspect index, end index, beta) per domain that has one."""
        super().__init__()
        self.branch, self.domain_alpha = branch, domain_alpha
        self.register_buffer("alpha", alpha)  # [aspects, 1]: the encoder's weight, per aspect (its domain's)
        self.register_buffer("absent_shift", absent_shift)  # [aspects]: added to each aspect's `absent` log-probability
        self.specialists = nn.ModuleList([module for module, _, _, _ in specialists])
        self.spans = [(start, end, beta) for _, start, end, beta in specialists]

    def forward(self, input_ids, attention_mask, encoder_aspects, encoder_domains):
        aspects, domains = self.branch(input_ids, attention_mask)
        mixed = self.alpha * torch.log_softmax(encoder_aspects, -1) + (1 - self.alpha) * torch.log_softmax(aspects, -1)
        for specialist, (start, end, beta) in zip(self.specialists, self.spans):
            own = beta * mixed[:, start:end] + (1 - beta) * specialist(input_ids, attention_mask)
            mixed = torch.cat([mixed[:, :start], own, mixed[:, end:]], 1)
        shift = torch.stack([self.absent_shift] + [torch.zeros_like(self.absent_shift)] * 3, -1)
        mixed_domains = self.domain_alpha * torch.log_softmax(encoder_domains, -1) + (1 - self.domain_alpha) * torch.log_softmax(domains, -1)
        return mixed + shift, mixed_domains


def packed(features, rows, weighting):
    flat, values, lengths = [], [], []
    for r in rows:
        f, v = features.of(r["ids"], weighting)
        flat += f
        values += v
        lengths.append(len(f))
    lengths = torch.tensor(lengths)
    return torch.tensor(flat, dtype=torch.long), torch.tensor(values), lengths, torch.cumsum(lengths, 0) - lengths


def gather(pack, chosen):
    flat, values, lengths, starts = pack
    lens = lengths[chosen]
    offsets = torch.cumsum(lens, 0) - lens
    index = starts[chosen].repeat_interleave(lens) + torch.arange(int(lens.sum())) - offsets.repeat_interleave(lens)
    return flat[index], offsets, values[index]


def bag_logits(bag, pack, n, batch=512):
    with torch.no_grad():
        parts = [bag(*gather(pack, torch.arange(s, min(n, s + batch)))) for s in range(0, n, batch)]
    return torch.cat([a for a, _ in parts]), torch.cat([d for _, d in parts])


def scores(log_probs, rows, domain, layout, absent_shift=0.0):
    """aspect F1 and aspect+polarity F1 (micro, VLSP 2018) of one domain's dev rows, the domain given."""
    index, ranges, _ = layout
    start, end = ranges[domain]
    part = log_probs[:, start:end].clone()
    part[..., 0] += absent_shift
    pred = part.argmax(-1).tolist()
    tp = fp = fn = tpp = fpp = fnp = 0
    for row, classes in zip(rows, pred):
        gold = set(row["aspects"].items())
        guess = {(index[start + k][1], POLARITIES[c]) for k, c in enumerate(classes) if c != 0}
        ga, pa = {a for a, _ in gold}, {a for a, _ in guess}
        tp += len(ga & pa); fp += len(pa - ga); fn += len(ga - pa)
        tpp += len(gold & guess); fpp += len(guess - gold); fnp += len(gold - guess)
    f1 = lambda t, p, n: 2 * t / (2 * t + p + n) if t else 0.0
    return f1(tp, fp, fn), f1(tpp, fpp, fnp)


def decisions_right(log_probs, rows, domain, layout, absent_shift=0.0):
    """Per (review, aspect of the domain): whether the predicted class (absent or a polarity) is the gold one."""
    index, ranges, _ = layout
    start, end = ranges[domain]
    part = log_probs[:, start:end].clone()
    part[..., 0] += absent_shift
    pred = part.argmax(-1).tolist()
    return [POLARITIES[c] == row["aspects"].get(index[start + k][1], "absent") for row, classes in zip(rows, pred) for k, c in enumerate(classes)]


def train_bag(features, train, layout, domains, args, dev_eval):
    rows = [(r, d) for d in domains if d in train for r in train[d]]
    pack = packed(features, [r for r, _ in rows], args.weighting)
    targets = torch.tensor([aspect_targets(r, d, layout) for r, d in rows])
    doms = torch.tensor([domains.index(d) for _, d in rows])
    mean_rows = len(rows) / len(train)
    row_weight = torch.tensor([(mean_rows / len(train[d])) ** args.domain_balance for _, d in rows])
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)
    bag = Bag(features.size, args.rank, args.act, len(layout[0]), len(domains))
    sparse_opt = torch.optim.SparseAdam([bag.table.weight], lr=args.lr)
    dense_opt = torch.optim.Adam([bag.hidden_bias] + list(bag.out.parameters()), lr=args.lr)
    class_w = torch.tensor(CLASS_WEIGHTS)
    aspect_w = None
    if args.bag_class_balance > 0:  # [aspects, 4]: rows with a target / (classes present * rows of the class), ** P
        counts = torch.stack([torch.bincount(targets[:, a][targets[:, a] >= 0], minlength=4) for a in range(targets.shape[1])]).float()
        present = (counts > 0).sum(1, keepdim=True).clamp_min(1)
        aspect_w = torch.where(counts > 0, counts.sum(1, keepdim=True) / (present * counts.clamp_min(1)), torch.zeros_like(counts)) ** args.bag_class_balance
    best = (-1.0, None, 0)
    for epoch in range(args.epochs):
        started = time.time()
        for chosen in torch.randperm(len(rows), generator=generator).split(64):
            logits, dom = bag(*gather(pack, chosen))
            target, weight = targets[chosen], row_weight[chosen]
            if aspect_w is None:
                per_aspect = F.cross_entropy(logits.reshape(-1, 4), target.reshape(-1), weight=class_w, ignore_index=-100, reduction="none")
                counted = class_w[target.clamp_min(0)] * (target >= 0) * weight.unsqueeze(1)
            else:
                known = target.clamp_min(0)
                element_w = aspect_w[torch.arange(target.shape[1]).expand_as(known), known] * (target >= 0)
                per_aspect = F.cross_entropy(logits.reshape(-1, 4), known.reshape(-1), reduction="none").view_as(target) * element_w
                counted = element_w * weight.unsqueeze(1)
            loss = (per_aspect.view_as(target) * weight.unsqueeze(1)).sum() / counted.sum() \
                + 0.5 * (F.cross_entropy(dom, doms[chosen], reduction="none") * weight).sum() / weight.sum()
            sparse_opt.zero_grad()
            dense_opt.zero_grad()
            loss.backward()
            sparse_opt.step()
            dense_opt.step()
        score = dev_eval(bag)
        print(f"epoch {epoch + 1}/{args.epochs}: n-grams alone, mean dev aspect+polarity F1 {score:.4f} ({time.time() - started:.0f}s)", flush=True)
        if score > best[0]:
            best = (score, {k: v.clone() for k, v in bag.state_dict().items()}, epoch + 1)
    bag.load_state_dict(best[1])
    return bag, best[2]


def main():
    args = parse_args()
    started = time.time()
    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    inventory = json.load(open(args.inventory, encoding="utf8"))
    layout = aspect_layout(inventory)
    domains = [d["id"] for d in inventory["domains"]]
    config = json.load(open(os.path.join(args.deep, "config.json"), encoding="utf8"))
    assert config["domain_head"] == domains, "the encoder's domain head must follow the inventory's order"
    train, dev = read_aspects(args.corpus, "train"), read_aspects(args.corpus, "dev")
    features = Features(token_tables(args.vocab), args.buckets)
    # Only tokens of the training reviews keep a per-token row (the rest had no gradient); the graph does the same.
    kept = {features.lower[t] for rows in train.values() for r in rows for t in r["ids"]}
    for t in range(len(features.token_features)):
        if t not in kept:
            features.token_features[t] = []

    encoder, remap = encoder_from_onnx(os.path.join(args.deep, "model.onnx"), config, len(layout[0]), len(domains))
    enc = {d: encoder_log_probs(encoder, remap, dev[d]) for d in domains}
    for d in domains:
        a, p = scores(enc[d][0], dev[d], d, layout)
        print(f"encoder alone, {d}: aspect F1 {a:.4f}, aspect+polarity F1 {p:.4f}", flush=True)

    if args.weighting == "sublinear-l2":
        features.fit_idf([r["ids"] for rows in train.values() for r in rows])
    dev_packs = {d: packed(features, dev[d], args.weighting) for d in domains}
    mean = lambda values: sum(values) / len(values)

    def dev_eval(bag):
        return mean([scores(torch.log_softmax(bag_logits(bag, dev_packs[d], len(dev[d]))[0], -1), dev[d], d, layout)[1] for d in domains])

    bag, best_epoch = train_bag(features, train, layout, domains, args, dev_eval)
    bag.eval()
    ng = {d: [torch.log_softmax(x, -1) for x in bag_logits(bag, dev_packs[d], len(dev[d]))] for d in domains}

    # alpha: one for all domains by mean aspect+polarity F1 (the general aspects keep it), then each domain's own
    # alpha and `absent` shift on its own aspects
    mixed = lambda d, alpha: alpha * enc[d][0] + (1 - alpha) * ng[d][0]
    alphas = [float(a) for a in args.alphas.split(",")]
    by_alpha = {alpha: mean([scores(mixed(d, alpha), dev[d], d, layout)[1] for d in domains]) for alpha in alphas}
    print("alpha -> mean dev aspect+polarity F1: " + json.dumps({a: round(s, 4) for a, s in by_alpha.items()}), flush=True)
    chosen_alpha = {"general": max(alphas, key=lambda a: by_alpha[a])}
    shifts = [float(s) for s in args.absent_shifts.split(",")]
    chosen_shift = {"general": 0.0}  # no dev rows of its own: left as trained
    for d in domains:
        chosen_alpha[d] = max(alphas, key=lambda a: scores(mixed(d, a), dev[d], d, layout)[1])
        chosen_shift[d] = max(shifts, key=lambda s: scores(mixed(d, chosen_alpha[d]), dev[d], d, layout, s)[1])
    shared = {d: (mixed(d, chosen_alpha[d]), chosen_shift[d]) for d in domains}  # what the domain gets without a specialist

    # specialists: trained, their served form scored on dev, then beta and the domain's shift chosen again on dev
    specialists, spec, chosen_beta, betas = {}, {}, {}, [float(b) for b in args.betas.split(",")]
    for d in [d for d in args.specialists.split(",") if d]:
        begun = time.time()
        table, head, head_bias = train_specialist(features, train[d], d, layout, args)
        specialists[d] = Specialist(features, args.weighting, table, head, head_bias, kept).eval()
        start, end = layout[1][d]
        with torch.no_grad():
            own = torch.cat([specialists[d](ids, mask) for ids, mask in padded_batches(dev[d])])
        spec[d] = torch.zeros_like(enc[d][0])
        spec[d][:, start:end] = own
        combined = lambda beta: beta * mixed(d, chosen_alpha[d]) + (1 - beta) * spec[d]
        chosen_beta[d] = max(betas, key=lambda b: scores(combined(b), dev[d], d, layout)[1])
        chosen_shift[d] = max(shifts, key=lambda s: scores(combined(chosen_beta[d]), dev[d], d, layout, s)[1])
        print(f"specialist {d}: alone {scores(spec[d], dev[d], d, layout)}, beta {chosen_beta[d]}, shift {chosen_shift[d]} "
              f"({time.time() - begun:.0f}s)", flush=True)
    final = lambda d: chosen_beta[d] * mixed(d, chosen_alpha[d]) + (1 - chosen_beta[d]) * spec[d] if d in specialists else mixed(d, chosen_alpha[d])
    domain_alpha = max(alphas, key=lambda a: sum(int((a * enc[d][1] + (1 - a) * ng[d][1]).argmax(-1).eq(domains.index(d)).sum()) for d in domains))

    # paired against the encoder alone (the folder --deep, when it has no branch): McNemar exact per domain and pooled
    # and against the same mix without specialists (0.2.0's arithmetic: the bag's training is deterministic)
    def paired_against(old_of):
        rng, paired, pooled_new, pooled_old = random.Random(13), {}, [], []
        for d in domains:
            new_right = decisions_right(final(d), dev[d], d, layout, chosen_shift[d])
            old_log_probs, old_shift = old_of(d)
            old_right = decisions_right(old_log_probs, dev[d], d, layout, old_shift)
            paired[d] = compare(d, new_right, old_right, rng, 1000)
            pooled_new, pooled_old = pooled_new + new_right, pooled_old + old_right
        paired["pooled"] = compare("pooled", pooled_new, pooled_old, rng, 1000)
        return paired

    paired = paired_against(lambda d: (enc[d][0], 0.0))
    paired_shared = paired_against(lambda d: shared[d]) if specialists else None

    report = {}
    for d in domains:
        e, n, m = scores(enc[d][0], dev[d], d, layout), scores(ng[d][0], dev[d], d, layout), scores(final(d), dev[d], d, layout, chosen_shift[d])
        right = int((domain_alpha * enc[d][1] + (1 - domain_alpha) * ng[d][1]).argmax(-1).eq(domains.index(d)).sum())
        figures = lambda f: {"aspect_f1": round(f[0], 4), "aspect_polarity_f1": round(f[1], 4)}
        report[d] = {"rows": len(dev[d]), "encoder": figures(e), "ngrams": figures(n)}
        if d in specialists:
            report[d]["specialist"] = figures(scores(spec[d], dev[d], d, layout))
            report[d]["without_specialist"] = figures(scores(shared[d][0], dev[d], d, layout, shared[d][1]))
        report[d]["mixed"] = {**figures(m), "domain_accuracy": round(right / len(dev[d]), 4)}
        print(d, json.dumps(report[d]), flush=True)

    shift, alpha = torch.zeros(len(layout[0])), torch.zeros(len(layout[0]), 1)
    for d, (start, end) in layout[1].items():
        shift[start:end], alpha[start:end] = chosen_shift[d], chosen_alpha[d]
    branch = ExportedBranch(features, args.weighting, bag, kept).eval()
    with torch.no_grad():  # the folded graph must give the training features' logits (one dev domain checked)
        d = domains[-1]
        got = [branch(ids, mask)[0] for ids, mask in padded_batches(dev[d])]
        expected = bag_logits(bag, dev_packs[d], len(dev[d]))[0]
        assert torch.allclose(torch.cat(got), expected, atol=1e-3), (torch.cat(got) - expected).abs().max()

    os.makedirs(args.out, exist_ok=True)
    mix = AspectMix(branch, alpha, domain_alpha, shift, [(specialists[d], *layout[1][d], chosen_beta[d]) for d in specialists]).eval()
    encoder_path = os.path.join(args.out, "encoder.onnx")  # the encoder exported again: --deep may be a mixed folder
    export(AspectExport(encoder, remap), encoder_path, ["aspect_logits", "domain_logits"], {"aspect_logits": {0: "batch"}, "domain_logits": {0: "batch"}})
    merge_graphs(encoder_path, mix, os.path.join(args.out, "model.onnx"),
                 outputs=[("aspect_logits", [1, len(layout[0]), 4]), ("domain_logits", [1, len(domains)])], table_dtype=args.table_dtype)
    os.remove(encoder_path)
    if os.path.abspath(args.out) != os.path.abspath(args.deep):
        shutil.copy(os.path.join(args.deep, "tokenizer.json"), os.path.join(args.out, "tokenizer.json"))
    specialist_config = {d: {"beta": chosen_beta[d], "c": args.specialist_c, "rank": specialists[d].head.in_features} for d in specialists}
    config.update({"version": args.version,
                   "architecture": config["architecture"].split(" + n-gram")[0] + " + n-gram branch"
                                   + (f" + linear specialists ({', '.join(specialists)})" if specialists else ""),
                   "ngram_branch": {"alpha": chosen_alpha, "domain_alpha": domain_alpha, "absent_shift": chosen_shift, "buckets": args.buckets,
                                    "rank": args.rank, "activation": args.act,
                                    "specialists": specialist_config}})
    json.dump(config, open(os.path.join(args.out, "config.json"), "w", encoding="utf8"), indent=1, ensure_ascii=False)
    training = {"ngram_branch": {"seed": args.seed, "epochs": args.epochs, "best_epoch": best_epoch, "lr": args.lr, "rank": args.rank,
                                 "activation": args.act, "buckets": args.buckets, "weighting": args.weighting, "domain_balance": args.domain_balance, "alpha": chosen_alpha, "domain_alpha": domain_alpha,
                                 "absent_shift": chosen_shift, "alphas_tried": {str(a): round(s, 4) for a, s in by_alpha.items()},
                                 "specialists": specialist_config,
                                 "seconds": round(time.time() - started), "torch": torch.__version__, "threads": args.threads},
                "dev": report, "paired_against_encoder_alone": paired}
    if paired_shared:
        training["paired_against_without_specialists"] = paired_shared
    json.dump(training, open(os.path.join(args.out, "training_report.json"), "w", encoding="utf8"), indent=1)
    size = os.path.getsize(os.path.join(args.out, "model.onnx")) / 1e6
    print(f"alpha {chosen_alpha}, domain alpha {domain_alpha}: wrote {args.out}/model.onnx ({size:.1f} MB) in {time.time() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main()
