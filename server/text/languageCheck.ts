// Whether a text is Vietnamese: the `language` and `notVietnamese` of every result. The eld package identifies the
// language; three rules around it keep Vietnamese typed without tone marks, teencode and short texts from being flagged
// (docs/decisions/036-language-flag.md has the measurements).
import { eld } from "eld/extrasmall";
import { foldForSearch } from "./searchFold.ts";

export type LanguageCheck = {
  /** ISO 639-1 code ("vi", "en", "zh", ...), or "und" when the text is too short or has no letters to tell. */
  language: string;
  /** The text is clearly not Vietnamese: its label is not a verdict. */
  notVietnamese: boolean;
};

/** Letters only Vietnamese writes: ă đ ơ ư and the precomposed vowels with tone marks (Latin Extended Additional). */
const VIETNAMESE_LETTER = /[ăđơưĂĐƠƯ\u1EA0-\u1EF9]/u;
const LETTER = /\p{L}/gu;
const LATIN_LETTER = /\p{Script=Latin}/gu;
/** A Vietnamese syllable with its marks folded away: onset, one to three vowels, a Vietnamese final consonant. */
const VIETNAMESE_SYLLABLE = /^(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?$/;

/** Loanwords and chat abbreviations of Vietnamese reviews that are not Vietnamese-shaped syllables ("ok nha shop", "k dc"). */
const REVIEW_WORDS = new Set([
  "ok", "oke", "okela", "shop", "ship", "shipper", "freeship", "size", "sale", "feedback", "inbox", "rep", "ib", "sp", "nv", "mn", "ad", "admin", "fb",
  "k", "ko", "kh", "dc", "j", "r", "vs", "bn", "ms", "cx", "vl", "ae", "bt", "e", "a",
]);

const VIETNAMESE: LanguageCheck = { language: "vi", notVietnamese: false };
const UNDETERMINED: LanguageCheck = { language: "und", notVietnamese: false };

/**
 * `minWords`: a Latin-script text without Vietnamese letters needs at least this many words before it can be
 * flagged ("ok", "good", "sp ok" are common Vietnamese reviews).
 */
export function checkLanguage(text: string, minWords: number): LanguageCheck {
  // links and addresses are letters of no language
  const normalized = text.normalize("NFC").replace(/https?:\/\/\S+|www\.\S+|\S+@\S+\.\S+/gu, " ");
  const letters = normalized.match(LETTER)?.length ?? 0;
  if (letters === 0) return UNDETERMINED;
  if (VIETNAMESE_LETTER.test(normalized)) return VIETNAMESE;
  const latin = normalized.match(LATIN_LETTER)?.length ?? 0;
  if (latin * 2 < letters) {
    // mostly another script (Han, kana, Hangul, Cyrillic, Thai...): Vietnamese is written in Latin letters
    const detected = eld.detect(normalized).language;
    return { language: detected && detected !== "vi" ? detected : "und", notVietnamese: letters >= 2 };
  }
  const words = foldForSearch(normalized).match(/\p{L}+/gu) ?? [];
  if (words.length < minWords) return UNDETERMINED;
  const detected = eld.detect(normalized).language;
  if (detected === "vi") return VIETNAMESE;
  // Vietnamese without marks is still made of Vietnamese syllables (and review loanwords); English, other Latin-script
  // languages and random keys mostly are not (consonant clusters, finals like -s, -d, -l, -r).
  const syllables = words.filter((w) => VIETNAMESE_SYLLABLE.test(w) || REVIEW_WORDS.has(w)).length;
  if (syllables * 2 >= words.length) return VIETNAMESE;
  return { language: detected || "und", notVietnamese: true };
}
