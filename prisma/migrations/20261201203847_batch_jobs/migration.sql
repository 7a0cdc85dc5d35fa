-- Batch analysis as pg-boss jobs: stored upload rows, chunk bookkeeping, counts, skipped rows, word-cloud terms.
-- The worker lock columns go: pg-boss holds the jobs, and a chunk's done mark is what makes a retry harmless.
-- AlterEnum
ALTER TYPE "BatchStatus" ADD VALUE 'uploading';

-- DropIndex
DROP INDEX "batches_status_heartbeat_at_idx";

-- AlterTable
ALTER TABLE "batches" DROP COLUMN "failed_rows",
DROP COLUMN "heartbeat_at",
DROP COLUMN "locked_by",
ADD COLUMN     "average_confidence" DOUBLE PRECISION,
ADD COLUMN     "chunk_count" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "chunk_size" INTEGER NOT NULL DEFAULT 500,
ADD COLUMN     "columns" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "file_format" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "model_id" TEXT,
ADD COLUMN     "model_version" TEXT,
ADD COLUMN     "skipped" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "skipped_rows" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "terms" JSONB;

-- CreateTable
CREATE TABLE "batch_rows" (
    "batch_id" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "row_number" INTEGER NOT NULL,
    "text" TEXT NOT NULL,
    "cells" JSONB NOT NULL,

    CONSTRAINT "batch_rows_pkey" PRIMARY KEY ("batch_id","position")
);

-- CreateTable
CREATE TABLE "batch_chunks" (
    "batch_id" TEXT NOT NULL,
    "index" INTEGER NOT NULL,
    "row_count" INTEGER NOT NULL,
    "done" BOOLEAN NOT NULL DEFAULT false,
    "done_at" TIMESTAMP(3),
    "done_by" TEXT,

    CONSTRAINT "batch_chunks_pkey" PRIMARY KEY ("batch_id","index")
);

-- CreateIndex
CREATE INDEX "batches_status_created_at_idx" ON "batches"("status", "created_at");

-- AddForeignKey
ALTER TABLE "batch_rows" ADD CONSTRAINT "batch_rows_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "batch_chunks" ADD CONSTRAINT "batch_chunks_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "batches"("id") ON DELETE CASCADE ON UPDATE CASCADE;
