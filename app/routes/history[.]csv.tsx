// The signed-in user's history as a CSV download, with the same search and label filter as the page.
// Read page by page through history.list and streamed, so a long history never sits in memory at once.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { toActionError } from "../actionErrors.server.ts";
import { requireUser } from "../requireUser.server.ts";
import { vietnamDate } from "#common/time/vietnamTime.ts";
import { CSV_BOM, csvRecords } from "#server/text/csvWriter.ts";

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireUser(request, context);
  const params = new URL(request.url).searchParams;
  // Label counts are for the page's filter chips; every page of an export would count all matches again.
  const filter = { search: params.get("q") ?? "", label: params.get("label") || null, withCounts: false };
  const pageSize = context.config.historyMaxPageSize;
  // The first page is read before answering, so a bad filter is an error status with its message, not a broken file.
  let page = await context.caller.history.list({ ...filter, limit: pageSize }).catch((error: unknown) => {
    throw new Response(error instanceof Error ? error.message : "Bad request", { status: toActionError(error).status });
  });
  // One probability column per class: the model's, or (no model loaded) those the newest row carries.
  const labels = (await context.caller.predict.model())?.labels ?? Object.keys(page.items[0]?.probabilities ?? {});
  const header = ["created_at", "text", "label", "confidence", ...labels.map((l) => `p_${l}`), "token_count", "windowed", "model_id", "model_version"];
  const encoder = new TextEncoder();

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(CSV_BOM + csvRecords([header])));
    },
    async pull(controller) {
      const rows = page.items.map((item) => [
        item.createdAt, item.text, item.label, item.confidence, ...labels.map((l) => item.probabilities[l] ?? ""),
        item.tokenCount, item.windowed, item.modelId, item.modelVersion,
      ]);
      if (rows.length) controller.enqueue(encoder.encode(csvRecords(rows)));
      if (!page.nextCursor) return controller.close();
      page = await context.caller.history.list({ ...filter, limit: pageSize, cursor: page.nextCursor });
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="cam-xuc-lich-su-${vietnamDate()}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
