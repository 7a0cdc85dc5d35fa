// Scoring an aspect model the VLSP 2018 way: micro-F1 over (review, aspect) pairs for aspect detection and over
// (review, aspect, polarity) triples for aspect + polarity; and reading the long `id,text,aspect,polarity` files.
import Papa from "papaparse";

export type AspectLabel = { aspect: string; polarity: string };
export type LabelledReview = { id: string; text: string; labels: AspectLabel[] };

/** The aspect of a review with no aspect (its one row has an empty polarity). */
export const NO_ASPECT = "NONE";

/** Groups the long format's rows by `id` (rows of one review are consecutive, but any order is accepted). */
export function parseAspectCsv(content: string, source = "CSV"): LabelledReview[] {
  const parsed = Papa.parse<Record<string, string>>(content.replace(/^\uFEFF/, ""), { header: true, skipEmptyLines: "greedy" });
  const fatal = parsed.errors.find((e) => e.type !== "FieldMismatch");
  if (fatal) throw new Error(`${source}: row ${(fatal.row ?? 0) + 2}: ${fatal.message}`);
  const fields = parsed.meta.fields ?? [];
  const missing = ["id", "text", "aspect", "polarity"].filter((f) => !fields.includes(f));
  if (missing.length) throw new Error(`${source}: the header must have the columns id,text,aspect,polarity (missing: ${missing.join(", ")})`);
  const reviews = new Map<string, LabelledReview>();
  parsed.data.forEach((row, i) => {
    const id = row.id ?? "";
    const aspect = (row.aspect ?? "").trim();
    const polarity = (row.polarity ?? "").trim().toLowerCase();
    if (!id) throw new Error(`${source}: row ${i + 2}: empty id`);
    let review = reviews.get(id);
    if (!review) reviews.set(id, (review = { id, text: row.text ?? "", labels: [] }));
    if (aspect === NO_ASPECT) return;
    if (!["positive", "negative", "neutral"].includes(polarity)) throw new Error(`${source}: row ${i + 2}: polarity "${row.polarity}" is not positive, negative or neutral`);
    review.labels.push({ aspect, polarity });
  });
  return [...reviews.values()];
}

export type MicroF1 = { precision: number; recall: number; f1: number; tp: number; fp: number; fn: number };

function microF1(gold: Set<string>[], predicted: Set<string>[]): MicroF1 {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  gold.forEach((g, i) => {
    const p = predicted[i] ?? new Set<string>();
    for (const item of p) (g.has(item) ? tp++ : fp++);
    for (const item of g) if (!p.has(item)) fn++;
  });
  const precision = tp + fp === 0 ? (fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? (fp === 0 ? 1 : 0) : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, tp, fp, fn };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

export type AspectScores = {
  rows: number;
  aspect_f1: number;
  aspect_polarity_f1: number;
  aspect_precision: number;
  aspect_recall: number;
  aspect_polarity_precision: number;
  aspect_polarity_recall: number;
  gold_pairs: number;
  predicted_pairs: number;
};

/** `rows` is the number of reviews; each review's gold and predicted labels are compared as sets. */
export function scoreAspects(gold: AspectLabel[][], predicted: AspectLabel[][]): AspectScores {
  if (gold.length !== predicted.length) throw new Error(`${gold.length} gold reviews but ${predicted.length} predictions`);
  const pairs = (labels: AspectLabel[]) => new Set(labels.map((l) => l.aspect));
  const triples = (labels: AspectLabel[]) => new Set(labels.map((l) => `${l.aspect}#${l.polarity}`));
  const aspect = microF1(gold.map(pairs), predicted.map(pairs));
  const polarity = microF1(gold.map(triples), predicted.map(triples));
  return {
    rows: gold.length,
    aspect_f1: round(aspect.f1),
    aspect_polarity_f1: round(polarity.f1),
    aspect_precision: round(aspect.precision),
    aspect_recall: round(aspect.recall),
    aspect_polarity_precision: round(polarity.precision),
    aspect_polarity_recall: round(polarity.recall),
    gold_pairs: aspect.tp + aspect.fn,
    predicted_pairs: aspect.tp + aspect.fp,
  };
}
