// Slang written out for counting and search, and distinctive words by weighted log-odds (Monroe et al. 2008).
import { describe, expect, it } from "vitest";
import { distinctiveTerms } from "../../server/insights/distinctiveTerms.ts";
import { loadStopwords, TermCounter } from "../../server/insights/termCounter.server.ts";
import { SEGMENTER_WORDS_PATH, STOPWORDS_PATH } from "../../server/repoPaths.ts";
import { normalizeSlang, SLANG } from "../../server/text/slang.ts";
import { searchKey, searchTerms } from "../../server/text/searchFold.ts";
import { loadWordDictionary } from "../../server/text/segment.ts";

describe("normalizeSlang", () => {
  it("writes out the common abbreviations, whole tokens only", () => {
    expect(normalizeSlang("sp ko đc như mô tả, k mua nữa")).toBe("sản phẩm không được như mô tả, không mua nữa");
    expect(normalizeSlang("hok thik, dc cái ship nhanh")).toBe("không thích, được cái giao hàng nhanh");
    expect(normalizeSlang("Ko biết, khong sao")).toBe("Không biết, không sao");
    // not inside words, and not words that only look like slang
    expect(normalizeSlang("kong kho khoảng koala")).toBe("kong kho khoảng koala");
  });
  it("maps every entry to a different, non-empty form", () => {
    for (const [slang, full] of Object.entries(SLANG)) {
      expect(full.length, slang).toBeGreaterThan(0);
      expect(slang, slang).toBe(slang.toLowerCase());
    }
  });
  it("makes search find the written-out word in a text with the slang and the other way round", () => {
    const key = searchKey("Sp ko tốt");
    for (const query of ["khong", "không", "ko", "sản phẩm", "san pham"]) {
      expect(searchTerms(query).every((term) => key.includes(term)), query).toBe(true);
    }
    expect(searchKey("Giao hàng nhanh")).toBe("giao hang nhanh");
  });
});

describe("distinctiveTerms", () => {
  const counts = (entries: Record<string, number>, texts: number) => ({ counts: new Map(Object.entries(entries)), texts });
  it("ranks words shared by every label below the words of one label, whatever their raw count", () => {
    const result = distinctiveTerms({
      positive: counts({ máy: 90, mua: 80, tuyệt_vời: 30, nhanh: 25 }, 100),
      negative: counts({ máy: 85, mua: 75, thất_vọng: 28, lỗi: 20 }, 100),
    }, 10);
    expect(result.positive!.map((t) => t.term).slice(0, 2)).toEqual(["tuyệt_vời", "nhanh"]);
    expect(result.negative!.map((t) => t.term).slice(0, 2)).toEqual(["thất_vọng", "lỗi"]);
    // "máy" is nearly as common in both: not distinctive of positive enough to beat the label's own words
    const may = result.positive!.find((t) => t.term === "máy");
    expect(may === undefined || may.score < result.positive![1]!.score).toBe(true);
    expect(result.positive![0]!.count).toBe(30);
  });
  it("keeps positive scores only, highest first", () => {
    const result = distinctiveTerms({ a: counts({ x: 10, y: 1 }, 10), b: counts({ x: 1, y: 10 }, 10) }, 5);
    expect(result.a!.map((t) => t.term)).toEqual(["x"]);
    expect(result.b!.map((t) => t.term)).toEqual(["y"]);
  });
});

describe("TermCounter.distinctive", () => {
  const counter = new TermCounter(loadWordDictionary(SEGMENTER_WORDS_PATH), loadStopwords(STOPWORDS_PATH));
  it("counts slang as the word it stands for", async () => {
    const terms = counter.terms("ko thích, đt dùng ko đc");
    expect(terms.has("ko")).toBe(false);
    expect(terms.has("thích")).toBe(true);
  });
  it("gives each label its own words with the counts behind them", async () => {
    const texts = {
      positive: ["Máy đẹp, pin trâu", "Máy chạy mượt, pin trâu", "Mua máy này rất hài lòng"],
      negative: ["Máy lỗi, thất vọng", "Mua máy bị lỗi màn hình", "Máy nóng, thất vọng"],
    };
    const result = await counter.distinctive(texts, 5);
    expect(result.positive!.slice(0, 2).map((t) => t.term).sort()).toEqual(["pin", "trâu"]);
    expect(result.positive!.some((t) => t.term === "máy")).toBe(false);
    expect(result.negative!.find((t) => t.term === "thất vọng")).toMatchObject({ count: 2 });
  });
});
