// Sentiment predictions: one text (anonymous visitors may try it, rate-limited and not stored) or many.
import { z } from "zod/v4";
import { wrongType } from "../../validation.ts";
import { AppError } from "../../errors.ts";
import { analyseAspectsIfLoaded, checkAspectDomain } from "../../aspects/aspectRequests.server.ts";
import { savePredictions } from "../../predictions/predictionHistory.server.ts";
import { hasVisibleCharacters } from "../../text/visibleText.ts";
import { AspectFieldsOutput, ClassificationOutput, ExplanationOutput, PredictionOutput, StoredFreshPredictionOutput } from "../outputSchemas.server.ts";
import type { Context } from "../trpc.server.ts";
import { analyseTexts, chooseClassifier, ModelKindInput, type Analysis } from "../../predictions/analysis.server.ts";

import { protectedProcedure, publicProcedure, router } from "../trpc.server.ts";

const TextSchema = z.string(wrongType("text must be a string"));

function checkText(text: string, maxChars: number, field: string): string {
  if (!hasVisibleCharacters(text)) throw new AppError("BAD_REQUEST", "predict.emptyText", "Enter some text to analyse (it is empty or only spaces)", field);
  if (text.length > maxChars) {
    throw new AppError("BAD_REQUEST", "predict.textTooLong", `Text is too long: ${text.length} characters, the limit is ${maxChars}`, field);
  }
  return text;
}


/** Counts texts against the per-account and per-IP limits (anonymous visitors: their own, lower per-IP limit). */
async function countPredictions(ctx: Context, texts: number): Promise<void> {
  const { limits } = ctx.services;
  if (!ctx.user) {
    await limits.consume("anonymousPredictionsPerIp", ctx.clientIp, texts, ctx.budget.report);
    return;
  }
  await limits.consume("predictionsPerIp", ctx.clientIp, texts, ctx.budget.report);
  await limits.consume("predictionsPerAccount", ctx.user.id, texts, ctx.budget.report);
}

/** Below the configured calibrated probability, or for a text that is not Vietnamese, a result is not presented as a verdict. */
function isUncertain(result: Analysis, ctx: Context): boolean {
  return result.notVietnamese || result.confidence < ctx.services.config.UNCERTAIN_BELOW;
}

