// A script using the typed tRPC client: logs in for a bearer token, reads the current user, analyses a text.
// Usage: CAMXUC_URL=http://localhost:7860 CAMXUC_EMAIL=... CAMXUC_PASSWORD=... npx tsx scripts/api-client-example.ts ["text"]
import { createTRPCClient, httpLink } from "@trpc/client";
import type { AppRouter } from "../server/trpc/root.server.ts";

const baseUrl = process.env.CAMXUC_URL ?? "http://localhost:7860";
const email = process.env.CAMXUC_EMAIL;
const password = process.env.CAMXUC_PASSWORD;
if (!email || !password) {
  console.error("Set CAMXUC_EMAIL and CAMXUC_PASSWORD (and CAMXUC_URL if the server is not on localhost:7860).");
  process.exit(2);
}

let token: string | null = null;
const client = createTRPCClient<AppRouter>({
  links: [httpLink({ url: `${baseUrl}/api/trpc`, headers: () => (token ? { authorization: `Bearer ${token}` } : {}) })],
});

const login = await client.auth.login.mutate({ email, password });
token = login.token ?? null;
const me = await client.auth.me.query();
const output: Record<string, unknown> = { user: me?.user.email, authMethod: me?.authMethod, tokenExpiresAt: login.expiresAt };
const text = process.argv[2];
if (text) {
  const result = await client.predict.single.mutate({ text });
  output.prediction = { label: result.label, confidence: result.confidence, probabilities: result.probabilities };
}
console.log(JSON.stringify(output));
await client.auth.logout.mutate();
