// The inference module with the bundled ONNX model, and the eval / segment commands built on it.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Classifier } from "../../server/inference/classifier.server.ts";
import { ModelFolderError, readModelFolder } from "../../server/inference/modelFolder.server.ts";
import { DEFAULT_MODEL_DIR } from "../../server/repoPaths.ts";
import { runTsx } from "../support/runTsx.ts";

const options = { threads: 1, batchSize: 8, batchWaitMs: 2 };

describe("Classifier", () => {
  let classifier: Classifier;
  beforeAll(async () => {
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, options);
  });
  afterAll(async () => {
    await classifier?.close();
  });

  it("gives the same probabilities whether texts come together, concurrently or one by one", async () => {
    const texts = ["Rất hài lòng", "Hàng kém chất lượng, không nên mua", "tạm được", "Giao hàng nhanh. ".repeat(10), "ok"];
    const together = await classifier.classify(texts);
    const concurrent = await Promise.all(texts.map((t) => classifier.classify([t]).then((r) => r[0]!)));
    const sequential: typeof together = [];
    for (const t of texts) sequential.push((await classifier.classify([t]))[0]!);
    for (let i = 0; i < texts.length; i++) {
      for (const label of classifier.labels) {
        expect(concurrent[i]!.probabilities[label]).toBeCloseTo(together[i]!.probabilities[label]!, 5);
        expect(sequential[i]!.probabilities[label]).toBeCloseTo(together[i]!.probabilities[label]!, 5);
      }
    }
  });

  it("keeps the event loop responsive while classifying a large list", async () => {
    const texts = Array.from({ length: 600 }, (_, i) => `Sản phẩm số ${i} dùng ổn, đóng gói cẩn thận`);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    await classifier.classify(texts);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(2);
  });
});

describe("model folder errors", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-model-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names a missing file", async () => {
    await expect(Classifier.load(dir, options)).rejects.toThrow(`${dir}/model.onnx: missing`);
  });
  it("names a corrupt model.onnx", async () => {
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    writeFileSync(path.join(dir, "model.onnx"), "not an onnx graph");
    await expect(Classifier.load(dir, options)).rejects.toThrow(new RegExp(`${dir}/model.onnx: ONNX Runtime cannot load it`));
  });
  it("names a bad config.json field", async () => {
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ labels: "negative" }));
    await expect(Classifier.load(dir, options)).rejects.toBeInstanceOf(ModelFolderError);
    await expect(Classifier.load(dir, options)).rejects.toThrow(/config.json: field "labels"/);
  });
  it("reads a Hugging Face sentiment export's NEG/POS/NEU id2label as the labels the app shows, in logit order", () => {
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    const withLabels = (config: object) => writeFileSync(path.join(dir, "config.json"), JSON.stringify(config));
    withLabels({ id2label: { "0": "NEG", "1": "POS", "2": "NEU" } });
    expect(readModelFolder(dir).labels).toEqual(["negative", "positive", "neutral"]);
    withLabels({ labels: ["Tiêu cực", "Trung tính", "Tích cực"] });
    expect(readModelFolder(dir).labels).toEqual(["negative", "neutral", "positive"]);
    // a calibration's class biases may name the labels either way
    withLabels({ id2label: { "0": "NEG", "1": "POS", "2": "NEU" }, calibration: { temperature: 1.5, class_biases: { NEU: 0.2, positive: -0.1 } } });
    expect(readModelFolder(dir).calibration).toEqual({ temperature: 1.5, biases: [0, -0.1, 0.2] });
  });
  it("refuses labels it cannot show, or one label on two logits, saying what to write instead", () => {
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ id2label: { "0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2" } }));
    expect(() => readModelFolder(dir)).toThrow(/label "LABEL_0" is not one this app knows .* name each logit in "labels", in logit order/);
    writeFileSync(path.join(dir, "config.json"), JSON.stringify({ labels: ["negative", "NEG", "positive"] }));
    expect(() => readModelFolder(dir)).toThrow(/two logits are labelled "negative"/);
  });
});

describe("commands", () => {
  it("npm run segment writes each stdin line segmented", async () => {
    const result = await runTsx(["scripts/segment.ts"], { input: "Tôi là sinh viên trường đại học công nghệ.\nGiao hàng nhanh,đóng gói cẩn thận\n" });
    expect(result.stdout).toBe("Tôi là sinh_viên trường đại_học công_nghệ .\nGiao hàng nhanh , đóng_gói cẩn_thận\n");
  });

  it("npm run eval reads tricky CSV exactly and reports what the classifier predicts", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-eval-"));
    const rows: [string, string][] = [
      ["Sản phẩm tốt,\r\ngiao hàng nhanh", "positive"],
      ["  Hàng lỗi \"nặng\", thất vọng", "negative"],
      ["Bình thường", "positive"],
      ["Tệ, không bao giờ mua lại", "negative"],
    ];
    const csv = "text,label\r\n" + rows.map(([t, l]) => `"${t.replace(/"/g, '""')}",${l}`).join("\r\n") + "\r\n";
    const file = path.join(dir, "mini.csv");
    writeFileSync(file, csv);
    const result = await runTsx(["scripts/eval.ts", "--data", file]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    const classifier = await Classifier.load(DEFAULT_MODEL_DIR, options);
    const predictions = await classifier.classify(rows.map(([t]) => t));
    await classifier.close();
    const expectedAccuracy = predictions.filter((p, i) => p.label === rows[i]![1]).length / rows.length;
    const expectedBinary =
      predictions.filter((p, i) => ((p.probabilities.negative ?? 0) >= (p.probabilities.positive ?? 0) ? "negative" : "positive") === rows[i]![1]).length / rows.length;
    expect(report.n).toBe(4);
    expect(report.accuracy).toBeCloseTo(expectedAccuracy);
    expect(report.binary_accuracy).toBeCloseTo(expectedBinary);
    expect(Object.keys(report.per_class).sort()).toEqual(["negative", "neutral", "positive"]);
    expect(report.confusion.negative).toBeDefined();
    expect(report.rows_per_second).toBeGreaterThan(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it("npm run eval explains a file without the text/label header", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-eval-"));
    writeFileSync(path.join(dir, "bad.csv"), "review,stars\nhay,5\n");
    const result = await runTsx(["scripts/eval.ts", "--data", path.join(dir, "bad.csv")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/header must have the columns "text" and "label"/);
    rmSync(dir, { recursive: true, force: true });
  });
});
