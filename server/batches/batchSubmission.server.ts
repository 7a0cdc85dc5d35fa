// Turning an upload (a CSV stream or texts sent as JSON) into a stored, queued batch; shared by the
// multipart route and the tRPC `batch.create` procedure. Also the progress figures both report.
import type { AppServices } from "../services.server.ts";
import { AppError } from "../errors.ts";
import { openCsvUpload, type CsvItem } from "./csvUploadReader.server.ts";
import { storeUpload, type BatchLimits, type BatchSummary, type StoredUpload } from "./batchStore.server.ts";

function batchLimits(services: AppServices): BatchLimits {
  const { config } = services;
  return { maxActivePerUser: config.BATCH_MAX_ACTIVE_PER_USER, maxActiveTotal: config.BATCH_MAX_ACTIVE_TOTAL, chunkRows: config.BATCH_CHUNK_ROWS };
}

function requireModel(services: AppServices): void {
  if (!services.classifier) throw new AppError("SERVICE_UNAVAILABLE", "predict.modelUnavailable", "The model is not loaded on this server");
}

/** Reads, stores and queues an uploaded CSV file. */
export async function submitCsvUpload(
  services: AppServices,
  userId: string,
  upload: { fileName: string; stream: AsyncIterable<Uint8Array>; textColumn: string | null; approval?: Promise<void> },
): Promise<StoredUpload> {
  requireModel(services);
  const { config } = services;
  const csv = await openCsvUpload(upload.stream, { maxBytes: config.BATCH_MAX_BYTES, maxRows: config.BATCH_MAX_ROWS, maxCellChars: config.BATCH_MAX_CELL_CHARS }, upload.textColumn);
  const stored = await storeUpload(
    services.db.prisma,
    { userId, fileName: upload.fileName, columns: csv.columns, textColumnIndex: csv.textColumnIndex, format: csv.format, items: csv.items(), approval: upload.approval },
    batchLimits(services),
    (id, chunks) => services.batchQueue.enqueue(id, chunks),
  );
  return stored;
}

/** Stores and queues texts sent as JSON (one column, "text"). */
export async function submitTexts(services: AppServices, userId: string, input: { name: string; texts: string[] }): Promise<StoredUpload> {
  requireModel(services);
  const { config } = services;
  if (input.texts.length > config.BATCH_MAX_ROWS) {
    throw new AppError("PAYLOAD_TOO_LARGE", "batch.tooManyRows", `Too many texts: ${input.texts.length}, the limit is ${config.BATCH_MAX_ROWS}`, "texts");
  }
  async function* items(): AsyncGenerator<CsvItem> {
    for (const [i, text] of input.texts.entries()) {
      const row = i + 1;
      if (text.length > config.BATCH_MAX_CELL_CHARS) yield { kind: "skipped", row, reason: "cellTooLong", message: `text ${row} has ${text.length} characters, the limit is ${config.BATCH_MAX_CELL_CHARS}` };
      else if (!text.trim()) yield { kind: "skipped", row, reason: "emptyText", message: `text ${row} is empty` };
      else yield { kind: "row", rowNumber: row, cells: [text.normalize("NFC")] };
    }
  }
  return storeUpload(services.db.prisma, { userId, fileName: input.name, columns: ["text"], textColumnIndex: 0, format: null, items: items() }, batchLimits(services), (id, chunks) =>
    services.batchQueue.enqueue(id, chunks),
  );
}

/** Rows per second since the batch started, and the seconds left at that pace (null before a rate is known). */
export function progressOf(batch: Pick<BatchSummary, "status" | "totalRows" | "processedRows" | "startedAt" | "finishedAt">, now = new Date()) {
  const started = batch.startedAt?.getTime();
  const end = (batch.finishedAt ?? now).getTime();
  const seconds = started ? Math.max(0.001, (end - started) / 1000) : 0;
  const rowsPerSecond = started && batch.processedRows > 0 ? batch.processedRows / seconds : null;
  const active = batch.status === "queued" || batch.status === "running";
  const etaSeconds = active && rowsPerSecond ? Math.ceil((batch.totalRows - batch.processedRows) / rowsPerSecond) : null;
  return { rowsPerSecond: rowsPerSecond === null ? null : Math.round(rowsPerSecond * 10) / 10, etaSeconds };
}
