-- AlterTable
ALTER TABLE "batches" ADD COLUMN     "aspect_summary" JSONB,
ADD COLUMN     "not_vietnamese_rows" INTEGER NOT NULL DEFAULT 0;

-- Batches analysed before this column: their count, from their predictions (new chunks add to it as they are stored).
UPDATE "batches" b SET "not_vietnamese_rows" = (SELECT count(*) FROM "predictions" p WHERE p."batch_id" = b."id" AND p."not_vietnamese");
