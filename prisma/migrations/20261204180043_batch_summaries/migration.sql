-- AlterTable
ALTER TABLE "batches" ADD COLUMN     "aspect_summary" JSONB,
ADD COLUMN     "not_vietnamese_rows" INTEGER NOT NULL DEFAULT 0;
