// Turning an upload (a CSV stream or texts sent as JSON) into a stored, queued batch; shared by the
// multipart route and the tRPC `batch.create` procedure. Also the progress figures both report.
import type { Config } from "../config.server.ts";
import type { PrismaClient } from "../db/generated/client.ts";
import { AppError } from "../errors.ts";
import { hasVisibleCharacters } from "../text/visibleText.ts";
import type { BatchQueue } from "./batchQueue.server.ts";
import { chooseClassifier, type LoadedModels, type ModelKind } from "../predictions/analysis.server.ts";
import { checkAspectDomain } from "../aspects/aspectRequests.server.ts";
import { openCsvUpload, type CsvItem } from "./csvUploadReader.server.ts";
import { storeUpload, type BatchLimits, type BatchSummary, type StoredUpload } from "./batchStore.server.ts";

/** What taking in a batch needs of the server, and nothing more (built once by server/services.server.ts). */
export type BatchIntake = {
  prisma: PrismaClient;
  config: Pick<Config, "BATCH_MAX_BYTES" | "BATCH_MAX_ROWS" | "BATCH_MAX_CELL_CHARS" | "BATCH_MAX_ACTIVE_PER_USER" | "BATCH_MAX_ACTIVE_TOTAL" | "BATCH_CHUNK_ROWS" | "BATCH_FILE_NAME_MAX_CHARS">;
  /** The models a batch may ask for (none when MODEL_ENABLED=false: nothing would ever process the batch). */
  models: LoadedModels;
  /** The aspect model, to check a batch's domain before a byte is stored; null without one. */
  aspects: Parameters<typeof checkAspectDomain>[0];
  queue: Pick<BatchQueue, "enqueue">;
};

function batchLimits({ config }: BatchIntake): BatchLimits {
  return { maxActivePerUser: config.BATCH_MAX_ACTIVE_PER_USER, maxActiveTotal: config.BATCH_MAX_ACTIVE_TOTAL, chunkRows: config.BATCH_CHUNK_ROWS };
}

/** 503 without a model, 400 for "accurate" on a server without one: checked before a byte is stored. */
function requireModel(intake: BatchIntake, kind: ModelKind): void {
  chooseClassifier(intake.models, kind);
}

/** Reads, stores and queues an uploaded CSV file. */
export async function submitCsvUpload(
  intake: BatchIntake,
  userId: string,
  upload: { fileName: string; stream: AsyncIterable<Uint8Array>; textColumn: string | null; modelKind: ModelKind; domain?: string | null; approval?: Promise<void> },
): Promise<StoredUpload> {
  requireModel(intake, upload.modelKind);
  const { config } = intake;
  const csv = await openCsvUpload(upload.stream, { maxBytes: config.BATCH_MAX_BYTES, maxRows: config.BATCH_MAX_ROWS, maxCellChars: config.BATCH_MAX_CELL_CHARS }, upload.textColumn);
  // checked once the file has begun to arrive (as the text column is), so a small upload is read before the 400
  const aspectDomain = checkAspectDomain(intake.aspects, upload.domain ?? undefined);
  const stored = await storeUpload(
    intake.prisma,
    { userId, fileName: upload.fileName, columns: csv.columns, textColumnIndex: csv.textColumnIndex, format: csv.format, items: csv.items(), modelKind: upload.modelKind, aspectDomain, approval: upload.approval },
    batchLimits(intake),
    (id, chunks) => intake.queue.enqueue(id, chunks),
  );
  return stored;
}

/** Stores and queues texts sent as JSON (one column, "text"). */
export async function submitTexts(intake: BatchIntake, userId: string, input: { name: string; texts: string[]; model?: ModelKind; domain?: string }): Promise<StoredUpload> {
  requireModel(intake, input.model ?? "fast");
  const aspectDomain = checkAspectDomain(intake.aspects, input.domain);
  const { config } = intake;
  if (input.name.length > config.BATCH_FILE_NAME_MAX_CHARS) {
    throw new AppError("BAD_REQUEST", "batch.fileNameTooLong", `The name has ${input.name.length} characters, the limit is ${config.BATCH_FILE_NAME_MAX_CHARS}`, "name");
  }
  if (input.texts.length > config.BATCH_MAX_ROWS) {
    throw new AppError("PAYLOAD_TOO_LARGE", "batch.tooManyRows", `Too many texts: ${input.texts.length}, the limit is ${config.BATCH_MAX_ROWS}`, "texts");
  }
  async function* items(): AsyncGenerator<CsvItem> {
    for (const [i, text] of input.texts.entries()) {
      const row = i + 1;
      if (text.length > config.BATCH_MAX_CELL_CHARS) yield { kind: "skipped", row, reason: "cellTooLong", message: `text ${row} has ${text.length} characters, the limit is ${config.BATCH_MAX_CELL_CHARS}` };
      else if (!hasVisibleCharacters(text)) yield { kind: "skipped", row, reason: "emptyText", message: `text ${row} is empty` };
      else yield { kind: "row", rowNumber: row, cells: [text.normalize("NFC")] };
    }
  }
  return storeUpload(intake.prisma, { userId, fileName: input.name, columns: ["text"], textColumnIndex: 0, format: null, items: items(), modelKind: input.model ?? "fast", aspectDomain }, batchLimits(intake), (id, chunks) =>
    intake.queue.enqueue(id, chunks),
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
