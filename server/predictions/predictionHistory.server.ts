// Stores single and multi-text predictions in the owner's history.
import type { PrismaClient } from "../db/generated/client.ts";
import type { Classification } from "../inference/classifier.server.ts";

export async function savePredictions(
  prisma: PrismaClient,
  userId: string,
  items: { text: string; result: Classification }[],
): Promise<string[]> {
  const rows = items.map(({ text, result }) => ({
    id: crypto.randomUUID(),
    userId,
    text,
    label: result.label,
    confidence: result.confidence,
    probabilities: result.probabilities,
    tokenCount: result.tokenCount,
    windowed: result.windowed,
    modelId: result.modelId,
    modelVersion: result.modelVersion,
    source: "single" as const,
  }));
  await prisma.prediction.createMany({ data: rows });
  return rows.map((r) => r.id);
}
