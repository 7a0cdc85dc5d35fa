// The API server (no UI) as its own process, for tests that kill it and for the batch benchmark: reads the
// environment like the real server, prints one JSON line {"url", "pid"} once listening, stops on SIGTERM.
import { loadConfig } from "../../server/config.server.ts";
import { startServer } from "../../server/main.ts";

const running = await startServer(loadConfig({ PORT: "0", HOST: "127.0.0.1", ...process.env }), { withUi: process.env.WITH_UI === "true" });
console.log(JSON.stringify({ url: running.url, pid: process.pid }));
process.once("SIGTERM", () => void running.stop().then(() => process.exit(0)));
