// Cảm xúc's command-line client (typed tRPC client): log in once, then analyse a text or a CSV file.
// Usage: npm run cli -- help
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { basename } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { BatchJobAnalyser, ChunkedManyAnalyser, readTextColumn, resultsCsv, type CsvAnalyser, type RowResult } from "./cli/analyseCsv.ts";
import { createApiClient, describeClientError } from "./cli/client.ts";
import { forgetSettings, readSettings, resolveSettings, settingsFile, writeSettings } from "./cli/settings.ts";

const HELP = `Cảm xúc CLI — phân tích cảm xúc tiếng Việt / Vietnamese sentiment analysis

  npm run cli -- login --email you@example.com [--days 90]   log in; saves a personal API token
  npm run cli -- analyse "Sản phẩm rất tốt" [--domain auto]  analyse one text (with its aspects)
  npm run cli -- analyse-file reviews.csv [--column text] [--out results.csv] [--via batch|many] [--chunk 50] [--domain auto]
                                                             a batch job on the server (default), or predict.many in chunks
  --domain: whose aspects to read, auto (default) or phones, hotels, restaurants, cosmetics, fashion, cleanser,
            banking, general (the server's list: GET /api/aspects)
  npm run cli -- whoami                                      the account the token belongs to
  npm run cli -- logout                                      revoke the saved token and forget it

Options: --url URL (or CAMXUC_URL; default http://localhost:7860), --token TOKEN (or CAMXUC_TOKEN),
--json (machine-readable output), --model fast|accurate (which model answers; accurate only where the server has one). The password comes from CAMXUC_PASSWORD, else from standard input.
The token is saved in ${settingsFile()} (CAMXUC_CONFIG overrides the path).`;

class UsageError extends Error {}

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string" },
    token: { type: "string" },
    email: { type: "string" },
    days: { type: "string" },
    column: { type: "string", default: "text" },
    out: { type: "string" },
    chunk: { type: "string", default: "50" },
    via: { type: "string", default: "batch" },
    model: { type: "string", default: "fast" },
    domain: { type: "string" },
    json: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

const file = settingsFile();
const settings = resolveSettings({ url: flags.url, token: flags.token }, process.env, readSettings(file));

function positiveInt(value: string | undefined, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a whole number of at least 1`);
  return n;
}

function modelKind(): "fast" | "accurate" {
  if (flags.model !== "fast" && flags.model !== "accurate") throw new UsageError("--model must be fast or accurate");
  return flags.model;
}

function requireToken(): string {
  if (!settings.token) throw new UsageError("Not logged in: run `npm run cli -- login --email ...`, or pass --token / set CAMXUC_TOKEN");
  return settings.token;
}

async function readPassword(): Promise<string> {
  if (process.env.CAMXUC_PASSWORD) return process.env.CAMXUC_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  const password = await rl.question(process.stdin.isTTY ? "Mật khẩu / Password: " : "");
  rl.close();
  return password.replace(/\r?\n$/, "");
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

function printTable(results: RowResult[]): void {
  const rows = results.map((r) => [String(r.row), r.notVietnamese ? "not Vietnamese" : r.label, percent(r.confidence), r.text.length > 60 ? `${r.text.slice(0, 59)}…` : r.text]);
  const header = ["#", "label", "confidence", "text"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "));
}

function progressBar(done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}${done === total ? "\n" : ""}`);
}

async function main(): Promise<void> {
  const [command, ...args] = positionals;
  if (flags.help || !command || command === "help") {
    console.log(HELP);
    return;
  }
  switch (command) {
    case "login": {
      if (!flags.email) throw new UsageError("login needs --email");
      const days = flags.days ? positiveInt(flags.days, "days") : 90;
      const anonymous = createApiClient(settings.url, null);
      const login = await anonymous.auth.login.mutate({ email: flags.email, password: await readPassword() });
      // Trade the short-lived login token for a named personal token the owner can see and revoke on /settings.
      const session = createApiClient(settings.url, login.token!);
      const created = await session.tokens.create.mutate({ name: `CLI on ${os.hostname()}`.slice(0, 100), expiresInDays: days });
      await session.auth.logout.mutate();
      writeSettings(file, { url: settings.url, token: created.token });
      console.log(flags.json ? JSON.stringify({ email: login.user.email, tokenId: created.id, expiresAt: created.expiresAt, savedTo: file }) : `Logged in as ${login.user.email}; token saved to ${file} (expires ${created.expiresAt})`);
      return;
    }
    case "logout": {
      await createApiClient(settings.url, requireToken()).auth.logout.mutate();
      forgetSettings(file);
      console.log("Logged out: the token is revoked and forgotten");
      return;
    }
    case "whoami": {
      const me = await createApiClient(settings.url, requireToken()).auth.me.query();
      console.log(flags.json ? JSON.stringify(me) : `${me.user.email} (${me.authMethod}${me.sessionExpiresAt ? `, until ${me.sessionExpiresAt}` : ""})`);
      return;
    }
    case "analyse": {
      const model = modelKind();
      const text = args.join(" ");
      if (!text.trim()) throw new UsageError('analyse needs a text: npm run cli -- analyse "Sản phẩm rất tốt"');
      const result = await createApiClient(settings.url, requireToken()).predict.single.mutate({ text, model, ...(flags.domain ? { domain: flags.domain } : {}) });
      if (flags.json) console.log(JSON.stringify(result));
      else {
        printTable([{ row: 1, text: result.text, label: result.label, confidence: result.confidence, probabilities: result.probabilities, notVietnamese: result.notVietnamese }]);
        if (result.domain) console.log(`${result.domain}: ${result.aspects.map((a) => `${a.aspect} ${a.polarity} (${a.confidence.toFixed(2)})`).join(", ") || "no aspect / không có khía cạnh nào"}`);
      }
      return;
    }
    case "analyse-file": {
      const path = args[0];
      if (!path) throw new UsageError("analyse-file needs a CSV file: npm run cli -- analyse-file reviews.csv");
      if (flags.via !== "batch" && flags.via !== "many") throw new UsageError("--via must be batch or many");
      const model = modelKind();
      const content = readFileSync(path);
      const texts = await readTextColumn(content, flags.column, path);
      const token = requireToken();
      const client = createApiClient(settings.url, token);
      const analyser: CsvAnalyser = flags.via === "many" ? new ChunkedManyAnalyser(client, positiveInt(flags.chunk, "chunk")) : new BatchJobAnalyser(client, settings.url, token);
      const results = await analyser.analyse({ name: basename(path), content, column: flags.column, texts, model, domain: flags.domain }, progressBar);
      if (flags.out) {
        const labels = (await client.predict.model.query())?.labels ?? Object.keys(results[0]?.probabilities ?? {});
        writeFileSync(flags.out, resultsCsv(results, labels));
        console.log(`${results.length} rows analysed; results written to ${flags.out}`);
      } else if (flags.json) console.log(JSON.stringify(results));
      else printTable(results);
      return;
    }
    default:
      throw new UsageError(`Unknown command "${command}"\n\n${HELP}`);
  }
}

try {
  await main();
} catch (error) {
  if (error instanceof UsageError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(`Error: ${describeClientError(error)}`);
  process.exit(1);
}
