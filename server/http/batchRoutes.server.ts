// Hand-written batch routes tRPC cannot serve: the multipart CSV upload (its own body limit), the results
// streamed as CSV or JSON, and live progress as server-sent events. Their OpenAPI path items are exported
// for /api/openapi.json. Another user's batch is a 404 on each.
import { TRPCError } from "@trpc/server";
import busboy from "busboy";
import express from "express";
import type { ZodOpenApiParameterObject, ZodOpenApiPathsObject, ZodOpenApiResponseObject } from "zod-openapi";
import { AppError, errorAnswer } from "../errors.ts";
import { getBatch } from "../batches/batchStore.server.ts";
import { exportRows, resultsCsvHeader, resultsCsvRows, resultsJsonItems, type ExportQuery } from "../batches/batchResultsExport.server.ts";
import { progressOf, submitCsvUpload } from "../batches/batchSubmission.server.ts";
import { chooseClassifier, parseModelKind, type ModelKind } from "../predictions/analysis.server.ts";
import { aspectColumns, POLARITIES, type Polarity } from "../batches/batchAspects.server.ts";
import { fileTooLarge, openCsvUpload } from "../batches/csvUploadReader.server.ts";
import type { AppServices } from "../services.server.ts";
import { CSV_BOM } from "../text/csvWriter.ts";
import type { Context } from "../trpc/trpc.server.ts";

