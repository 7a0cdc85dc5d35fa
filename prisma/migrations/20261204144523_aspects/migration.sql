-- AlterTable
ALTER TABLE "batches" ADD COLUMN     "aspect_domain" TEXT NOT NULL DEFAULT 'auto';

-- AlterTable
ALTER TABLE "predictions" ADD COLUMN     "aspect_domain" TEXT,
ADD COLUMN     "aspects" JSONB;
