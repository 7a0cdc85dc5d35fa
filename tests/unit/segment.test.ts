import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { normalizeText } from "../../server/text/normalize.ts";
import { buildWordDictionary, loadWordDictionary, segmentWords, splitTokens } from "../../server/text/segment.ts";
import { parseSegmentationSample, scoreSegmentation } from "#tooling/segmentationScore.ts";
import { REPO_ROOT, SEGMENTER_WORDS_PATH } from "../../server/repoPaths.ts";

const dictionary = loadWordDictionary(SEGMENTER_WORDS_PATH);
const seg = (text: string) => segmentWords(normalizeText(text), dictionary).join(" ");

describe("segmentWords (longest match over RDRsegmenter's dictionary)", () => {
  it.each([
    ["Tôi là sinh viên trường đại học công nghệ.", "Tôi là sinh_viên trường đại_học công_nghệ ."],
    ["Giao hàng nhanh, đóng gói cẩn thận :)", "Giao hàng nhanh , đóng_gói cẩn_thận :)"],
    ["Nhân viên tư vấn nhiệt tình", "Nhân_viên tư_vấn nhiệt_tình"],
    ["Chất lượng sản phẩm tuyệt vời", "Chất_lượng sản_phẩm tuyệt_vời"],
    ["thầy giảng bài hay , có nhiều bài tập ví dụ", "thầy giảng bài hay , có nhiều bài_tập ví_dụ"],
    ["Pin còn 88% mua ngày 8/3/2019!!", "Pin còn 88% mua ngày 8/3/2019 ! !"],
    ["xem https://shopee.vn/abc nhé", "xem https://shopee.vn/abc nhé"],
    ["Học sinh học sinh học", "Học_sinh học_sinh học"],
  ])("%s", (input, expected) => {
    expect(seg(input)).toBe(expected);
  });

  it("prefers the longest dictionary word", () => {
    const d = buildWordDictionary(["a b", "a b c d"]);
    expect(segmentWords("a b c d e", d)).toEqual(["a_b_c_d", "e"]);
    expect(segmentWords("a b c e", d)).toEqual(["a_b", "c", "e"]);
  });

  it("never joins across punctuation or numbers", () => {
    const d = buildWordDictionary(["sinh viên"]);
    expect(segmentWords("sinh , viên", d)).toEqual(["sinh", ",", "viên"]);
  });
});

describe("splitTokens keeps PhoBERT's (VnCoreNLP tokenizer's) tokens whole", () => {
  it.each([
    ["numbers with units or suffixes", "6s 3G 4k 16GB 500k 7tr 102p 0.5s 14triệu 950XL", ["6s", "3G", "4k", "16GB", "500k", "7tr", "102p", "0.5s", "14triệu", "950XL"]],
    ["an inner slash", "25k/con PC/laptop iOS/Android", ["25k/con", "PC/laptop", "iOS/Android"]],
    ["an inner hyphen", "S-pen Wi-Fi USB-C", ["S-pen", "Wi-Fi", "USB-C"]],
    ["a dot between letters", "ngon.Thử e.Thử TP.HCM v.v", ["ngon.Thử", "e.Thử", "TP.HCM", "v.v"]],
    ["URLs, without the sentence punctuation after them", "xem https://shopee.vn/abc-1?x=2. và www.tgdd.vn!", ["xem", "https://shopee.vn/abc-1?x=2", ".", "và", "www.tgdd.vn", "!"]],
    ["e-mail addresses", "gửi cskh@fpt.com.vn.", ["gửi", "cskh@fpt.com.vn", "."]],
    ["dates and times", "8/3/2019, 15/3 lúc 10:30 hay 8h30", ["8/3/2019", ",", "15/3", "lúc", "10:30", "hay", "8h30"]],
    ["decimals, thousands and percentages", "5,5 inch 1.500.000 đồng 88%", ["5,5", "inch", "1.500.000", "đồng", "88%"]],
    ["versions", "bản 1.2.3 và v2.0", ["bản", "1.2.3", "và", "v2.0"]],
  ])("%s", (_rule, text, expected) => {
    expect(splitTokens(text)).toEqual(expected);
  });

  it.each([
    ["sentence punctuation", "tốt.Giá rẻ, giao nhanh!!! Mua không?", ["tốt.Giá", "rẻ", ",", "giao", "nhanh", "!", "!", "!", "Mua", "không", "?"]],
    ["quotes and brackets", '"chính hãng" (tốt) [Review]', ['"', "chính", "hãng", '"', "(", "tốt", ")", "[", "Review", "]"]],
    ["a comma or colon between letters", "tốt,rẻ Đánh giá:tốt", ["tốt", ",", "rẻ", "Đánh", "giá", ":", "tốt"]],
    ["trailing dots and hyphens", "năm 2019. tốt- ... xấu", ["năm", "2019", ".", "tốt", "-", "...", "xấu"]],
    ["emoticons, even glued to a word", "tốt:) <3 :'( c#", ["tốt", ":)", "<3", ":'(", "c#"]],
  ])("splits %s off words", (_rule, text, expected) => {
    expect(splitTokens(text)).toEqual(expected);
  });

  it("never joins a kept-whole token with its neighbours into a dictionary word", () => {
    expect(seg("Bản 16GB hết bộ nhớ")).toBe("Bản 16GB hết bộ_nhớ");
  });
});

describe("scoreSegmentation", () => {
  it("counts a word right only when its span matches a gold word", () => {
    const score = scoreSegmentation([{ predicted: ["sinh_viên", "học", "bài"], gold: ["sinh_viên", "học_bài"] }]);
    expect(score).toMatchObject({ goldWords: 2, predictedWords: 3, correctWords: 1 });
    expect(score.f1).toBeCloseTo((2 * (1 / 3) * (1 / 2)) / (1 / 3 + 1 / 2), 10);
  });

  it("refuses segmentations of different text", () => {
    expect(() => scoreSegmentation([{ predicted: ["a"], gold: ["b"] }])).toThrow(/different characters/);
  });

  it("scores the hand-checked sample above the old tokenizer's 0.90 (the rules above in real sentences)", () => {
    const sample = parseSegmentationSample(readFileSync(path.join(REPO_ROOT, "tests", "fixtures", "segmentation-sample.tsv"), "utf8"));
    expect(sample.length).toBeGreaterThanOrEqual(60);
    const score = scoreSegmentation(sample.map(({ raw, gold }) => ({ predicted: segmentWords(normalizeText(raw), dictionary), gold })));
    expect(score.f1).toBeGreaterThan(0.98);
  });
});
