-- AlterTable: history search compares against a folded copy of each text (server/text/searchFold.ts).
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
