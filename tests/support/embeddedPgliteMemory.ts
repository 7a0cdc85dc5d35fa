// Child process for tests/integration/embeddedPglite.test.ts (a server-like process of its own, outside the
// test runner): opens the embedded database in the folder given and prints its external (WebAssembly) memory
// after a full collection, as JSON.
import { openEmbeddedPglite } from "../../server/db/embeddedPglite.server.ts";

const db = await openEmbeddedPglite(process.argv[2]!, 16);
await db.query("SELECT 1");
(globalThis as { gc?: () => void }).gc?.();
console.log(JSON.stringify({ externalMb: process.memoryUsage().external / 1_048_576 }));
await db.close();
