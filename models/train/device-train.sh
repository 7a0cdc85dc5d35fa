#!/usr/bin/env bash
# Trains on the device machine (GPU) and returns the model folder through $OUT, whose files come back
# only when each is under 16 MiB: model.onnx is split into 15 MiB parts (join with `cat model.onnx.part-* > model.onnx`).
# Prepare here first:  npm run train:export -- --out .gpu/work   and  echo /.gpu/ >> .git/info/exclude
# Then call the device tool with carry [".gpu"] and:  bash models/train/device-train.sh [train.py options]
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:?run this on the device machine}/model"
python3 models/train/train.py --work .gpu/work --out "$out" --device cuda "$@" 2>&1 | grep -v Warning | tee "$OUT/train.log"
split -b 15M -d "$out/model.onnx" "$out/model.onnx.part-"
rm "$out/model.onnx"
ls -la "$out"
