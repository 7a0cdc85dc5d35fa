// Batch analysis: create (texts as JSON; files go through POST /api/predict/batch), read, list, results,
// cancel and delete. Another user's batch is "not found" on every procedure.
import { z } from "zod/v4";
import { wrongType } from "../../validation.ts";
import { cancelBatch, deleteBatch, getBatch, listBatches, resultsPage } from "../../batches/batchStore.server.ts";
import { progressOf, submitTexts } from "../../batches/batchSubmission.server.ts";
import { POLARITIES, storeAspectSummary, type AspectSummaryItem } from "../../batches/batchAspects.server.ts";
import { protectedProcedure, router } from "../trpc.server.ts";
import { ModelKindInput, type ModelKind } from "../../predictions/analysis.server.ts";

const IdInput = z.object({ id: z.string(wrongType("id must be a string")).uuid("id is not a batch id") });
const Status = z.enum(["uploading", "queued", "running", "completed", "failed", "cancelled"]);
const TermList = z.array(z.object({ term: z.string(), count: z.number().int(), score: z.number().optional().describe("weighted log-odds z-score against the other labels") }));
const PROTECT = true;

const AspectExample = z.object({ rowNumber: z.number().int(), text: z.string(), confidence: z.number(), label: z.string() });
const PolarityRecord = <T extends z.ZodType>(item: T) => z.object({ negative: item, neutral: item, positive: item });
const AspectSummaryOutput = z.object({
  aspect: z.string(), name_vi: z.string(), name_en: z.string(),
  total: z.number().int().describe("rows that speak of it"),
  counts: PolarityRecord(z.number().int()),
  examples: PolarityRecord(z.array(AspectExample)).describe("the three rows where the model is most confident of that polarity"),
});
const DomainInput = z.string(wrongType("domain must be a string")).max(40, "domain is at most 40 characters").optional()
  .describe("whose aspects to read: auto (default, picked per row) or a domain id of GET /api/aspects");

const BatchOutput = z.object({
  id: z.string(),
  fileName: z.string(),
  textColumn: z.string(),
  columns: z.array(z.string()),
  status: Status,
  total: z.number().int().describe("rows stored for analysis (skipped rows excluded)"),
  processed: z.number().int(),
  skipped: z.number().int(),
  skippedRows: z.array(z.object({ row: z.number().int(), reason: z.string(), message: z.string(), offset: z.number().int().optional().describe("invalidUtf8: the file offset (bytes from 0) of the row's first bad byte") })).describe("the first skipped rows with why"),
  labelCounts: z.record(z.string(), z.number().int()),
  averageConfidence: z.number().nullable(),
  lowConfidenceThreshold: z.number(),
  lowConfidence: z.number().int().describe("rows whose confidence is below the threshold: worth a person's review"),
  notVietnamese: z.number().int().describe("rows the language check found not to be Vietnamese: their labels are not verdicts"),
  terms: z.record(z.string(), TermList).nullable().describe("word-cloud terms per label, once completed"),
  rowsPerSecond: z.number().nullable(),
  etaSeconds: z.number().int().nullable(),
  modelId: z.string().nullable(),
  modelVersion: z.string().nullable(),
  modelKind: z.enum(["fast", "accurate"]).describe("the model asked for at upload"),
  error: z.string().nullable(),
  domain: z.string().describe("the aspect domain asked for at upload (auto or a domain id)"),
  aspects: z.array(AspectSummaryOutput).describe("per aspect mentioned: counts per polarity, most mentioned first"),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});

