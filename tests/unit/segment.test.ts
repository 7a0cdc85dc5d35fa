import { describe, expect, it } from "vitest";
import { normalizeText } from "../../server/text/normalize.ts";
import { buildWordDictionary, loadWordDictionary, segmentWords } from "../../server/text/segment.ts";
import { SEGMENTER_WORDS_PATH } from "../../server/repoPaths.ts";

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
