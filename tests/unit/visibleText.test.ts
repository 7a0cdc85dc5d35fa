import { describe, expect, it } from "vitest";
import { hasVisibleCharacters } from "../../server/text/visibleText.ts";

describe("hasVisibleCharacters", () => {
  it.each(["", "   ", "\u200B\u200C\u200D\uFEFF", "\u2060\u00AD", "\u3164\u3164", "\u2800", "\uFE0F\u0301", "\t\n\u00A0\u3000"])("finds nothing to read in %j", (text) => {
    expect(hasVisibleCharacters(text)).toBe(false);
  });
  it.each(["a", "Tốt", " ok ", "😀", "\u200Bx", ":)"])("finds something to read in %j", (text) => {
    expect(hasVisibleCharacters(text)).toBe(true);
  });
});
