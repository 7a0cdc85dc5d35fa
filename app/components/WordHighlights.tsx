import { useLang } from "../useLang.ts";

export type ExplainedWord = { word: string; start: number; end: number; effect: number };

/** Effects under one percentage point are not drawn: they would only be noise over the text. */
const VISIBLE_EFFECT = 0.01;
const TOP_WORDS = 5;

/**
 * The text as typed with each word that moved the label highlighted: colour for its direction and strength,
 * plus a ▲/▼ mark and a spoken description (and the list below), so colour is never the only signal.
 */
export function WordHighlights({ text, label, words }: { text: string; label: string; words: ExplainedWord[] }) {
  const { t, lang } = useLang();
  const labelName = t(`label.${label}`);
  const strongest = Math.max(VISIBLE_EFFECT, ...words.map((w) => Math.abs(w.effect)));
  const points = (effect: number) => `${effect > 0 ? "+" : "−"}${(Math.abs(effect) * 100).toLocaleString(lang === "vi" ? "vi-VN" : "en-US", { maximumFractionDigits: 1 })}`;
  const describe = (w: ExplainedWord) =>
    t("explain.wordEffect", { word: text.slice(w.start, w.end), direction: t(w.effect > 0 ? "explain.supports" : "explain.opposes", { label: labelName }), points: points(w.effect) });

  const pieces: JSX.Element[] = [];
  let at = 0;
  words.forEach((w, i) => {
    if (Math.abs(w.effect) < VISIBLE_EFFECT || w.start < at) return;
    if (w.start > at) pieces.push(<span key={`t${i}`}>{text.slice(at, w.start)}</span>);
    const strength = 0.15 + 0.6 * (Math.abs(w.effect) / strongest);
    const supports = w.effect > 0;
    pieces.push(
      <mark key={`w${i}`} data-testid="explain-word" data-effect={w.effect.toFixed(4)} aria-label={describe(w)} title={describe(w)}
        style={{ backgroundColor: supports ? `rgba(234, 88, 12, ${strength})` : `rgba(37, 99, 235, ${strength})` }}
        className={`rounded px-0.5 text-slate-900 ${supports ? "" : "underline decoration-dashed decoration-blue-700"}`}>
        {text.slice(w.start, w.end)}
        <sup aria-hidden="true" className="ml-0.5 text-[0.65em]">{supports ? "▲" : "▼"}</sup>
      </mark>,
    );
    at = w.end;
  });
  if (at < text.length) pieces.push(<span key="rest">{text.slice(at)}</span>);

  const top = words.filter((w) => Math.abs(w.effect) >= VISIBLE_EFFECT).sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect)).slice(0, TOP_WORDS);
  return (
    <div className="mt-4 border-t border-slate-100 pt-3" data-testid="explanation">
      <h3 className="text-sm font-medium text-slate-700">{t("explain.title")}</h3>
      <p className="mt-1 text-xs text-slate-500">{t("explain.legend", { label: labelName })}</p>
      <p className="mt-2 whitespace-pre-wrap break-words leading-7" data-testid="explain-text">{pieces}</p>
      {top.length > 0 ? (
        <>
          <h4 className="mt-3 text-xs font-medium text-slate-600">{t("explain.topWords")}</h4>
          <ol className="mt-1 space-y-1 text-sm" data-testid="explain-list">
            {top.map((w) => (
              <li key={`${w.start}-${w.end}`} className="grid grid-cols-[1.25rem_1fr_4rem] items-center gap-2">
                <span aria-hidden="true" className={w.effect > 0 ? "text-orange-700" : "text-blue-700"}>{w.effect > 0 ? "▲" : "▼"}</span>
                <span className="sr-only">{describe(w)}</span>
                <span aria-hidden="true" className="min-w-0 break-words">
                  <strong>{text.slice(w.start, w.end)}</strong> <span className="text-slate-500">{t(w.effect > 0 ? "explain.supports" : "explain.opposes", { label: labelName })}</span>
                </span>
                <span aria-hidden="true" className="text-right tabular-nums">{points(w.effect)}</span>
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p className="mt-2 text-xs text-slate-500">{t("explain.none")}</p>
      )}
      <p className="mt-2 text-xs text-slate-400">{t("explain.method", { label: labelName })}</p>
    </div>
  );
}
