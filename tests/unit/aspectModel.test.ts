// The aspect model's folder checks, decoding, domain choice and window pooling, on a tiny generated model.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAspectConfig } from "../../server/inference/aspectConfig.ts";
import { AspectModel } from "../../server/inference/aspectModel.server.ts";
import { foundAspects, pickDomain, poolAspectWindows } from "../../server/inference/aspectScores.ts";
import { ModelFolderError } from "../../server/inference/modelFolder.server.ts";
import { longReviews } from "../support/longReviews.ts";
import { TINY_ASPECT_CONFIG, writeTinyAspectModel } from "../support/tinyAspectModel.ts";

const options = { threads: 1, batchSize: 8, maxBatchTokens: 4096, autoMinConfidence: 0.6 };
const tmp = mkdtempSync(path.join(os.tmpdir(), "camxuc-aspects-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("aspect config.json", () => {
  const withChange = (change: (c: any) => void) => {
    const copy = structuredClone(TINY_ASPECT_CONFIG) as any;
    change(copy);
    return () => parseAspectConfig(copy);
  };
  it("accepts the contract's shape", () => {
    expect(parseAspectConfig(TINY_ASPECT_CONFIG).domains.map((d) => d.id)).toEqual(["phones", "hotels", "general"]);
  });
  it("names the field that is wrong", () => {
    expect(withChange((c) => (c.domains = c.domains.filter((d: any) => d.id !== "general")))).toThrow(/"domains": needs a "general" domain/);
    expect(withChange((c) => (c.domains[1].aspects[0].index = 0))).toThrow(/index 0 is already phones.BATTERY/);
    expect(withChange((c) => c.domain_head.push("banks"))).toThrow(/"domain_head.2": "banks" is not one of the domains/);
    expect(withChange((c) => (c.classes = ["positive", "negative", "neutral", "absent"]))).toThrow(/field "classes/);
    expect(withChange((c) => (c.model_type = "camxuc"))).toThrow(/field "model_type"/);
  });
});

describe("aspect scores", () => {
  it("pools windows so an aspect one window mentions stays found", () => {
    // two aspects: the first mentioned by the last window only, the second by none
    const quiet = Float64Array.of(0.97, 0.01, 0.01, 0.01, 0.9, 0.05, 0.03, 0.02);
    const mentions = Float64Array.of(0.2, 0.7, 0.05, 0.05, 0.95, 0.02, 0.02, 0.01);
    const pooled = [...poolAspectWindows([quiet, quiet, mentions])];
    const [first, second] = [pooled.slice(0, 4), pooled.slice(4)];
    expect(first.indexOf(Math.max(...first))).toBe(1);
    expect(second.indexOf(Math.max(...second))).toBe(0);
    expect(first.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
    expect(second.reduce((a, b) => a + b)).toBeCloseTo(1, 6);
  });
  it("falls back to general when the domain head is unsure", () => {
    expect(pickDomain([0.7, 0.3], ["phones", "hotels"], 0.6)).toEqual({ domain: "phones", confidence: 0.7 });
    expect(pickDomain([0.55, 0.45], ["phones", "hotels"], 0.6)).toEqual({ domain: "general", confidence: 0.55 });
  });
  it("lists found aspects of the domain only, most confident first", () => {
    const config = parseAspectConfig(TINY_ASPECT_CONFIG);
    const p = Float64Array.from([[0.1, 0.6, 0.2, 0.1], [0.1, 0.1, 0.8, 0.0], [0.1, 0.9, 0, 0], [0.9, 0.1, 0, 0], [0.9, 0.1, 0, 0]].flat());
    expect(foundAspects(p, config.domains[0]!)).toEqual([
      { aspect: "CAMERA", polarity: "negative", confidence: 0.8, name_vi: "Camera", name_en: "Camera" },
      { aspect: "BATTERY", polarity: "positive", confidence: 0.6, name_vi: "Pin", name_en: "Battery" },
    ]);
  });
});

describe("AspectModel (tiny generated model)", () => {
  let model: AspectModel;
  beforeAll(async () => {
    model = await AspectModel.load(writeTinyAspectModel(path.join(tmp, "ok")), options);
  });
  afterAll(async () => model?.close());

  it("picks the domain from the text and reads its aspects", async () => {
    const [phone, hotel, other] = await model.analyseAspects(["Pin trâu lắm", "Khách sạn đẹp, phòng rộng", "Giá hơi cao"], { domain: "auto", lane: "interactive" });
    expect(phone!.domain).toBe("phones");
    expect(phone!.aspects.map((a) => [a.aspect, a.polarity])).toEqual([["BATTERY", "positive"]]);
    expect(hotel!.domain).toBe("hotels");
    expect(hotel!.aspects.map((a) => a.aspect)).toEqual(["ROOMS_CLEANLINESS"]);
    // no domain word: the head says 50/50, below the threshold, so the general aspects answer
    expect(other!.domain).toBe("general");
    expect(other!.aspects.map((a) => [a.aspect, a.polarity])).toEqual([["PRICE", "neutral"]]);
  });

  it("uses the domain it is given", async () => {
    const [result] = await model.analyseAspects(["Pin trâu, giá rẻ"], { domain: "general", lane: "background" });
    expect(result).toMatchObject({ domain: "general", domainConfidence: null });
    expect(result!.aspects.map((a) => a.aspect)).toEqual(["PRICE"]);
    await expect(model.analyseAspects(["x"], { domain: "banks", lane: "interactive" })).rejects.toThrow(/unknown aspect domain "banks"/);
    expect(model.acceptsDomain("auto") && model.acceptsDomain("hotels") && !model.acceptsDomain("banks")).toBe(true);
  });

  it("answers a call large enough to go to the workers in several groups exactly as text by text", async () => {
    // ~230 tokens each: about 35 texts fill a group of two 4,096-token runs, so these go in several
    const texts = longReviews(90).map((text, i) => (i % 3 === 0 ? `${text} Pin trâu.` : i % 3 === 1 ? `Khách sạn đẹp. ${text}` : text));
    const together = await model.analyseAspects(texts, { domain: "auto", lane: "background" });
    const oneByOne = [];
    for (const text of texts) oneByOne.push(...(await model.analyseAspects([text], { domain: "auto", lane: "interactive" })));
    expect(together).toEqual(oneByOne);
    expect(new Set(together.map((r) => r.domain)).size).toBeGreaterThan(1);
  });

  it("fails a large call whose model closes mid-call with the model's error, not an unhandled rejection", async () => {
    const own = await AspectModel.load(writeTinyAspectModel(path.join(tmp, "closing")), options);
    const reviews = longReviews(2000);
    let closing: Promise<void> | null = null;
    // closes the model once runs are queued, while the rest of the call is still being tokenised
    const texts = new Proxy(reviews, {
      get(target, key, receiver) {
        if (!closing && typeof key === "string" && /^\d+$/.test(key) && own.queuedRuns.background > 0) closing = own.close();
        return Reflect.get(target, key, receiver);
      },
    });
    await expect(own.analyseAspects(texts, { domain: "auto", lane: "background" })).rejects.toThrow(/closed/);
    expect(closing).not.toBeNull();
    await closing;
  });

  it("finds an aspect named only at the end of a text longer than one window", async () => {
    const long = `${"Máy dùng ổn định. ".repeat(120)}Pin trâu.`;
    const [result] = await model.analyseAspects([long], { domain: "phones", lane: "interactive" });
    expect(result!.aspects.map((a) => a.aspect)).toContain("BATTERY");
  });

  it("refuses a folder whose graph lacks the contract's outputs or whose config is wrong", async () => {
    const renamed = writeTinyAspectModel(path.join(tmp, "renamed"), TINY_ASPECT_CONFIG, { outputs: ["logits", "domain_logits"] });
    await expect(AspectModel.load(renamed, options)).rejects.toThrow(/has no output "aspect_logits"/);
    const wider = structuredClone(TINY_ASPECT_CONFIG);
    wider.domains[2]!.aspects.push({ id: "DELIVERY", name_vi: "Giao hàng", name_en: "Delivery", index: 5 });
    const mismatched = writeTinyAspectModel(path.join(tmp, "mismatched"), wider);
    await expect(AspectModel.load(mismatched, options)).rejects.toThrow(/aspect_logits are \[batch, 5, 4\] but config.json needs \[batch, 6, 4\]/);
    const broken = writeTinyAspectModel(path.join(tmp, "broken"));
    writeFileSync(path.join(broken, "config.json"), "{");
    await expect(AspectModel.load(broken, options)).rejects.toBeInstanceOf(ModelFolderError);
    await expect(AspectModel.load(path.join(tmp, "nowhere"), options)).rejects.toThrow(/aspect model folder not found/);
  });
});
