// What the procedures answer, as zod v4 schemas: checked on the way out and published in /api/openapi.json.
import { z } from "zod/v4";

const isoDate = (description: string) => z.string().meta({ description, examples: ["2026-12-01T09:30:00.000Z"] });

export const UserOutput = z
  .object({ id: z.string(), email: z.string(), locale: z.string() })
  .meta({ examples: [{ id: "0b9f7c2e-4a52-4bb8-9d7b-2f1f7c4f8a11", email: "lan.nguyen@example.com", locale: "vi" }] });

export const IssuedTokenOutput = z.object({
  user: UserOutput,
  token: z.string().optional().meta({ description: "Bearer token for `Authorization: Bearer <token>` (REST and /api/trpc only; the web UI gets a cookie)" }),
  expiresAt: isoDate("When the token stops working unless used (each use in the second half of its life renews it)"),
});

const Probabilities = z.record(z.string(), z.number()).meta({ examples: [{ negative: 0.012, neutral: 0.031, positive: 0.957 }] });

export const ClassificationOutput = z.object({
  label: z.string().meta({ description: "negative, neutral or positive", examples: ["positive"] }),
  confidence: z.number().meta({ description: "Probability of the label", examples: [0.957] }),
  probabilities: Probabilities,
  tokenCount: z.number().int(),
  windowed: z.boolean().meta({ description: "The text was longer than the model's window and was read in overlapping windows" }),
  modelId: z.string(),
  modelVersion: z.string(),
  modelKind: z.enum(["fast", "accurate"]).meta({ description: "Which of the server's models answered: fast (the default) or accurate" }),
  language: z.string().nullable().meta({ description: 'ISO 639-1 code of the text\'s language ("vi", "en", "zh"...), "und" when too short to tell; null for analyses stored before the check existed', examples: ["vi"] }),
  notVietnamese: z.boolean().meta({ description: "The text is clearly not Vietnamese: the label is not a verdict (uncertain is true too)" }),
});

export const StoredPredictionOutput = ClassificationOutput.extend({ id: z.string(), text: z.string().meta({ examples: ["Sản phẩm rất tốt, giao hàng nhanh"] }) });

const Uncertain = z.boolean().meta({ description: "The calibrated top probability is below the server's UNCERTAIN_BELOW, or the text is not Vietnamese: read the label as a lean, not a verdict" });

/** A fresh prediction (not a stored one): says whether it is uncertain. */
export const PredictionOutput = ClassificationOutput.extend({ uncertain: Uncertain });
export const StoredFreshPredictionOutput = StoredPredictionOutput.extend({ uncertain: Uncertain });

export const AspectOutput = z
  .object({
    aspect: z.string().meta({ description: "Aspect id of the model's config.json (UPPER_SNAKE)", examples: ["BATTERY"] }),
    polarity: z.enum(["positive", "negative", "neutral"]),
    confidence: z.number().meta({ description: "Probability of that polarity", examples: [0.91] }),
    name_vi: z.string().meta({ examples: ["Pin"] }),
    name_en: z.string().meta({ examples: ["Battery"] }),
  })
  .meta({ description: "An aspect the text speaks of, with its polarity" });

export const AspectFieldsOutput = z.object({
  aspects: z.array(AspectOutput).meta({ description: "Aspects found, most confident first (empty when the server runs without the aspect model)" }),
  domain: z.string().nullable().meta({ description: "The domain whose aspects were read: the one given, or the one `auto` picked (`general` when unsure); null without the aspect model", examples: ["phones"] }),
  domainConfidence: z.number().nullable().meta({ description: "With `auto`: the domain classifier's probability of its top domain; null otherwise" }),
});

export const ExplanationOutput = z
  .object({
    label: z.string().meta({ description: "The label explained (the whole text's prediction)" }),
    method: z.literal("occlusion"),
    words: z.array(
      z.object({
        word: z.string(),
        start: z.number().int().meta({ description: "Start of the word in the text sent (UTF-16 code units)" }),
        end: z.number().int().meta({ description: "End (exclusive)" }),
        effect: z.number().meta({ description: "p(label | text) − p(label | text without this word): above 0 pushed towards the label" }),
      }),
    ),
  })
  .meta({ description: "Which words decided the label (null when the text is too long to explain)" });

export const HistoryPageOutput = z.object({
  items: z.array(StoredPredictionOutput.extend({ createdAt: isoDate("When it was analysed") })),
  nextCursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next page; null on the last page" }),
  labelCounts: z.record(z.string(), z.number().int()).nullable().meta({ description: "Matches per label (null when withCounts=false)" }),
});

export const InsightsOutput = z.object({
  total: z.number().int(),
  labelCounts: z.record(z.string(), z.number().int()),
  daily: z.array(z.object({ day: z.string().meta({ examples: ["2026-12-01"] }), counts: z.record(z.string(), z.number().int()) })),
  terms: z.record(z.string(), z.array(z.object({ term: z.string(), count: z.number().int(), score: z.number().optional() }))).meta({
    description: "Distinctive words per label: weighted log-odds with an informative Dirichlet prior (Monroe et al. 2008) against the other labels, highest `score` (z) first; `count` = texts holding the word. Vietnamese word segmentation, slang written out, stopwords removed. With one label only: its most frequent words (no score)",
    examples: [{ positive: [{ term: "giao_hàng", count: 12 }], negative: [{ term: "thất_vọng", count: 4 }] }],
  }),
  termsFromTexts: z.number().int(),
  aspects: z.array(z.object({
    aspect: z.string(), name_vi: z.string(), name_en: z.string(), total: z.number().int(),
    counts: z.object({ negative: z.number().int(), neutral: z.number().int(), positive: z.number().int() }),
  })).meta({ description: "Aspects found in your analyses: mentions per polarity, most mentioned first" }),
  aspectsFromTexts: z.number().int().meta({ description: "Your analyses that carry aspects" }),
});

export const ApiTokenOutput = z.object({
  id: z.string(),
  name: z.string().meta({ examples: ["Báo cáo hằng đêm"] }),
  createdAt: isoDate("When it was created"),
  lastUsedAt: isoDate("Last use, to the minute").nullable(),
  expiresAt: isoDate("When it stops working; null: never").nullable(),
  revokedAt: isoDate("When it was revoked; null: still valid").nullable(),
});

export const OkOutput = z.object({ ok: z.literal(true) });
