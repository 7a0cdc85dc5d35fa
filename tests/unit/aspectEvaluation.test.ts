// VLSP 2018 aspect scoring on hand-made reviews, and reading the long id,text,aspect,polarity format.
import { describe, expect, it } from "vitest";
import { parseAspectCsv, scoreAspects } from "#tooling/aspectEvaluation.ts";

describe("parseAspectCsv", () => {
  it("groups rows by id, keeps multi-line texts and reads NONE as no aspect", () => {
    const csv = 'id,text,aspect,polarity\r\n7,"Pin trâu\r\ncamera mờ",BATTERY,positive\r\n7,"Pin trâu\r\ncamera mờ",CAMERA,negative\r\n8,spam,NONE,\r\n9,ok,GENERAL,Neutral\r\n';
    expect(parseAspectCsv(csv)).toEqual([
      { id: "7", text: "Pin trâu\r\ncamera mờ", labels: [{ aspect: "BATTERY", polarity: "positive" }, { aspect: "CAMERA", polarity: "negative" }] },
      { id: "8", text: "spam", labels: [] },
      { id: "9", text: "ok", labels: [{ aspect: "GENERAL", polarity: "neutral" }] },
    ]);
  });
  it("says which row or column is wrong", () => {
    expect(() => parseAspectCsv("id,text,label\n1,x,y\n", "f.csv")).toThrow("f.csv: the header must have the columns id,text,aspect,polarity (missing: aspect, polarity)");
    expect(() => parseAspectCsv("id,text,aspect,polarity\n1,x,PRICE,good\n", "f.csv")).toThrow('f.csv: row 2: polarity "good" is not positive, negative or neutral');
  });
});

describe("scoreAspects", () => {
  const p = (aspect: string, polarity: string) => ({ aspect, polarity });
  it("is micro-F1 over (review, aspect) pairs and (review, aspect, polarity) triples", () => {
    const gold = [[p("BATTERY", "positive"), p("CAMERA", "negative")], [p("PRICE", "neutral")], []];
    const predicted = [[p("BATTERY", "positive"), p("CAMERA", "positive")], [p("SCREEN", "positive")], [p("GENERAL", "positive")]];
    // pairs: tp 2 (BATTERY, CAMERA), fp 2 (SCREEN, GENERAL), fn 1 (PRICE): P 1/2, R 2/3, F1 4/7
    // triples: tp 1, fp 3, fn 2: P 1/4, R 1/3, F1 2/7
    const scores = scoreAspects(gold, predicted);
    expect(scores).toMatchObject({ rows: 3, aspect_f1: 0.5714, aspect_polarity_f1: 0.2857, aspect_precision: 0.5, aspect_recall: 0.6667, gold_pairs: 3, predicted_pairs: 4 });
  });
  it("counts a pair once per review, not once per file", () => {
    const gold = [[p("PRICE", "positive")], [p("PRICE", "positive")]];
    expect(scoreAspects(gold, [[p("PRICE", "positive")], []])).toMatchObject({ aspect_f1: 0.6667, aspect_recall: 0.5, aspect_precision: 1 });
  });
  it("gives 1 when neither side names an aspect and 0 when only one does", () => {
    expect(scoreAspects([[]], [[]]).aspect_f1).toBe(1);
    expect(scoreAspects([[]], [[p("PRICE", "neutral")]]).aspect_f1).toBe(0);
    expect(() => scoreAspects([[]], [])).toThrow("1 gold reviews but 0 predictions");
  });
});
