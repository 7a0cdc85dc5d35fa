// Calibration read from a model folder's config.json, "uncertain" results, and occlusion explanations, with the
// bundled ONNX model and (for the API) over real HTTP.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calibratedProbabilities } from "../../server/inference/calibration.ts";
import { Classifier } from "../../server/inference/classifier.server.ts";
import { DEFAULT_MODEL_DIR } from "../../server/repoPaths.ts";
import { startTestServer, trpcPost, type TestServer } from "../support/testServer.ts";

const options = { threads: 1, batchSize: 8, batchWaitMs: 0 };
const texts = ["Pin tụt nhanh quá, máy nóng.", "Nhân viên phục vụ nhiệt tình, đồ ăn ngon, giá hợp lý nhưng chờ hơi lâu.", "bình thường", "Hàng lỗi, thất vọng"];

describe("calibration from config.json", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "camxuc-calibration-"));
  const loaded: Classifier[] = [];
  const load = async (folder: string, extra = {}) => {
    const classifier = await Classifier.load(folder, { ...options, ...extra });
    loaded.push(classifier);
    return classifier;
  };
  /** A copy of the bundled model folder with config.json's calibration replaced (undefined: none). */
  const folderWith = (name: string, calibration: unknown) => {
    const folder = path.join(dir, name);
    cpSync(DEFAULT_MODEL_DIR, folder, { recursive: true });
    const config = JSON.parse(readFileSync(path.join(folder, "config.json"), "utf8"));
    if (calibration === undefined) delete config.calibration;
    else config.calibration = calibration;
    writeFileSync(path.join(folder, "config.json"), JSON.stringify(config));
    return folder;
  };
  afterAll(async () => {
    for (const c of loaded) await c.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an uncalibrated folder gives the model's plain softmax; a calibrated one changes the probabilities, not the labels", async () => {
    const plain = await load(folderWith("plain", undefined));
    expect(plain.model.calibration).toBeNull();
    const raw = await (await load(DEFAULT_MODEL_DIR, { ignoreCalibration: true })).classify(texts);
    const uncalibrated = await plain.classify(texts);
    const calibrated = await load(folderWith("t2", { temperature: 2, class_biases: { neutral: 0.5 } }));
    const results = await calibrated.classify(texts);
    texts.forEach((_, i) => {
      const rawRow = plain.labels.map((l) => raw[i]!.probabilities[l]!);
      const expected = calibratedProbabilities(rawRow.map(Math.log), { temperature: 2, biases: [0, 0.5, 0] });
      plain.labels.forEach((label, k) => {
        expect(uncalibrated[i]!.probabilities[label]).toBeCloseTo(rawRow[k]!, 6);
        expect(results[i]!.probabilities[label]).toBeCloseTo(expected[k]!, 5);
      });
      expect(Math.abs(results[i]!.confidence - uncalibrated[i]!.confidence)).toBeGreaterThan(1e-3);
    });
  });

  it("the bundled folder's temperature makes its confidences less extreme", async () => {
    const bundled = await load(DEFAULT_MODEL_DIR);
    expect(bundled.model.calibration?.temperature).toBeGreaterThan(1);
    const raw = await (await load(DEFAULT_MODEL_DIR, { ignoreCalibration: true })).classify(texts);
    const results = await bundled.classify(texts);
    results.forEach((r, i) => {
      expect(r.label).toBe(raw[i]!.label);
      expect(r.confidence).toBeLessThan(raw[i]!.confidence);
    });
  });

  it("refuses a calibration that names a label the model does not have", async () => {
    await expect(Classifier.load(folderWith("bad", { temperature: 1.2, class_biases: { neutal: 1 } }), options)).rejects.toThrow(/config\.json: .*neutal/);
    await expect(Classifier.load(folderWith("bad2", { temperature: -1 }), options)).rejects.toThrow(/config\.json: field "calibration\.temperature"/);
  });
});

describe("occlusion explanations", () => {
  let classifier: Classifier;
  beforeAll(async () => {
    classifier = await Classifier.load(DEFAULT_MODEL_DIR, options);
  });
  afterAll(async () => {
    await classifier?.close();
  });

  it("gives every segmented word its span in the original text and an effect that matches re-scoring without it", async () => {
    const text = "Nhân viên phục vụ  nhiệt tình 😀, đồ ăn ngon!";
    const explanation = (await classifier.explain(text, 200))!;
    const [result] = await classifier.classify([text]);
    expect(explanation.label).toBe(result!.label);
    expect(explanation.words.map((w) => text.slice(w.start, w.end))).toEqual(["Nhân viên", "phục vụ", "nhiệt tình", "😀", ",", "đồ ăn", "ngon", "!"]);
    // the effect of "ngon" is the drop in the label's probability when the text is scored without it
    const ngon = explanation.words.find((w) => w.word === "ngon")!;
    const [without] = await classifier.classify(["Nhân viên phục vụ nhiệt tình :) , đồ ăn !"]);
    expect(ngon.effect).toBeCloseTo(result!.probabilities[result!.label]! - without!.probabilities[result!.label]!, 4);
    expect(ngon.effect).toBeGreaterThan(0);
  });

  it("returns null for texts over the word limit or over one model window", async () => {
    expect(await classifier.explain("tốt, tốt, tốt", 4)).toBeNull();
    expect(await classifier.explain("tốt, tốt, tốt", 5)).not.toBeNull();
    expect(await classifier.explain("Giao hàng nhanh, đóng gói cẩn thận. ".repeat(40), 1000)).toBeNull();
    expect(await classifier.explain("Giao hàng nhanh, đóng gói cẩn thận. ".repeat(10), 1000)).not.toBeNull();
  });
});

describe("predict.single over HTTP: uncertain and explanation", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("pglite", { UNCERTAIN_BELOW: "0.9", EXPLAIN_MAX_WORDS: "6" });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("says uncertain exactly below UNCERTAIN_BELOW", async () => {
    const seen = new Set<boolean>();
    for (const text of ["Tuyệt vời, rất hài lòng", "bình thường", "tạm được"]) {
      const data = (await trpcPost(server.url, "predict.single", { text })).json.result.data;
      expect(data.uncertain).toBe(data.confidence < 0.9);
      seen.add(data.uncertain);
    }
    expect([...seen].sort()).toEqual([false, true]);
  });

  it("explains only when asked, with spans in the text as sent, and null over EXPLAIN_MAX_WORDS", async () => {
    const plain = await trpcPost(server.url, "predict.single", { text: "Hàng lỗi, thất vọng" });
    expect(plain.json.result.data).not.toHaveProperty("explanation");
    const explained = await trpcPost(server.url, "predict.single", { text: "Hàng lỗi,  thất vọng", explain: true });
    const data = explained.json.result.data;
    expect(data.explanation.method).toBe("occlusion");
    expect(data.explanation.label).toBe(data.label);
    expect(data.explanation.words.map((w: { start: number; end: number }) => data.text.slice(w.start, w.end))).toEqual(["Hàng", "lỗi", ",", "thất vọng"]);
    const long = await trpcPost(server.url, "predict.single", { text: "tốt, tốt, tốt, tốt", explain: true });
    expect(long.json.result.data.explanation).toBeNull();
    const wrong = await trpcPost(server.url, "predict.single", { text: "x", explain: "yes" });
    expect(wrong.status).toBe(400);
    expect(wrong.json.error.message).toContain("explain must be true or false");
  });
});
