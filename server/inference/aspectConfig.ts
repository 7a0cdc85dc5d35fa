// The aspect model folder's config.json: domains, their aspects (with Vietnamese and English names and their
// position on the model's aspect axis), the domain head's order and the calibration, checked with zod.
import { z } from "zod/v4";
import { SEGMENTATION_RULES } from "../text/segment.ts";

export const ASPECT_CLASSES = ["absent", "positive", "negative", "neutral"] as const;
export type AspectPolarity = "positive" | "negative" | "neutral";
/** The cross-domain set: the answer for text outside the trained domains, and for `auto` when unsure. */
export const GENERAL_DOMAIN = "general";

const IdSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, "must be lower-case letters, digits and _");
const AspectIdSchema = z.string().regex(/^[A-Z][A-Z0-9_]*$/, "must be UPPER_SNAKE");

const AspectSchema = z.object({
  id: AspectIdSchema,
  name_vi: z.string().min(1),
  name_en: z.string().min(1),
  index: z.number().int().min(0),
});

const DomainSchema = z.object({
  id: IdSchema,
  name_vi: z.string().min(1),
  name_en: z.string().min(1),
  aspects: z.array(AspectSchema).min(1),
});

export const AspectConfigSchema = z
  .object({
    model_type: z.literal("camxuc-aspects"),
    version: z.string().min(1),
    segmentation: z.enum(SEGMENTATION_RULES).default("vncorenlp"),
    max_length: z.number().int().min(8).default(256),
    classes: z.tuple([z.literal("absent"), z.literal("positive"), z.literal("negative"), z.literal("neutral")]),
    domains: z.array(DomainSchema).min(1),
    domain_head: z.array(IdSchema).min(1),
    calibration: z.object({ temperature: z.number().positive().max(100) }).default({ temperature: 1 }),
    pad_token_id: z.number().int().default(1),
    bos_token_id: z.number().int().default(0),
    eos_token_id: z.number().int().default(2),
  })
  .loose()
  .superRefine((config, ctx) => {
    const ids = config.domains.map((d) => d.id);
    if (!ids.includes(GENERAL_DOMAIN)) ctx.addIssue({ code: "custom", path: ["domains"], message: `needs a "${GENERAL_DOMAIN}" domain (cross-domain aspects)` });
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate) ctx.addIssue({ code: "custom", path: ["domains"], message: `domain "${duplicate}" appears twice` });
    config.domain_head.forEach((id, i) => {
      if (!ids.includes(id)) ctx.addIssue({ code: "custom", path: ["domain_head", i], message: `"${id}" is not one of the domains` });
      if (id === GENERAL_DOMAIN) ctx.addIssue({ code: "custom", path: ["domain_head", i], message: `"${GENERAL_DOMAIN}" is chosen by fallback, not by the domain head` });
    });
    const seen = new Map<number, string>();
    config.domains.forEach((domain, d) =>
      domain.aspects.forEach((aspect, a) => {
        const other = seen.get(aspect.index);
        if (other) ctx.addIssue({ code: "custom", path: ["domains", d, "aspects", a, "index"], message: `index ${aspect.index} is already ${other}` });
        seen.set(aspect.index, `${domain.id}.${aspect.id}`);
      }),
    );
  });

export type AspectConfig = z.infer<typeof AspectConfigSchema>;
export type AspectDomain = AspectConfig["domains"][number];

/** Parses config.json's content; throws an Error naming the first bad field. */
export function parseAspectConfig(raw: unknown): AspectConfig {
  const parsed = AspectConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`field "${issue.path.join(".")}": ${issue.message}`);
  }
  return parsed.data;
}

/** Width of the model's aspect axis (every index must be below it). */
export function aspectAxisSize(config: AspectConfig): number {
  return Math.max(...config.domains.flatMap((d) => d.aspects.map((a) => a.index))) + 1;
}
