// How often the language check flags Vietnamese as "not Vietnamese": every dev split's rows as written and with
// their marks removed, the behaviour suite's categories, and short texts. Printed by `npm run eval -- --language`.
import { readBehaviourSuite } from "#tooling/behaviourSuite.ts";
import { checkLanguage } from "../server/text/languageCheck.ts";
import { foldForSearch } from "../server/text/searchFold.ts";

export type FlagRate = { n: number; flagged: number; rate: number };

export function flagRate(texts: string[], minWords: number): FlagRate {
  const flagged = texts.filter((t) => checkLanguage(t, minWords).notVietnamese).length;
  return { n: texts.length, flagged, rate: Math.round((flagged / Math.max(texts.length, 1)) * 100_000) / 100_000 };
}

/** Marks removed and đ written d, as people type without a Vietnamese keyboard (case kept). */
export function withoutMarks(text: string): string {
  return text.normalize("NFD").replace(/\p{M}+/gu, "").replace(/đ/g, "d").replace(/Đ/g, "D");
}

function wordCount(text: string): number {
  return foldForSearch(text).match(/\p{L}+/gu)?.length ?? 0;
}

export function languageFlagReport(devSets: { dataset: string; texts: string[] }[], suiteFile: string, minWords: number) {
  const all = devSets.flatMap((d) => d.texts);
  const { cases } = readBehaviourSuite(suiteFile);
  const categories = [...new Set(cases.map((c) => c.category))];
  const short = all.filter((t) => wordCount(t) <= 5);
  return {
    min_words: minWords,
    dev: Object.fromEntries(devSets.map((d) => [d.dataset, { as_written: flagRate(d.texts, minWords), without_marks: flagRate(d.texts.map(withoutMarks), minWords) }])),
    dev_all: { as_written: flagRate(all, minWords), without_marks: flagRate(all.map(withoutMarks), minWords) },
    dev_short_texts_up_to_5_words: { as_written: flagRate(short, minWords), without_marks: flagRate(short.map(withoutMarks), minWords) },
    suite: Object.fromEntries(categories.map((c) => [c, flagRate(cases.filter((x) => x.category === c).map((x) => x.text), minWords)])),
    suite_without_marks: flagRate(cases.map((c) => withoutMarks(c.text)), minWords),
  };
}