/** Room for the multipart envelope and the text_column field around the file. */
const MULTIPART_ENVELOPE_BYTES = 65_536;
const EVENT_INTERVAL_MS = 1_000;
/** What the page sends of a file for its preview (the reader decides the format on this much too). */
const PREVIEW_BYTES = 65_536;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Our errors (also when tRPC's context wrapped them) in the one API error shape; anything else to the app's last error handler (503 for an unreachable database, else 500). */
function sendError(res: express.Response, error: unknown, next: express.NextFunction): void {
  if (res.headersSent) {
    res.destroy(error as Error);
    return;
  }
  const appError = error instanceof AppError ? error : error instanceof TRPCError && error.cause instanceof AppError ? error.cause : null;
  if (!appError) return next(error);
  const answer = errorAnswer(appError);
  res.status(answer.status).set(answer.headers).json(answer.body);
}

const notFound = () => new AppError("NOT_FOUND", "batch.notFound", "No such batch (it may have been deleted)");

export function batchRoutes(services: AppServices, createContext: (req: express.Request, res: express.Response) => Promise<Context>): express.Router {
  const { config } = services;
  const api = express.Router();

  async function requireUserId(req: express.Request, res: express.Response): Promise<string> {
    const ctx = await createContext(req, res);
    if (!ctx.user) throw new AppError("UNAUTHORIZED", "auth.loginRequired", "Log in (or send Authorization: Bearer <token>) to do this");
    return ctx.user.id;
  }

  async function ownBatch(req: express.Request, res: express.Response) {
    const userId = await requireUserId(req, res);
    const id = String(req.params.id ?? "");
    if (!UUID.test(id)) throw notFound();
    return { userId, batch: await getBatch(services.db.prisma, userId, id) };
  }

  // Mounted before the app-wide body limit (the upload has its own), so the cross-site check is applied here.
  api.post("/predict/batch", async (req, res, next) => {
    try {
      const length = Number(req.headers["content-length"] ?? 0);
      if (length > config.BATCH_MAX_BYTES + MULTIPART_ENVELOPE_BYTES) {
        throw fileTooLarge(config.BATCH_MAX_BYTES, length);
      }
      const userId = await requireUserId(req, res);
      if (!(req.headers["content-type"] ?? "").startsWith("multipart/form-data")) {
        throw new AppError("BAD_REQUEST", "batch.notMultipart", "Send the file as multipart/form-data in a field named \"file\" (curl -F file=@reviews.csv)", "file");
      }
      const stored = await new Promise<{ id: string }>((resolve, reject) => {
        let textColumn = typeof req.query.text_column === "string" && req.query.text_column ? req.query.text_column : null;
        let domain = typeof req.query.domain === "string" && req.query.domain ? req.query.domain : null;
        let seenFile = false;
        let modelKind: ModelKind = "fast";
        // a refused model is answered once the form is read (its file discarded), so the client is not cut off mid-upload
        let modelError: unknown = null;
        const chooseModel = (value: string) => {
          try {
            modelKind = parseModelKind(value);
            chooseClassifier(services, modelKind);
          } catch (error) {
            modelError = error;
          }
        };
        if (typeof req.query.model === "string") chooseModel(req.query.model);
        const parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, fieldSize: 1_000, fileSize: config.BATCH_MAX_BYTES + 1 } });
        const fail = (error: unknown) => {
          req.unpipe(parser);
          reject(error);
        };
        parser.on("field", (name, value) => {
          if (name === "model") {
            if (seenFile) fail(new AppError("BAD_REQUEST", "batch.fieldOrder", "Send model before the file field (or as ?model=)", "model"));
            else chooseModel(value);
            return;
          }
          if (name !== "text_column" && name !== "domain") return;
          if (seenFile) fail(new AppError("BAD_REQUEST", "batch.fieldOrder", `Send ${name} before the file field (or as ?${name}=)`, name));
          else if (name === "domain") domain = value.trim() || null;
          else textColumn = value.trim() || null;
        });
        parser.on("file", (name, stream, info) => {
          if (name !== "file") {
            stream.resume();
            return;
          }
          seenFile = true;
          if (modelError) {
            stream.resume();
            return;
          }
          submitCsvUpload(services.batchIntake, userId, { fileName: info.filename || "upload.csv", stream, textColumn, modelKind, domain }).then(resolve, (error) => {
            stream.resume();
            fail(error);
          });
        });
        parser.on("error", fail);
        parser.on("close", () => {
          if (modelError) reject(modelError);
          else if (!seenFile) reject(new AppError("BAD_REQUEST", "batch.noFile", "No file: send the CSV in a multipart field named \"file\"", "file"));
        });
        req.pipe(parser);
      });
      res.status(202).json({ id: stored.id, status: "queued", statusUrl: `/api/batches/${stored.id}`, resultsUrl: `/api/batches/${stored.id}/results.csv` });
    } catch (error) {
      // A refused upload may still be arriving: answer now and close the connection instead of reading the rest.
      res.setHeader("Connection", "close");
      sendError(res, error, next);
    }
  });

  // The page sends the first 64 KB of a chosen file: the same reader shows columns, first rows and its guess.
  api.post("/predict/batch/preview", async (req, res, next) => {
    try {
      await requireUserId(req, res);
      const preview = await new Promise<object>((resolve, reject) => {
        let seenFile = false;
        let modelKind: ModelKind = "fast";
        // a refused model is answered once the form is read (its file discarded), so the client is not cut off mid-upload
        let modelError: unknown = null;
        const chooseModel = (value: string) => {
          try {
            modelKind = parseModelKind(value);
            chooseClassifier(services, modelKind);
          } catch (error) {
            modelError = error;
          }
        };
        if (typeof req.query.model === "string") chooseModel(req.query.model);
        const parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: PREVIEW_BYTES } });
        parser.on("file", (name, stream) => {
          if (name !== "file") return void stream.resume();
          seenFile = true;
          openCsvUpload(stream, { maxBytes: PREVIEW_BYTES, maxRows: config.BATCH_MAX_ROWS, maxCellChars: config.BATCH_MAX_CELL_CHARS }).then(
            (csv) => {
              stream.resume();
              resolve({ columns: csv.columns, rows: csv.preview, guessedTextColumn: csv.guessedTextColumn, format: csv.format });
            },
            (error) => {
              stream.resume();
              reject(error);
            },
          );
        });
        parser.on("error", reject);
        parser.on("close", () => {
          if (modelError) reject(modelError);
          else if (!seenFile) reject(new AppError("BAD_REQUEST", "batch.noFile", "No file: send the CSV in a multipart field named \"file\"", "file"));
        });
        req.pipe(parser);
      });
      res.json(preview);
    } catch (error) {
      sendError(res, error, next);
    }
  });

  function exportQuery(req: express.Request): ExportQuery {
    const sort = String(req.query.sort ?? "row");
    const polarity = String(req.query.polarity ?? "");
    return {
      aspect: typeof req.query.aspect === "string" && req.query.aspect ? req.query.aspect.slice(0, 64) : null,
      polarity: (POLARITIES as readonly string[]).includes(polarity) ? (polarity as Polarity) : null,
      label: typeof req.query.label === "string" && req.query.label ? req.query.label.slice(0, 64) : null,
      search: typeof req.query.q === "string" ? req.query.q.slice(0, config.SEARCH_MAX_CHARS) : "",
      sort: sort === "confidence" || sort === "-confidence" ? sort : "row",
    };
  }

  /** Writes and waits for the socket to drain, so a large export never piles up in memory. */
  const write = (res: express.Response, text: string) => (res.write(text) ? Promise.resolve() : new Promise<void>((resolve) => res.once("drain", () => resolve())));

  api.get("/batches/:id/results.csv", async (req, res, next) => {
    try {
      const { batch } = await ownBatch(req, res);
      const labels = services.classifier?.labels ?? Object.keys(batch.labelCounts as Record<string, number>);
      const columns = batch.columns as string[];
      const aspects = await aspectColumns(services.db.prisma, batch, services.aspects);
      const base = batch.fileName.replace(/\.[^.]*$/, "").replace(/[^\p{L}\p{N}_-]+/gu, "_") || "batch";
      res.setHeader("Content-Type", "text/csv; charset=utf-8");
      res.setHeader("Content-Disposition", `attachment; filename="${base.replace(/[^\x20-\x7e]/g, "_")}-results.csv"; filename*=UTF-8''${encodeURIComponent(base)}-results.csv`);
      await write(res, CSV_BOM + resultsCsvHeader(columns, labels, aspects));
      for await (const page of exportRows(services.db.prisma, batch, exportQuery(req))) await write(res, resultsCsvRows(page, columns, labels, aspects));
      res.end();
    } catch (error) {
      sendError(res, error, next);
    }
  });

  api.get("/batches/:id/results.json", async (req, res, next) => {
    try {
      const { batch } = await ownBatch(req, res);
      const columns = batch.columns as string[];
      const aspects = await aspectColumns(services.db.prisma, batch, services.aspects);
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      await write(res, "[");
      let first = true;
      for await (const page of exportRows(services.db.prisma, batch, exportQuery(req))) {
        await write(res, (first ? "" : ",") + resultsJsonItems(page, columns, aspects));
        first = false;
      }
      res.end("]");
    } catch (error) {
      sendError(res, error, next);
    }
  });

  api.get("/batches/:id/events", async (req, res, next) => {
    try {
      const { userId, batch } = await ownBatch(req, res);
      res.writeHead(200, { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache, no-transform", Connection: "keep-alive", "X-Accel-Buffering": "no" });
      let closed = false;
      req.on("close", () => (closed = true));
      let current = batch;
      for (;;) {
        const progress = { id: current.id, status: current.status, total: current.totalRows, processed: current.processedRows, skipped: current.skippedRows, ...progressOf(current) };
        res.write(`event: progress\ndata: ${JSON.stringify(progress)}\n\n`);
        if (!["uploading", "queued", "running"].includes(current.status)) break;
        await new Promise((resolve) => setTimeout(resolve, EVENT_INTERVAL_MS));
        if (closed) return;
        try {
          current = await getBatch(services.db.prisma, userId, current.id);
        } catch {
          res.write(`event: deleted\ndata: {}\n\n`);
          break;
        }
      }
      res.end();
    } catch (error) {
      sendError(res, error, next);
    }
  });

  return api;
}

const errorResponse = (description: string): ZodOpenApiResponseObject => ({
  description,
  content: { "application/json": { schema: { type: "object", properties: { error: { type: "object", properties: { message: { type: "string" }, messageKey: { type: "string" }, field: { type: ["string", "null"] } } } } } } },
});
const idParameter: ZodOpenApiParameterObject = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
const filterParameters: ZodOpenApiParameterObject[] = [
  idParameter,
  { name: "label", in: "query", required: false, schema: { type: "string" }, description: "only rows with this label" },
  { name: "q", in: "query", required: false, schema: { type: "string" }, description: "words that must all occur in the text (accents and case ignored)" },
  { name: "sort", in: "query", required: false, schema: { type: "string", enum: ["row", "confidence", "-confidence"] } },
  { name: "aspect", in: "query", required: false, schema: { type: "string" }, description: "only rows that speak of this aspect (an id such as BATTERY)" },
  { name: "polarity", in: "query", required: false, schema: { type: "string", enum: ["negative", "neutral", "positive"] }, description: "with aspect: only rows where that aspect has this polarity" },
];

/** OpenAPI path items of the routes above, merged into /api/openapi.json. */
export const batchRoutesOpenApi: ZodOpenApiPathsObject = {
  "/predict/batch": {
    post: {
      tags: ["batches"],
      summary: "Upload a CSV file for batch analysis (multipart, field \"file\"; optional \"text_column\" and \"domain\" before it)",
      security: [{ bearerAuth: [] }],
      requestBody: {
        required: true,
        content: { "multipart/form-data": { schema: { type: "object", required: ["file"], properties: {
          text_column: { type: "string" },
          domain: { type: "string", description: "whose aspects to read: auto (default, picked per row) or a domain id of GET /api/aspects; unknown: 400" },
          file: { type: "string", format: "binary" },
        } } } },
      },
      responses: {
        "202": {
          description: "Stored and queued",
          content: { "application/json": { schema: { type: "object", properties: { id: { type: "string" }, status: { type: "string" }, statusUrl: { type: "string" }, resultsUrl: { type: "string" } } } } },
        },
        "400": errorResponse("Not a usable CSV file (the message says why)"),
        "401": errorResponse("Not logged in"),
        "413": errorResponse("Over the size or row limit"),
        "429": errorResponse("Too many batches in progress"),
      },
    },
  },
  "/batches/{id}/results.csv": {
    get: {
      tags: ["batches"],
      summary: "Results as CSV (UTF-8 with BOM): the original columns, row, label, confidence, one probability column per label, language, not_vietnamese, model, one aspect_<id> column per aspect (its polarity, or empty), and why a row was skipped (skipped rows have an empty label)",
      security: [{ bearerAuth: [] }],
      parameters: filterParameters,
      responses: { "200": { description: "CSV", content: { "text/csv": { schema: { type: "string" } } } }, "404": errorResponse("No such batch") },
    },
  },
  "/batches/{id}/results.json": {
    get: {
      tags: ["batches"],
      summary: "Results as a JSON array (each with aspect_<id>: polarity or null); a skipped row has an empty label and skipped: { reason, message }",
      security: [{ bearerAuth: [] }],
      parameters: filterParameters,
      responses: { "200": { description: "JSON", content: { "application/json": { schema: { type: "array", items: { type: "object" } } } } }, "404": errorResponse("No such batch") },
    },
  },
  "/batches/{id}/events": {
    get: {
      tags: ["batches"],
      summary: "Live progress as server-sent events (event: progress, every second until the batch ends)",
      security: [{ bearerAuth: [] }],
      parameters: [idParameter],
      responses: { "200": { description: "text/event-stream", content: { "text/event-stream": { schema: { type: "string" } } } }, "404": errorResponse("No such batch") },
    },
  },
};
