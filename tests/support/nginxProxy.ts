// A real nginx (Debian's package) in front of test instances: round robin, with the shipped proxy settings
// (deploy/nginx/proxy.conf). Runs from a temporary prefix on a free port and stops with the test.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../../server/repoPaths.ts";

export const NGINX = process.env.NGINX_PATH ?? "/usr/sbin/nginx";
export const PROXY_SETTINGS = path.join(REPO_ROOT, "deploy", "nginx", "proxy.conf");

export type NginxProxy = { url: string; stop(): Promise<void> };

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** nginx.conf for `upstreams` (host:port each) behind 127.0.0.1:`port`, everything under `prefix`. */
export function nginxConfig(prefix: string, port: number, upstreams: string[]): string {
  return [
    // as root, worker processes would switch to "nobody", who cannot write the temporary prefix
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
    "worker_processes 1;",
    "daemon off;",
    `pid ${prefix}/nginx.pid;`,
    `error_log ${prefix}/error.log warn;`,
    "events { worker_connections 256; }",
    "http {",
    "  access_log off;",
    ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `  ${kind}_temp_path ${prefix}/${kind}_temp;`),
    "  upstream camxuc {",
    ...upstreams.map((u) => `    server ${u};`),
    "    keepalive 8;",
    "  }",
    "  server {",
    `    listen 127.0.0.1:${port};`,
    `    location / { include ${PROXY_SETTINGS}; }`,
    "  }",
    "}",
    "",
  ].join("\n");
}

export async function startNginx(upstreamUrls: string[]): Promise<NginxProxy> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: install Debian's nginx (apt-get install nginx), as .ci/run and npm test do`);
  const prefix = mkdtempSync(path.join(os.tmpdir(), "camxuc-nginx-"));
  mkdirSync(path.join(prefix, "logs"));
  const port = await freePort();
  const conf = path.join(prefix, "nginx.conf");
  writeFileSync(conf, nginxConfig(prefix, port, upstreamUrls.map((u) => new URL(u).host)));
  const check = spawnSync(NGINX, ["-t", "-q", "-p", prefix, "-c", conf, "-e", path.join(prefix, "error.log")], { encoding: "utf8" });
  if (check.status !== 0) throw new Error(`nginx refuses the generated config:\n${check.stderr}`);
  const child: ChildProcess = spawn(NGINX, ["-p", prefix, "-c", conf, "-e", path.join(prefix, "error.log")], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (const until = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}): ${readFileSync(path.join(prefix, "error.log"), "utf8")}`);
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
    if (Date.now() > until) throw new Error(`nginx did not answer on ${url}`);
  }
  return {
    url,
    async stop() {
      // SIGTERM: fast shutdown (a graceful one would wait for open progress streams)
      if (child.exitCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
