import { describe, expect, it } from "vitest";
import { loadStopwords, TermCounter } from "../../server/insights/termCounter.server.ts";
import { SEGMENTER_WORDS_PATH, STOPWORDS_PATH } from "../../server/repoPaths.ts";
import { loadWordDictionary } from "../../server/text/segment.ts";

const counter = new TermCounter(loadWordDictionary(SEGMENTER_WORDS_PATH), loadStopwords(STOPWORDS_PATH));

describe("TermCounter", () => {
  it("keeps dictionary words whole and sentiment words from the stopword list, drops other stopwords", () => {
    expect([...counter.terms("Sản phẩm rất TỐT nhưng đóng gói hơi tệ, tôi không thích")].sort()).toEqual(
      ["hơi", "sản_phẩm", "thích", "tốt", "tệ", "đóng_gói"].sort(),
    );
  });

  it("keeps smileys and emoji as their canonical smiley, drops numbers, links and e-mails", () => {
    expect([...counter.terms("Tuyệt 😍 :) 100% http://shop.vn/a lan@example.com 5")].sort()).toEqual([":)", "<3", "tuyệt"].sort());
  });

  it("counts a word once per text, most frequent first, ties alphabetically, syllables spaced", async () => {
    const top = await counter.top(["Sản phẩm tốt tốt tốt", "sản phẩm lỗi", "Giao chậm", "chậm"], 3);
    expect(top).toEqual([
      { term: "chậm", count: 2 },
      { term: "sản phẩm", count: 2 },
      { term: "giao", count: 1 },
    ]);
  });
});
