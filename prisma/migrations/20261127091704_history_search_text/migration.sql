-- History search compares against a folded copy of each text (server/text/searchFold.ts).
ALTER TABLE "predictions" ADD COLUMN "search_text" TEXT NOT NULL DEFAULT '';

-- Rows stored before this migration get the same key in SQL: decomposed, đ/Đ as d/D, the combining
-- diacritical marks (U+0300–U+036F, every mark Vietnamese uses) removed, lower case.
UPDATE "predictions"
SET "search_text" = lower(translate(
  normalize("text", NFD),
  'đĐ' || (SELECT string_agg(chr(c), '') FROM generate_series(768, 879) AS c),
  'dD'
));

ALTER TABLE "predictions" ALTER COLUMN "search_text" DROP DEFAULT;

-- The history and the dashboard read direct predictions only, newest first: index by source so that a
-- user's batch rows are never walked.
DROP INDEX "predictions_user_id_created_at_idx";
DROP INDEX "predictions_user_id_label_created_at_idx";
CREATE INDEX "predictions_user_id_source_created_at_id_idx" ON "predictions"("user_id", "source", "created_at" DESC, "id" DESC);
CREATE INDEX "predictions_user_id_source_label_created_at_idx" ON "predictions"("user_id", "source", "label", "created_at" DESC);
