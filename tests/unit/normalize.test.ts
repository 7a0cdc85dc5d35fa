import { describe, expect, it } from "vitest";
import { normalizeText } from "../../server/text/normalize.ts";

describe("normalizeText", () => {
  it("composes to NFC", () => {
    expect(normalizeText("Vie\u0302\u0323t Nam")).toBe("Việt Nam");
  });
  it("moves old-style tone marks to PhoBERT's placement, keeping case", () => {
    expect(normalizeText("hòa bình, khỏe mạnh, thủy tinh, HÒA")).toBe("hoà bình, khoẻ mạnh, thuỷ tinh, HOÀ");
  });
  it("leaves syllables with a final consonant and qu- alone", () => {
    expect(normalizeText("hoàng quý khoảng")).toBe("hoàng quý khoảng");
  });
  it("removes invisible characters and NBSP, collapses whitespace", () => {
    expect(normalizeText("\uFEFFxin\u200B chào\u00A0\u00A0bạn \n\t !")).toBe("xin chào bạn !");
  });
  it("maps emoticons, emoji and UIT-VSFC's letter tokens to one spelling each", () => {
    expect(normalizeText("đẹp :)) 😍 colonsmile tệ 😡 :-(")).toBe("đẹp :) <3 :) tệ :( :(");
    expect(normalizeText("giá doubledot 100k dotdotdot")).toBe("giá : 100k ...");
  });
  it("does not touch the tokens inside ordinary words", () => {
    expect(normalizeText("fractional colonsmiles")).toBe("fractional colonsmiles");
  });
});
