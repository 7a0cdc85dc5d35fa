// Sentiment predictions: one text (anonymous visitors may try it, rate-limited and not stored) or many.
import { z } from "zod/v4";
import { wrongType } from "../../validation.ts";
import { AppError } from "../../errors.ts";
import { savePredictions } from "../../predictions/predictionHistory.server.ts";
import type { Context } from "../trpc.server.ts";
import { protectedProcedure, publicProcedure, router } from "../trpc.server.ts";

const TextSchema = z.string(wrongType("text must be a string"));

function checkText(text: string, maxChars: number, field: string): string {
  if (!text.trim()) throw new AppError("BAD_REQUEST", "predict.emptyText", "Enter some text to analyse (it is empty or only spaces)", field);
  if (text.length > maxChars) {
    throw new AppError("BAD_REQUEST", "predict.textTooLong", `Text is too long: ${text.length} characters, the limit is ${maxChars}`, field);
  }
  return text;
}

function requireClassifier(ctx: Context) {
  const classifier = ctx.services.classifier;
  if (!classifier) throw new AppError("SERVICE_UNAVAILABLE", "predict.modelUnavailable", "The model is not loaded on this server");
  return classifier;
}

/** Below the configured calibrated probability a result is not presented as a verdict. */
function isUncertain(confidence: number, ctx: Context): boolean {
  return confidence < ctx.services.config.UNCERTAIN_BELOW;
}

export const predictRouter = router({
  single: publicProcedure.input(z.object({ text: TextSchema, explain: z.boolean(wrongType("explain must be true or false")).optional() })).mutation(async ({ ctx, input }) => {
    const text = checkText(input.text, ctx.services.config.MAX_TEXT_CHARS, "text");
    const classifier = requireClassifier(ctx);
    if (!ctx.user) {
      const limiter = ctx.services.anonymousPredictions;
      const wait = limiter.blockedForSeconds(ctx.clientIp);
      if (wait > 0) throw new AppError("TOO_MANY_REQUESTS", "predict.anonymousLimit", `Too many tries without an account; wait ${wait} s or log in`, undefined, wait);
      limiter.record(ctx.clientIp);
    }
    const [[result], explanation] = await Promise.all([
      classifier.classify([text]),
      input.explain ? classifier.explain(text, ctx.services.config.EXPLAIN_MAX_WORDS) : Promise.resolve(undefined),
    ]);
    const id = ctx.user ? (await savePredictions(ctx.services.db.prisma, ctx.user.id, [{ text, result: result! }]))[0]! : null;
    return { id, text, ...result!, uncertain: isUncertain(result!.confidence, ctx), stored: id !== null, ...(input.explain ? { explanation } : {}) };
  }),

  many: protectedProcedure
    .input(z.object({ texts: z.array(TextSchema, wrongType("texts must be an array of strings")).min(1, "Give at least one text") }))
    .mutation(async ({ ctx, input }) => {
      const { MAX_TEXTS_PER_REQUEST: maxTexts, MAX_TEXT_CHARS: maxChars } = ctx.services.config;
      if (input.texts.length > maxTexts) {
        throw new AppError("BAD_REQUEST", "predict.tooManyTexts", `Too many texts: ${input.texts.length}, the limit is ${maxTexts} per request (use a batch job for more)`, "texts");
      }
      const texts = input.texts.map((t, i) => checkText(t, maxChars, `texts.${i}`));
      const classifier = requireClassifier(ctx);
      const results = await classifier.classify(texts);
      const ids = await savePredictions(ctx.services.db.prisma, ctx.user.id, texts.map((text, i) => ({ text, result: results[i]! })));
      return { results: results.map((r, i) => ({ id: ids[i]!, text: texts[i]!, ...r, uncertain: isUncertain(r.confidence, ctx) })) };
    }),

  model: publicProcedure
    .meta({ openapi: { method: "GET", path: "/model", tags: ["model"], summary: "The model this server uses (null when none is loaded)" } })
    .input(z.void())
    .output(z.object({ modelId: z.string(), version: z.string(), labels: z.array(z.string()), maxLength: z.number().int() }).nullable())
    .query(({ ctx }) => {
      const classifier = ctx.services.classifier;
      return classifier ? { modelId: classifier.model.modelId, version: classifier.model.version, labels: classifier.labels, maxLength: classifier.model.maxLength } : null;
    }),
});
