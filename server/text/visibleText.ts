// Whether a text has anything to read: white space, format and control characters, variation selectors,
// fillers that render as nothing (Hangul fillers, the blank braille pattern) and lone combining marks do not count.
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Z}\p{M}\u115F\u1160\u3164\uFFA0\u2800\u{1D159}\u{1D173}-\u{1D17A}]/gu;

export function hasVisibleCharacters(text: string): boolean {
  return text.replace(INVISIBLE, "").length > 0;
}
