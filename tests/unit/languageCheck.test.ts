// The language flag: clear English, Chinese and random strings are flagged; Vietnamese dev rows (as written and
// without marks), short texts and the behaviour suite stay under the rates docs/decisions/036-language-flag.md states.
import { describe, expect, it } from "vitest";
import { itWithDatasets } from "../support/datasets.ts";
import { checkLanguage } from "../../server/text/languageCheck.ts";
import { BEHAVIOUR_SUITE_PATH } from "../../server/repoPaths.ts";
import { loadConfig } from "../../server/config.server.ts";
import { SHARED_DATA_DIR } from "../../server/repoPaths.ts";
import { labelledSplitFiles, readLabelledCsv } from "#tooling/readLabelledCsv.ts";
import { flagRate, languageFlagReport, withoutMarks } from "../../scripts/languageFlagRates.ts";
import path from "node:path";

const MIN_WORDS = loadConfig({}).LANGUAGE_CHECK_MIN_WORDS;

describe("checkLanguage", () => {
  it("flags clear English, Chinese, other scripts and random letters, naming the language where it can", () => {
    expect(checkLanguage("This product is great, fast delivery", MIN_WORDS)).toEqual({ language: "en", notVietnamese: true });
    expect(checkLanguage("The battery drains quickly and the phone gets hot", MIN_WORDS)).toEqual({ language: "en", notVietnamese: true });
    expect(checkLanguage("这个产品很好，发货很快", MIN_WORDS)).toEqual({ language: "zh", notVietnamese: true });
    expect(checkLanguage("很好", MIN_WORDS)).toEqual({ language: "zh", notVietnamese: true });
    expect(checkLanguage("Отличный товар, быстрая доставка", MIN_WORDS)).toEqual({ language: "ru", notVietnamese: true });
    expect(checkLanguage("Das Produkt ist sehr gut", MIN_WORDS)).toEqual({ language: "de", notVietnamese: true });
    expect(checkLanguage("xqzt kvwp jjrr mmnb qwpz lkjh", MIN_WORDS).notVietnamese).toBe(true);
    expect(checkLanguage("asdkjh qwe zxcmnb", MIN_WORDS).notVietnamese).toBe(true);
  });

  it("does not flag Vietnamese with or without marks, teencode, short texts or texts without letters", () => {
    for (const text of ["Pin tụt nhanh quá, máy nóng.", "pin tut nhanh qua, may nong", "sp dùng chán vl, k nên mua", "hang dung nhu mo ta, dang tien",
      "ok nha shop", "ok", "good", "sp ok", "Hello", "hàng good lắm", "👍👍", "12345 !!!"]) {
      expect(checkLanguage(text, MIN_WORDS), text).toMatchObject({ notVietnamese: false });
    }
    expect(checkLanguage("Pin tụt nhanh quá", MIN_WORDS).language).toBe("vi");
    expect(checkLanguage("ok", MIN_WORDS).language).toBe("und");
  });

  it("flags none of the behaviour suite's sentences, and at most one in 100 once their marks are removed", () => {
    const report = languageFlagReport([], BEHAVIOUR_SUITE_PATH, MIN_WORDS);
    for (const [category, rate] of Object.entries(report.suite)) expect(rate.flagged, category).toBe(0);
    expect(report.suite_without_marks.rate).toBeLessThanOrEqual(0.01);
  });

  itWithDatasets("flags at most 0.5% of the dev sets' rows as written and 1% without marks, and 1% / 2% of texts up to 5 words", () => {
    const extra = path.join(SHARED_DATA_DIR, "extra-sentiment");
    const texts = [...labelledSplitFiles(SHARED_DATA_DIR, "dev"), ...labelledSplitFiles(extra, "dev")].flatMap(({ file }) => readLabelledCsv(file).map((r) => r.text));
    expect(texts.length).toBeGreaterThan(10_000);
    expect(flagRate(texts, MIN_WORDS).rate).toBeLessThanOrEqual(0.005);
    expect(flagRate(texts.map(withoutMarks), MIN_WORDS).rate).toBeLessThanOrEqual(0.01);
    const short = languageFlagReport([{ dataset: "all", texts }], BEHAVIOUR_SUITE_PATH, MIN_WORDS).dev_short_texts_up_to_5_words;
    expect(short.as_written.n).toBeGreaterThan(1000);
    expect(short.as_written.rate).toBeLessThanOrEqual(0.01);
    expect(short.without_marks.rate).toBeLessThanOrEqual(0.02);
  });
});
