// From the aspect model's outputs to answers: per-aspect class probabilities, how windows of a long text are
// pooled, which domain `auto` picks, and which aspects count as found. Pure functions.
import { ASPECT_CLASSES, GENERAL_DOMAIN, type AspectDomain, type AspectPolarity } from "./aspectConfig.ts";
import { softmaxInto } from "./windows.ts";

/**
 * Four probabilities (absent, positive, negative, neutral) per position of the aspect axis, flat: position a's are
 * at 4a .. 4a + 3. One typed array per row, not one array per aspect: a batch row holds these until its text is
 * pooled, and hundreds of small arrays per row made the main thread's young-generation GC pauses long.
 */
export type AspectProbabilities = Float64Array;

const CLASSES = ASPECT_CLASSES.length;

export type FoundAspect = { aspect: string; polarity: AspectPolarity; confidence: number; name_vi: string; name_en: string };

/** Row `row` of `aspect_logits` [batch, A, 4] as probabilities, each aspect's logits divided by the temperature. */
export function aspectProbabilitiesOfRow(logits: Float32Array, row: number, aspects: number, temperature: number): AspectProbabilities {
  const out = new Float64Array(aspects * CLASSES);
  const base = row * aspects * CLASSES;
  for (let a = 0; a < aspects; a++) softmaxInto(logits, 1 / temperature, base + a * CLASSES, base + (a + 1) * CLASSES, out, a * CLASSES);
  return out;
}

/**
 * Pools a long text's windows: an aspect any window mentions is mentioned (absent takes the minimum over windows,
 * each polarity its maximum), then each aspect's four values are renormalised. An average would let the windows
 * that do not mention an aspect outvote the one that does.
 */
export function poolAspectWindows(windows: AspectProbabilities[]): AspectProbabilities {
  if (windows.length === 1) return windows[0]!;
  const pooled = new Float64Array(windows[0]!.length);
  for (let a = 0; a < pooled.length; a += CLASSES) {
    let sum = 0;
    for (let c = 0; c < CLASSES; c++) {
      const values = windows.map((w) => w[a + c]!);
      sum += pooled[a + c] = c === 0 ? Math.min(...values) : Math.max(...values);
    }
    for (let c = 0; c < CLASSES; c++) pooled[a + c]! /= sum || 1;
  }
  return pooled;
}

/** `auto`: the domain head's argmax, or `general` when its probability is below `minConfidence`. */
export function pickDomain(probabilities: number[], domainHead: readonly string[], minConfidence: number): { domain: string; confidence: number } {
  let best = 0;
  probabilities.forEach((p, i) => (p > probabilities[best]! ? (best = i) : undefined));
  const confidence = probabilities[best] ?? 0;
  return { domain: confidence >= minConfidence ? domainHead[best]! : GENERAL_DOMAIN, confidence };
}

/** The domain's aspects whose argmax is not `absent`, most confident first; confidence is the chosen polarity's probability. */
export function foundAspects(probabilities: AspectProbabilities, domain: AspectDomain): FoundAspect[] {
  const found: FoundAspect[] = [];
  for (const aspect of domain.aspects) {
    const p = probabilities.subarray(aspect.index * CLASSES, (aspect.index + 1) * CLASSES);
    let best = 0;
    p.forEach((v, i) => (v > p[best]! ? (best = i) : undefined));
    if (best === 0) continue;
    found.push({ aspect: aspect.id, polarity: ASPECT_CLASSES[best] as AspectPolarity, confidence: p[best]!, name_vi: aspect.name_vi, name_en: aspect.name_en });
  }
  return found.sort((a, b) => b.confidence - a.confidence || a.aspect.localeCompare(b.aspect));
}
