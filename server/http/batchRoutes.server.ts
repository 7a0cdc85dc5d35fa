// Hand-written batch routes tRPC cannot serve: the multipart CSV upload (its own body limit), the results
// streamed as CSV or JSON, and live progress as server-sent events. Their OpenAPI path items are exported
// for /api/openapi.json. Another user's batch is a 404 on each.
import { TRPCError } from "@trpc/server";
import { bodyLimit } from "./bodyLimit.server.ts";
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

/** Our errors (also when tRPC's context wrapped them) in the one API error shape; anything else to the app's last error handler (503 for an unreachable database or a statement it stopped for its time, else 500). */
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

/** Waits `ms`, or less when `signal` aborts; true when it did. */
function waitOrStop(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(false);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A multipart parser for the request, or the 4xx saying why there cannot be one: not multipart, no boundary,
 * a compressed body (we read only identity-encoded uploads).
 */
function openMultipart(req: express.Request, limits: busboy.Limits): busboy.Busboy {
  const encoding = String(req.headers["content-encoding"] ?? "identity").trim().toLowerCase();
  if (encoding !== "identity") {
    throw new AppError("BAD_REQUEST", "batch.contentEncoding", `Content-Encoding "${encoding.slice(0, 40)}" is not accepted: send the file uncompressed (a CSV file, not a .gz)`, "file");
  }
  if (!(req.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/form-data")) {
    throw new AppError("BAD_REQUEST", "batch.notMultipart", "Send the file as multipart/form-data in a field named \"file\" (curl -F file=@reviews.csv)", "file");
  }
  try {
    // browsers send a file name as raw UTF-8; busboy reads it as latin1 unless told (a Vietnamese name was garbled)
    return busboy({ headers: req.headers, limits, defParamCharset: "utf8" });
  } catch (error) {
    throw malformedMultipart(error);
  }
}

/** What busboy found wrong with the body (no boundary, cut short, a malformed part), as a 400. */
function malformedMultipart(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const reason = error instanceof Error ? error.message.slice(0, 200) : "unreadable body";
  return new AppError("BAD_REQUEST", "batch.badMultipart", `The upload is not well-formed multipart/form-data (${reason}); send it with curl -F file=@reviews.csv or a browser form`, "file");
}

export function batchRoutes(
  services: AppServices,
  createContext: (req: express.Request, res: express.Response) => Promise<Context>,
  stopping: AbortSignal = new AbortController().signal,
): express.Router {
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

  // Mounted before the app-wide body limit (the upload has its own, counted on every byte, chunked too), so the
  // cross-site check is applied here.
  const uploadLimit = config.BATCH_MAX_BYTES + MULTIPART_ENVELOPE_BYTES;
  // A declared length over the limit gets the file's own message (naming BATCH_MAX_BYTES) before anything is read.
  const declaredUploadSize: express.RequestHandler = (req, res, next) => {
    const length = Number(req.headers["content-length"] ?? 0);
    if (length <= uploadLimit) return next();
    res.setHeader("Connection", "close");
    sendError(res, fileTooLarge(config.BATCH_MAX_BYTES, length), next);
  };
  api.post("/predict/batch", declaredUploadSize, bodyLimit(uploadLimit), async (req, res, next) => {
    try {
      const userId = await requireUserId(req, res);
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
        let failed = false;
        let fileStream: NodeJS.ReadableStream & { destroy(error?: Error): void } | null = null;
        // Settled when the whole body has been read: the batch is queued only then, so a refused later part
        // or a lost connection stores nothing.
        let approve!: () => void;
        let refuse!: (error: unknown) => void;
        const approval = new Promise<void>((resolvePromise, rejectPromise) => ((approve = resolvePromise), (refuse = rejectPromise)));
        approval.catch(() => undefined);
        const parser = openMultipart(req, { files: 1, fields: 10, fieldSize: 1_000, fileSize: config.BATCH_MAX_BYTES + 1 });
        const fail = (error: unknown) => {
          if (failed) return;
          failed = true;
          refuse(error);
          req.unpipe(parser);
          // the reader may be waiting for more of the file: end its wait so what it stored is deleted. The stream may
          // have been discarded instead (a refused file name): its error then has no other listener, and an
          // unheard 'error' event would end the process.
          fileStream?.once("error", () => undefined);
          fileStream?.destroy(error instanceof Error ? error : new Error(String(error)));
          reject(error);
        };
        req.on("close", () => {
          if (!req.complete) fail(new AppError("BAD_REQUEST", "batch.uploadAborted", "The upload was cut off before the whole file arrived; nothing was stored", "file"));
        });
        parser.on("field", (name, value) => {
          if (name === "model") {
            if (seenFile) fail(new AppError("BAD_REQUEST", "batch.fieldOrder", "Send model before the file field (or as ?model=); nothing was stored", "model"));
            else chooseModel(value);
            return;
          }
          if (name !== "text_column" && name !== "domain") return;
          if (seenFile) fail(new AppError("BAD_REQUEST", "batch.fieldOrder", `Send ${name} before the file field (or as ?${name}=); nothing was stored`, name));
          else if (name === "domain") domain = value.trim() || null;
          else textColumn = value.trim() || null;
        });
        parser.on("file", (name, stream, info) => {
          if (name !== "file" || failed) {
            stream.resume();
            return;
          }
          seenFile = true;
          fileStream = stream;
          if (modelError) {
            stream.resume();
            return;
          }
          const fileName = info.filename || "upload.csv";
          if (fileName.length > config.BATCH_FILE_NAME_MAX_CHARS) {
            stream.resume();
            fail(new AppError("BAD_REQUEST", "batch.fileNameTooLong", `The file name has ${fileName.length} characters, the limit is ${config.BATCH_FILE_NAME_MAX_CHARS}: rename the file and upload it again`, "file"));
            return;
          }
          submitCsvUpload(services.batchIntake, userId, { fileName, stream, textColumn, modelKind, domain, approval }).then(resolve, (error) => {
            stream.resume();
            fail(error);
          });
        });
        parser.on("error", (error) => fail(malformedMultipart(error)));
        // a second file part would be dropped without a word: refuse the upload instead
        parser.on("filesLimit", () => fail(new AppError("BAD_REQUEST", "batch.oneFile", "Send one file per upload: this request has more than one file part", "file")));
        parser.on("close", () => {
          if (modelError) fail(modelError);
          else if (!seenFile) fail(new AppError("BAD_REQUEST", "batch.noFile", "No file: send the CSV in a multipart field named \"file\"", "file"));
          else approve();
        });
        req.pipe(parser);
      });
      res.status(202).json({ id: stored.id, status: "queued", statusUrl: `/api/batches/${stored.id}`, resultsUrl: `/api/batches/${stored.id}/results.csv` });
    } catch (error) {
      // A refused upload may still be arriving: answer now and close the connection instead of reading the rest.
      if (!res.headersSent) res.setHeader("Connection", "close");
      sendError(res, error, next);
    }
  });

  // The page sends the first 64 KB of a chosen file: the same reader shows columns, first rows and its guess.
  api.post("/predict/batch/preview", bodyLimit(PREVIEW_BYTES + MULTIPART_ENVELOPE_BYTES), async (req, res, next) => {
    try {
      await requireUserId(req, res);
      const preview = await new Promise<object>((resolve, reject) => {
        let seenFile = false;
        const parser = openMultipart(req, { files: 1, fields: 10, fieldSize: 1_000, fileSize: PREVIEW_BYTES });
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
        parser.on("error", (error) => reject(malformedMultipart(error)));
        parser.on("close", () => {
          if (!seenFile) reject(new AppError("BAD_REQUEST", "batch.noFile", "No file: send the CSV in a multipart field named \"file\"", "file"));
        });
        req.pipe(parser);
      });
      res.json(preview);
    } catch (error) {
      sendError(res, error, next);
    }
  });

  function exportQuery(req: express.Request): ExportQuery {
    for (const name of ["label", "q", "sort", "aspect", "polarity"]) {
      const value = req.query[name];
      if (value !== undefined && (typeof value !== "string" || value.includes("\u0000"))) {
        throw new AppError("BAD_REQUEST", "error.nulCharacter", `The filter ${name} must be one text without the NUL character (U+0000)`, name);
      }
    }
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
      const query = exportQuery(req);
      const labels = services.classifier?.labels ?? Object.keys(batch.labelCounts as Record<string, number>);
      const columns = batch.columns as string[];
      const aspects = await aspectColumns(services.db.prisma, batch, services.aspects);
      const base = batch.fileName.replace(/\.[^.]*$/, "").replace(/[^\p{L}\p{N}_-]+/gu, "_") || "batch";
      res.setHeader("Content-Type", "text/csv; charset=utf-8");
      res.setHeader("Content-Disposition", `attachment; filename="${base.replace(/[^\x20-\x7e]/g, "_")}-results.csv"; filename*=UTF-8''${encodeURIComponent(base)}-results.csv`);
      await write(res, CSV_BOM + resultsCsvHeader(columns, labels, aspects));
      for await (const page of exportRows(services.db.prisma, batch, query)) await write(res, resultsCsvRows(page, columns, labels, aspects));
      res.end();
    } catch (error) {
      sendError(res, error, next);
    }
  });

  api.get("/batches/:id/results.json", async (req, res, next) => {
    try {
      const { batch } = await ownBatch(req, res);
      const query = exportQuery(req);
      const columns = batch.columns as string[];
      const aspects = await aspectColumns(services.db.prisma, batch, services.aspects);
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      await write(res, "[");
      let first = true;
      for await (const page of exportRows(services.db.prisma, batch, query)) {
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
      // EventSource reconnects after `retry` ms: after a database error, and to another instance after a shutdown.
      const retryMs = services.config.DATABASE_RETRY_AFTER_SECONDS * 1000;
      let sendProgress = true;
      for (;;) {
        if (sendProgress) {
          const progress = { id: current.id, status: current.status, total: current.totalRows, processed: current.processedRows, skipped: current.skippedRows, ...progressOf(current) };
          res.write(`event: progress\ndata: ${JSON.stringify(progress)}\n\n`);
          if (!["uploading", "queued", "running"].includes(current.status)) break;
        }
        const stop = await waitOrStop(EVENT_INTERVAL_MS, stopping);
        if (closed) return;
        if (stop) {
          res.write(`retry: ${retryMs}\nevent: closing\ndata: ${JSON.stringify({ message: "The server is restarting; reconnect to follow the batch" })}\n\n`);
          break;
        }
        try {
          current = await getBatch(services.db.prisma, userId, current.id);
          sendProgress = true;
        } catch (error) {
          if (error instanceof AppError && error.code === "NOT_FOUND") {
            res.write(`event: deleted\ndata: {}\n\n`);
            break;
          }
          // The batch is still there (the database is not answering): say so, and keep trying.
          const unavailable = services.databaseOutage.classify(error);
          const message = unavailable?.message ?? "The batch's progress could not be read; trying again";
          res.write(`retry: ${retryMs}\nevent: unavailable\ndata: ${JSON.stringify({ messageKey: unavailable?.messageKey ?? "error.internal", message })}\n\n`);
          sendProgress = false;
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
      summary: "Upload a CSV file for batch analysis (multipart, one part \"file\"; optional \"text_column\", \"domain\" and \"model\" before it, or as query parameters)",
      security: [{ bearerAuth: [] }],
      parameters: [
        { name: "text_column", in: "query", required: false, schema: { type: "string" }, description: "as the form field" },
        { name: "domain", in: "query", required: false, schema: { type: "string" }, description: "as the form field" },
        { name: "model", in: "query", required: false, schema: { type: "string", enum: ["fast", "accurate"] }, description: "as the form field" },
      ],
      requestBody: {
        required: true,
        content: { "multipart/form-data": { schema: { type: "object", required: ["file"], properties: {
          text_column: { type: "string", description: "the column to analyse (case-insensitive); unset: the column with the most Vietnamese text" },
          domain: { type: "string", description: "whose aspects to read: auto (default, picked per row) or a domain id of GET /api/aspects; unknown: 400" },
          model: { type: "string", enum: ["fast", "accurate"], description: "fast (default) or accurate, when the server has an accurate model (else 400)" },
          file: { type: "string", format: "binary", description: "the CSV file, its name in UTF-8 (at most BATCH_FILE_NAME_MAX_CHARS characters); one file per upload" },
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