export const predictRouter = router({
  single: publicProcedure
    .meta({ openapi: { method: "POST", path: "/predict/single", tags: ["predict"], summary: "Analyse one text (Phân tích một văn bản); stored in your history when a token is given", protect: false, errorResponses: [400, 401, 413, 415, 429, 503] } })
    .input(
      z
        .object({
          text: TextSchema,
          explain: z.boolean(wrongType("explain must be true or false")).optional().meta({ description: "Also say which words decided the label (occlusion)" }),
          model: ModelKindInput,
          domain: z.string(wrongType("domain must be a string")).max(40, "domain is at most 40 characters").optional()
            .meta({ description: "Whose aspects to read: `auto` (default: picked from the text) or a domain id of GET /api/aspects (phones, hotels, restaurants, cosmetics, fashion, cleanser, banking, general)" }),
        })
        .meta({ examples: [{ text: "Sản phẩm rất tốt, giao hàng nhanh", explain: true, domain: "auto" }] }),
    )
    .output(
      PredictionOutput.extend(AspectFieldsOutput.shape).extend({
        id: z.string().nullable(),
        text: z.string(),
        stored: z.boolean().meta({ description: "false for anonymous calls: nothing is kept" }),
        explanation: ExplanationOutput.nullable().optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const text = checkText(input.text, ctx.services.config.MAX_TEXT_CHARS, "text");
      const kind = input.model ?? "fast";
      const classifier = chooseClassifier(ctx.services, kind);
      const domain = checkAspectDomain(ctx.services.aspects, input.domain);
      ctx.budget.takeTexts(1, "text");
      await countPredictions(ctx, 1);
      const [[result], explanation, [aspects]] = await Promise.all([
        analyseTexts(classifier, kind, [text], ctx.services.config.LANGUAGE_CHECK_MIN_WORDS),
        input.explain ? classifier.explain(text, ctx.services.config.EXPLAIN_MAX_WORDS) : Promise.resolve(undefined),
        analyseAspectsIfLoaded(ctx.services.aspects, [text], domain, "interactive"),
      ]);
      ctx.services.metrics.recordPredictions([result!.label], ctx.transport, kind);
      const id = ctx.user ? (await savePredictions(ctx.services.db.prisma, ctx.user.id, [{ text, result: result!, aspects: aspects ?? null }]))[0]! : null;
      return {
        id, text, ...result!, uncertain: isUncertain(result!, ctx), stored: id !== null,
        aspects: aspects?.aspects ?? [], domain: aspects?.domain ?? null, domainConfidence: aspects?.domainConfidence ?? null,
        ...(input.explain ? { explanation } : {}),
      };
    }),

  many: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/predict/many", tags: ["predict"], summary: "Analyse several texts at once (Phân tích nhiều văn bản), in order", errorResponses: [400, 401, 413, 415, 429, 503] } })
    .input(
      z
        .object({
          texts: z.array(TextSchema, wrongType("texts must be an array of strings")).min(1, "Give at least one text"),
          model: ModelKindInput,
          domain: z.string(wrongType("domain must be a string")).max(40, "domain is at most 40 characters").optional()
            .meta({ description: "Whose aspects to read for every text: `auto` (default, per text) or a domain id of GET /api/aspects" }),
        })
        .meta({ examples: [{ texts: ["Giao hàng nhanh, đóng gói cẩn thận", "Sản phẩm lỗi, không dùng được", "Bình thường"] }] }),
    )
    .output(z.object({ results: z.array(StoredFreshPredictionOutput.extend(AspectFieldsOutput.shape)) }))
    .mutation(async ({ ctx, input }) => {
      const { MAX_TEXTS_PER_REQUEST: maxTexts, MAX_TEXT_CHARS: maxChars } = ctx.services.config;
      if (input.texts.length > maxTexts) {
        throw new AppError("BAD_REQUEST", "predict.tooManyTexts", `Too many texts: ${input.texts.length}, the limit is ${maxTexts} per request (use a batch job for more)`, "texts");
      }
      const texts = input.texts.map((t, i) => checkText(t, maxChars, `texts.${i}`));
      const kind = input.model ?? "fast";
      const classifier = chooseClassifier(ctx.services, kind);
      const domain = checkAspectDomain(ctx.services.aspects, input.domain);
      ctx.budget.takeTexts(texts.length);
      await countPredictions(ctx, texts.length);
      const [results, aspects] = await Promise.all([
        analyseTexts(classifier, kind, texts, ctx.services.config.LANGUAGE_CHECK_MIN_WORDS),
        analyseAspectsIfLoaded(ctx.services.aspects, texts, domain, "interactive"),
      ]);
      ctx.services.metrics.recordPredictions(results.map((r) => r.label), ctx.transport, kind);
      const ids = await savePredictions(ctx.services.db.prisma, ctx.user.id, texts.map((text, i) => ({ text, result: results[i]!, aspects: aspects[i] ?? null })));
      return {
        results: results.map((r, i) => ({
          id: ids[i]!, text: texts[i]!, ...r, uncertain: isUncertain(r, ctx),
          aspects: aspects[i]?.aspects ?? [], domain: aspects[i]?.domain ?? null, domainConfidence: aspects[i]?.domainConfidence ?? null,
        })),
      };
    }),

  aspectDomains: publicProcedure
    .meta({ openapi: { method: "GET", path: "/aspects", tags: ["model"], summary: "Domains and aspects the aspect model reads (Các lĩnh vực và khía cạnh); null when none is loaded", protect: false, errorResponses: [] } })
    .input(z.void())
    .output(
      z.object({
        version: z.string(),
        domains: z.array(z.object({ id: z.string(), name_vi: z.string(), name_en: z.string(), aspects: z.array(z.object({ id: z.string(), name_vi: z.string(), name_en: z.string() })) })),
      }).nullable(),
    )
    .query(({ ctx }) => {
      const model = ctx.services.aspects;
      if (!model) return null;
      return {
        version: model.version,
        domains: model.domains.map((d) => ({ id: d.id, name_vi: d.name_vi, name_en: d.name_en, aspects: d.aspects.map((a) => ({ id: a.id, name_vi: a.name_vi, name_en: a.name_en })) })),
      };
    }),

  model: publicProcedure
    .meta({ openapi: { method: "GET", path: "/model", tags: ["model"], summary: "The model this server uses (Mô hình đang dùng); null when none is loaded", protect: false, errorResponses: [] } })
    .input(z.void())
    .output(
      z.object({
        modelId: z.string(), version: z.string(), labels: z.array(z.string()), maxLength: z.number().int(),
        accurate: z.object({ modelId: z.string(), version: z.string() }).nullable().meta({ description: 'The model that answers model: "accurate"; null when the server has none' }),
      }).nullable(),
    )
    .query(({ ctx }) => {
      const { classifier, accurateClassifier } = ctx.services;
      if (!classifier) return null;
      const accurate = accurateClassifier ? { modelId: accurateClassifier.model.modelId, version: accurateClassifier.model.version } : null;
      return { modelId: classifier.model.modelId, version: classifier.model.version, labels: classifier.labels, maxLength: classifier.model.maxLength, accurate };
    }),
});
