// Text normalisation shared by training-data export and serving: the model only ever sees this form.

const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\uFEFF]/g;
const SPACES = /[\s\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]+/g;

// PhoBERT's vocabulary uses the "new" tone placement (hoà, khoẻ, thuỷ). In NFD a tone mark that sits
// on the o of oa/oe or the u of uy at the end of a syllable moves to the following vowel.
const TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323";
const OLD_TONE_PLACEMENT = new RegExp(
  `([oO])([${TONE_MARKS}])([aAeE])(?![\\p{L}\\p{M}])|([uU])([${TONE_MARKS}])([yY])(?![\\p{L}\\p{M}])`,
  "gu",
);

/** Emoticons people type, mapped to one canonical spelling each. */
const EMOTICONS: ReadonlyArray<[RegExp, string]> = [
  [/(?<=^|\s)(?::-?\)+|:\]|=\)|\^\^|\^_\^)(?=\s|$)/gu, " :) "],
  [/(?<=^|\s)(?::-?\(+|:\[|=\()(?=\s|$)/gu, " :( "],
  [/(?<=^|\s)(?::'\()(?=\s|$)/gu, " :'( "],
  [/(?<=^|\s)(?::-?[dD]+|=[dD]|xD|XD)(?=\s|$)/gu, " :d "],
  [/(?<=^|\s)(?:<3+)(?=\s|$)/gu, " <3 "],
  [/(?<=^|\s)(?::[vV])(?=\s|$)/gu, " :v "],
];

/** UIT-VSFC replaced emoticons with letter tokens; map them back to what users actually type. */
const VSFC_TOKENS: Readonly<Record<string, string>> = {
  colonsmile: ":)",
  colonsad: ":(",
  colonsurprise: ":o",
  colonlove: "<3",
  colonsmilesmile: ":d",
  coloncontemn: ":3",
  colonbigsmile: ":v",
  coloncc: ":_",
  colonsmallsmile: ":p",
  coloncolon: ">>",
  colonlovelove: "<3",
  colonhihi: ":)",
  doubledot: ":",
  colonsadcolon: ":'(",
  colondoublesurprise: ":@",
  vdotv: "v.v",
  dotdotdot: "...",
  fraction: "/",
  csharp: "c#",
};
const VSFC_TOKEN_PATTERN = new RegExp(`(?<![\\p{L}\\d])(${Object.keys(VSFC_TOKENS).join("|")})(?![\\p{L}\\d])`, "gu");

// Emoji are outside PhoBERT's vocabulary; the frequent ones carry polarity, so they become emoticons.
const POSITIVE_EMOJI = /[\u{1F600}-\u{1F60D}\u{1F60A}\u{1F617}-\u{1F61A}\u{1F642}\u{1F643}\u{1F917}\u{1F929}\u{1F970}\u{1F973}\u{263A}\u{1F44D}\u{1F44C}\u{1F44F}\u{1F64F}\u{1F4AF}\u{2705}]/gu;
const LOVE_EMOJI = /[\u{2764}\u{1F493}-\u{1F49F}\u{1F60D}\u{1F618}\u{1F970}\u{1F498}\u{1F5A4}\u{1F90D}\u{1F90E}\u{1F9E1}\u{1F49B}\u{1F49A}\u{1F499}\u{1F49C}]/gu;
const NEGATIVE_EMOJI = /[\u{1F620}-\u{1F62D}\u{1F612}\u{1F614}\u{1F615}\u{1F616}\u{1F61E}\u{1F61F}\u{1F630}-\u{1F631}\u{1F641}\u{2639}\u{1F44E}\u{1F621}\u{1F92C}\u{1F92E}\u{1F922}\u{1F494}\u{1F644}\u{1F611}\u{1F610}]/gu;
const OTHER_EMOJI = /\p{Extended_Pictographic}/gu;
const EMOJI_MODIFIERS = /[\u{FE0E}\u{FE0F}\u{1F3FB}-\u{1F3FF}\u{200D}\u{20E3}]/gu;

export function normalizeText(raw: string): string {
  let text = raw.normalize("NFD").replace(OLD_TONE_PLACEMENT, (m, o, t, v, u, t2, y) =>
    o !== undefined ? `${o}${v}${t}` : `${u}${y}${t2}`,
  );
  text = text.normalize("NFC").replace(INVISIBLE, "");
  text = text.replace(EMOJI_MODIFIERS, "");
  text = text
    .replace(LOVE_EMOJI, " <3 ")
    .replace(POSITIVE_EMOJI, " :) ")
    .replace(NEGATIVE_EMOJI, " :( ")
    .replace(OTHER_EMOJI, " ");
  text = text.replace(SPACES, " ");
  text = text.replace(VSFC_TOKEN_PATTERN, (token: string) => ` ${VSFC_TOKENS[token]} `);
  text = ` ${text} `;
  for (const [pattern, canonical] of EMOTICONS) text = text.replace(pattern, canonical);
  return text.replace(SPACES, " ").trim();
}
