-- CreateIndex
CREATE INDEX "batch_rows_batch_id_row_number_idx" ON "batch_rows"("batch_id", "row_number");

-- CreateIndex
CREATE INDEX "predictions_batch_id_confidence_row_number_idx" ON "predictions"("batch_id", "confidence", "row_number");
