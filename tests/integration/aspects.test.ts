// Aspect-level sentiment over real HTTP with the bundled aspect model (models/aspects): single analyses with a
// domain, the stored aspects, batches with a domain, their aspect columns, filters and chart figures, and a
// clear 400 for an unknown domain; on the embedded database and PostgreSQL.
import Papa from "papaparse";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASES, startTestServer, trpcGet, trpcPost, type TestServer } from "../support/testServer.ts";
import { uploadCsv, waitForBatch } from "../support/batchFiles.ts";
import { phoneReviewCsv, PHONE_WEAK_BATTERY } from "../support/aspectFiles.ts";

describe.each(DATABASES)("aspects on %s", (database) => {
  let server: TestServer;
  let alice: Record<string, string>;
  let batch: any;

  beforeAll(async () => {
    server = await startTestServer(database, { BATCH_CHUNK_ROWS: "20" });
    const token = (await trpcPost(server.url, "auth.register", { email: "aspects@example.com", password: "aspects-password" })).json.result.data.token as string;
    alice = { authorization: `Bearer ${token}` };
    const upload = await uploadCsv(server.url, phoneReviewCsv(45), alice, { fileName: "phones.csv", domain: "phones" });
    expect(upload.status).toBe(202);
    batch = await waitForBatch(server.url, upload.json.id, alice);
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it("answers a single analysis with its aspects in both languages, keeps the explanation, and stores them", async () => {
    const response = await fetch(`${server.url}/api/predict/single`, {
      method: "POST", headers: { ...alice, "content-type": "application/json" }, body: JSON.stringify({ text: PHONE_WEAK_BATTERY, domain: "phones", explain: true }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as any;
    expect(body).toMatchObject({ domain: "phones", domainConfidence: null, stored: true });
    const battery = body.aspects.find((a: any) => a.aspect === "BATTERY");
    expect(battery).toMatchObject({ polarity: "negative", name_en: "Battery" });
    expect(battery.name_vi).toBeTruthy();
    expect(battery.confidence).toBeGreaterThan(0.25);
    expect(body.explanation.words.length).toBeGreaterThan(3);
    const stored = await server.services.db.prisma.prediction.findUnique({ where: { id: body.id }, select: { aspects: true, aspectDomain: true } });
    expect(stored).toEqual({ aspects: body.aspects, aspectDomain: "phones" });
  });

  it("gives each text of predict.many its aspects", async () => {
    const { status, json } = await trpcPost(server.url, "predict.many", { texts: [PHONE_WEAK_BATTERY, "Nhân viên nhiệt tình, giao hàng nhanh"], domain: "phones" }, alice);
    expect(status).toBe(200);
    const [phone, other] = json.result.data.results;
    expect(phone.domain).toBe("phones");
    expect(phone.aspects.find((a: any) => a.aspect === "BATTERY")).toMatchObject({ polarity: "negative" });
    expect(other.domain).toBe("phones");
    const stored = await server.services.db.prisma.prediction.findUnique({ where: { id: phone.id }, select: { aspects: true } });
    expect(stored!.aspects).toEqual(phone.aspects);
  });

  it("picks the domain itself with auto (the default)", async () => {
    const { json } = await trpcPost(server.url, "predict.single", { text: PHONE_WEAK_BATTERY }, alice);
    expect(json.result.data.domain).toBe("phones");
    expect(json.result.data.domainConfidence).toBeGreaterThan(0.5);
  });

  it("shows the aspect shares of the user's own analyses on the dashboard (not batch rows)", async () => {
    const o = (await trpcGet(server.url, "insights.overview", alice)).json.result.data;
    const stored = await server.services.db.prisma.prediction.findMany({ where: { source: "single", aspects: { not: null as never } }, select: { aspects: true } });
    expect(o.aspectsFromTexts).toBe(stored.length);
    const battery = o.aspects.find((a: any) => a.aspect === "BATTERY");
    const mentions = stored.flatMap((s) => s.aspects as any[]).filter((a) => a.aspect === "BATTERY" && a.polarity === "negative").length;
    expect(battery.counts.negative).toBe(mentions);
    expect(mentions).toBeGreaterThanOrEqual(1);
  });

  it("refuses an unknown domain with a 400 that lists the known ones, in REST, tRPC and the upload", async () => {
    const rest = await fetch(`${server.url}/api/predict/single`, { method: "POST", headers: { ...alice, "content-type": "application/json" }, body: JSON.stringify({ text: "Pin tốt", domain: "spaceships" }) });
    expect(rest.status).toBe(400);
    const error = ((await rest.json()) as any).error;
    expect(error).toMatchObject({ messageKey: "aspects.unknownDomain", field: "domain" });
    expect(error.message).toMatch(/Unknown domain "spaceships": use one of auto, .*phones.*general/);
    const trpc = await trpcPost(server.url, "batch.create", { texts: ["Pin tốt"], domain: "spaceships" }, alice);
    expect(trpc.status).toBe(400);
    expect((await trpcPost(server.url, "predict.many", { texts: ["Pin tốt"], domain: "spaceships" }, alice)).status).toBe(400);
    const before = await server.services.db.prisma.batch.count();
    const upload = await uploadCsv(server.url, phoneReviewCsv(3), alice, { domain: "spaceships" });
    expect(upload.status).toBe(400);
    expect(upload.json.error.messageKey).toBe("aspects.unknownDomain");
    expect(await server.services.db.prisma.batch.count()).toBe(before);
  });

  it("counts a batch's aspects per polarity, most mentioned first, with the three most confident rows of each", async () => {
    expect(batch).toMatchObject({ status: "completed", domain: "phones" });
    expect(batch.aspects.length).toBeGreaterThan(0);
    const totals = batch.aspects.map((a: any) => a.total);
    expect(totals).toEqual([...totals].sort((a: number, b: number) => b - a));
    const rows = await server.services.db.prisma.prediction.findMany({ where: { batchId: batch.id }, select: { aspects: true, aspectDomain: true } });
    expect(rows.every((r) => r.aspectDomain === "phones" && Array.isArray(r.aspects))).toBe(true);
    for (const item of batch.aspects) {
      for (const polarity of ["negative", "neutral", "positive"] as const) {
        const mentions = rows.filter((r) => (r.aspects as any[]).some((a) => a.aspect === item.aspect && a.polarity === polarity)).length;
        expect(item.counts[polarity]).toBe(mentions);
        const examples = item.examples[polarity];
        expect(examples.length).toBe(Math.min(3, mentions));
        expect(examples.map((e: any) => e.confidence)).toEqual(examples.map((e: any) => e.confidence).sort((a: number, b: number) => b - a));
      }
    }
  });

  it("filters the rows by aspect and polarity, and exports one aspect_<id> column per aspect of the domain", async () => {
    const top = batch.aspects[0];
    const polarity = (["negative", "neutral", "positive"] as const).find((p) => top.counts[p] > 0)!;
    const page = (await trpcGet(server.url, "batch.results", alice, { id: batch.id, aspect: top.aspect, polarity, pageSize: 200 })).json.result.data;
    expect(page.total).toBe(top.counts[polarity]);
    expect(page.rows.every((r: any) => r.aspects.some((a: any) => a.aspect === top.aspect && a.polarity === polarity))).toBe(true);

    const csv = await fetch(`${server.url}/api/batches/${batch.id}/results.csv`, { headers: alice });
    const parsed = Papa.parse<string[]>((await csv.text()).replace(/^\uFEFF/, ""), { skipEmptyLines: true }).data;
    const header = parsed[0]!;
    const phoneAspects = (await trpcGet(server.url, "predict.aspectDomains", {})).json.result.data.domains.find((d: any) => d.id === "phones").aspects.map((a: any) => a.id);
    expect(header.filter((h) => h.startsWith("aspect_"))).toEqual(phoneAspects.map((a: string) => `aspect_${a.toLowerCase()}`));
    const column = header.indexOf(`aspect_${top.aspect.toLowerCase()}`);
    expect(parsed.slice(1).filter((r) => r[column] === polarity)).toHaveLength(top.counts[polarity]);
    expect(parsed.slice(1).every((r) => ["", "negative", "neutral", "positive"].includes(r[column]!))).toBe(true);

    const filtered = await fetch(`${server.url}/api/batches/${batch.id}/results.json?aspect=${top.aspect}&polarity=${polarity}`, { headers: alice });
    const json = (await filtered.json()) as any[];
    expect(json).toHaveLength(top.counts[polarity]);
    expect(json.every((r) => r[`aspect_${top.aspect.toLowerCase()}`] === polarity)).toBe(true);
  });

  it("takes a domain in tRPC batch.create", async () => {
    const created = await trpcPost(server.url, "batch.create", { texts: [PHONE_WEAK_BATTERY, "Giao hàng nhanh"], domain: "general" }, alice);
    expect(created.status).toBe(200);
    const done = await waitForBatch(server.url, created.json.result.data.id, alice);
    expect(done.domain).toBe("general");
    const rows = await server.services.db.prisma.prediction.findMany({ where: { batchId: done.id }, select: { aspectDomain: true } });
    expect(rows.map((r) => r.aspectDomain)).toEqual(["general", "general"]);
  });
});
