"""Turns a state pipeline.py saved (student.pt, teacher.pt, aspects.pt) into a model folder the server loads:
model.onnx (PhoBERT ids in; the pruned-vocabulary remap inside the graph), config.json, tokenizer.json (copied from
--tokenizer-from), and for the aspect model its inventory with Vietnamese and English names. Usage:
  python3 models/train/export_onnx.py --state run/aspects.pt --out models/aspects --version 0.1.0
  python3 models/train/export_onnx.py --state run/student.pt --out work/student --version 0.8.0
"""
import argparse, inspect, json, os, shutil

import torch
import torch.nn as nn

from pipeline import AspectModel
from train import BOS, EOS, LABELS, MAX_LEN, ORIG_VOCAB, PAD, Classifier, Encoder, ExportWrapper


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--state", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--inventory", default=os.path.join(os.path.dirname(__file__), "aspect_inventory.json"))
    p.add_argument("--tokenizer-from", default="models/default/tokenizer.json")
    return p.parse_args()


def load_state(path):
    if not os.path.exists(path) and os.path.exists(f"{path}.part-00"):  # pipeline.py splits large states for the transfer
        import glob, io
        saved = torch.load(io.BytesIO(b"".join(open(p, "rb").read() for p in sorted(glob.glob(f"{path}.part-*")))), map_location="cpu")
    else:
        saved = torch.load(path, map_location="cpu")
    state = {}
    for k, v in saved["state"].items():
        state[k] = (v["int8"].float() * v["scale"].float()) if isinstance(v, dict) else v.float()
    return state, saved["remap"].long(), saved["meta"]


class AspectExport(nn.Module):
    def __init__(self, model, remap):
        super().__init__()
        self.model = model
        self.register_buffer("remap", remap)

    def forward(self, input_ids, attention_mask):
        ids = torch.index_select(self.remap, 0, input_ids.reshape(-1)).reshape(input_ids.shape)
        return self.model(ids, attention_mask)


def export(module, path, outputs, dynamic):
    sample_ids = torch.tensor([[BOS, 218, 8, 649, EOS], [BOS, 218, EOS, PAD, PAD]], dtype=torch.long)
    kwargs = dict(input_names=["input_ids", "attention_mask"], output_names=outputs, opset_version=14, do_constant_folding=True,
                  dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}, **dynamic})
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(module.eval(), (sample_ids, (sample_ids != PAD).long()), path, **kwargs)


def main():
    args = parse_args()
    state, remap, meta = load_state(args.state)
    dims, vocab = meta["shape"], meta["vocab"]
    encoder = Encoder(vocab, dims["hidden"], dims["layers"], dims["heads"], dims["ffn"])
    os.makedirs(args.out, exist_ok=True)
    shutil.copyfile(args.tokenizer_from, os.path.join(args.out, "tokenizer.json"))
    common = {"max_length": MAX_LEN, "word_segmented": True, "segmentation": "vncorenlp", "pad_token_id": PAD, "bos_token_id": BOS,
              "eos_token_id": EOS, "hidden_size": dims["hidden"], "num_hidden_layers": dims["layers"], "num_attention_heads": dims["heads"],
              "intermediate_size": dims["ffn"], "vocab_size": vocab, "input_vocab_size": ORIG_VOCAB}
    if meta["kind"] == "sentence":
        model = Classifier(encoder, dims["hidden"], len(LABELS))
        model.load_state_dict(state)
        export(ExportWrapper(model, remap), os.path.join(args.out, "model.onnx"), ["logits"], {"logits": {0: "batch"}})
        config = {"model_id": "camxuc-phobert-small", "version": args.version,
                  "architecture": "RobertaForSequenceClassification (PhoBERT tokenisation)", "labels": LABELS, **common}
    else:
        inventory = json.load(open(args.inventory, encoding="utf8"))
        order = [tuple(a) for a in meta["aspects"]]
        model = AspectModel(encoder, dims["hidden"], len(order), len(meta["domains"]))
        model.load_state_dict(state)
        export(AspectExport(model, remap), os.path.join(args.out, "model.onnx"), ["aspect_logits", "domain_logits"],
               {"aspect_logits": {0: "batch"}, "domain_logits": {0: "batch"}})
        domains = []
        for d in inventory["domains"] + [inventory["general"]]:
            domains.append({"id": d["id"], "name_vi": d["name_vi"], "name_en": d["name_en"],
                            "aspects": [{"id": a[0], "name_vi": a[1], "name_en": a[2], "index": order.index((d["id"], a[0]))} for a in d["aspects"]]})
        config = {"model_type": "camxuc-aspects", "model_id": "camxuc-aspects-small", "version": args.version,
                  "architecture": "RoBERTa encoder (PhoBERT tokenisation) + per-aspect 4-way heads + domain head",
                  "classes": ["absent", "positive", "negative", "neutral"], "domains": domains, "domain_head": meta["domains"],
                  "calibration": {"temperature": 1.0}, **common}
    json.dump(config, open(os.path.join(args.out, "config.json"), "w", encoding="utf8"), indent=1, ensure_ascii=False)
    print(f"wrote {args.out}: {meta['kind']} model, {sum(v.numel() for v in state.values()):,} parameters")


if __name__ == "__main__":
    main()
