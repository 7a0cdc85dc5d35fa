-- AlterTable
ALTER TABLE "batches" ADD COLUMN     "model_kind" TEXT NOT NULL DEFAULT 'fast';

-- AlterTable
ALTER TABLE "predictions" ADD COLUMN     "language" TEXT,
ADD COLUMN     "model_kind" TEXT NOT NULL DEFAULT 'fast',
ADD COLUMN     "not_vietnamese" BOOLEAN NOT NULL DEFAULT false;
