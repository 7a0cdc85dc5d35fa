// Accent- and case-insensitive search keys: people often type Vietnamese without diacritics ("giao hang"),
// so history search compares texts with every combining mark removed, đ as d, and lower case.
// The migration that added predictions.search_text computes the same key in SQL for rows stored before it;
// tests/integration/migrations.test.ts holds the two to the same result.

import { normalizeSlang } from "./slang.ts";

const COMBINING_MARKS = /\p{M}+/gu;

export function foldForSearch(text: string): string {
  return text.normalize("NFD").replace(COMBINING_MARKS, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
}

/**
 * What is stored in search_text: the folded text, then (on a new line) the folded text with its slang written
 * out when that differs, so "khong" finds "ko" and "sản phẩm" finds "sp" (server/text/slang.ts).
 */
export function searchKey(text: string): string {
  const folded = foldForSearch(text);
  const expanded = foldForSearch(normalizeSlang(text));
  return expanded === folded ? folded : `${folded}\n${expanded}`;
}

/** The words of a search query, folded, slang written out; a stored text matches when it contains every one of them. */
export function searchTerms(query: string): string[] {
  return [...new Set(foldForSearch(normalizeSlang(query)).split(/\s+/u).filter(Boolean))];
}