const ListItem = z.object({
  id: z.string(), fileName: z.string(), status: Status, total: z.number().int(), processed: z.number().int(), skipped: z.number().int(),
  labelCounts: z.record(z.string(), z.number().int()), createdAt: z.string(), finishedAt: z.string().nullable(),
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const batchRouter = router({
  create: protectedProcedure
    .input(z.object({
      name: z.string(wrongType("name must be a string")).trim().min(1, "Give the batch a name").default("texts.json"),
      texts: z.array(z.string(wrongType("texts must be strings")), wrongType("texts must be an array of strings")).min(1, "Give at least one text"),
      model: ModelKindInput,
      domain: DomainInput,
    }))
    .mutation(async ({ ctx, input }) => {
      const stored = await submitTexts(ctx.services.batchIntake, ctx.user.id, input);
      return { id: stored.id, status: "queued" as const, total: stored.totalRows, skipped: stored.skippedRows };
    }),

  get: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/batches/{id}", tags: ["batches"], summary: "A batch's status and progress (total, processed, skipped), and its figures once completed", protect: PROTECT } })
    .input(IdInput)
    .output(BatchOutput)
    .query(async ({ ctx, input }) => {
      const b = await getBatch(ctx.services.db.prisma, ctx.user.id, input.id);
      const threshold = ctx.services.config.BATCH_LOW_CONFIDENCE;
      const lowConfidence = await ctx.services.db.prisma.prediction.count({ where: { batchId: b.id, confidence: { lt: threshold } } });
      // the chart's figures are computed once, when the batch completes; a batch that ended otherwise (cancelled,
      // failed) or before they were stored gets them on its first read. A running batch has none yet.
      const ended = b.status === "completed" || b.status === "cancelled" || b.status === "failed";
      const aspects = ended ? ((b.aspectSummary as AspectSummaryItem[] | null) ?? (await storeAspectSummary(ctx.services.db.prisma, b.id))) : [];
      return {
        lowConfidenceThreshold: threshold, lowConfidence, notVietnamese: b.notVietnameseRows, modelKind: b.modelKind as ModelKind,
        id: b.id, fileName: b.fileName, textColumn: b.textColumn, columns: b.columns as string[], status: b.status,
        total: b.totalRows, processed: b.processedRows, skipped: b.skippedRows, skippedRows: b.skipped as { row: number; reason: string; message: string; offset?: number }[],
        labelCounts: b.labelCounts as Record<string, number>, averageConfidence: b.averageConfidence,
        terms: (b.terms as Record<string, { term: string; count: number }[]> | null) ?? null, ...progressOf(b),
        modelId: b.modelId, modelVersion: b.modelVersion, error: b.error, domain: b.aspectDomain, aspects,
        createdAt: b.createdAt.toISOString(), startedAt: iso(b.startedAt), finishedAt: iso(b.finishedAt),
      };
    }),

  list: protectedProcedure
    .meta({ openapi: { method: "GET", path: "/batches", tags: ["batches"], summary: "Your batches, newest first", protect: PROTECT } })
    .input(z.object({ limit: z.number(wrongType("limit must be a number")).int().min(1).max(100, "limit must be at most 100").default(50) }).prefault({}))
    .output(z.object({ items: z.array(ListItem) }))
    .query(async ({ ctx, input }) => {
      const rows = await listBatches(ctx.services.db.prisma, ctx.user.id, input.limit);
      return {
        items: rows.map((b) => ({
          id: b.id, fileName: b.fileName, status: b.status, total: b.totalRows, processed: b.processedRows, skipped: b.skippedRows,
          labelCounts: b.labelCounts as Record<string, number>, createdAt: b.createdAt.toISOString(), finishedAt: iso(b.finishedAt),
        })),
      };
    }),

  cancel: protectedProcedure
    .meta({ openapi: { method: "POST", path: "/batches/{id}/cancel", tags: ["batches"], summary: "Cancel a batch; the rows already analysed stay", protect: PROTECT } })
    .input(IdInput)
    .output(z.object({ id: z.string(), status: Status }))
    .mutation(async ({ ctx, input }) => ({ id: input.id, status: await cancelBatch(ctx.services.db.prisma, ctx.user.id, input.id) })),

  delete: protectedProcedure
    .meta({ openapi: { method: "DELETE", path: "/batches/{id}", tags: ["batches"], summary: "Delete a batch with its rows and results", protect: PROTECT } })
    .input(IdInput)
    .output(z.object({ deleted: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await deleteBatch(ctx.services.db.prisma, ctx.user.id, input.id);
      return { deleted: input.id };
    }),

  results: protectedProcedure
    .input(IdInput.extend({
      label: z.string(wrongType("label must be a string")).trim().max(64, "label is too long").nullish(),
      search: z.string(wrongType("search must be a string")).max(200, "search is too long (200 characters at most)").default(""),
      sort: z.enum(["row", "confidence", "-confidence"]).default("row"),
      aspect: z.string(wrongType("aspect must be a string")).trim().max(64, "aspect is too long").nullish(),
      polarity: z.enum(POLARITIES, "polarity must be negative, neutral or positive").nullish(),
      page: z.number(wrongType("page must be a number")).int().min(1, "page must be at least 1").default(1),
      pageSize: z.number(wrongType("pageSize must be a number")).int().min(1).max(200, "pageSize must be at most 200").default(25),
    }))
    .query(({ ctx, input }) =>
      resultsPage(ctx.services.db.prisma, ctx.user.id, input.id, { label: input.label || null, search: input.search, sort: input.sort, page: input.page, pageSize: input.pageSize, aspect: input.aspect || null, polarity: input.polarity ?? null }),
    ),
});
