// deploy/compose.yaml parses and holds what several instances need: one PostgreSQL for all, TRUST_PROXY=1 behind
// nginx, replicas, and nginx files that exist and include the proxy settings the multi-instance test uses.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../../server/repoPaths.ts";

const DEPLOY = path.join(REPO_ROOT, "deploy");
type Service = { image?: string; build?: { context: string; dockerfile: string }; environment?: Record<string, string>; volumes?: string[]; depends_on?: unknown; deploy?: { replicas?: unknown }; ports?: string[] };
const compose = parse(readFileSync(path.join(DEPLOY, "compose.yaml"), "utf8")) as { services: Record<string, Service>; volumes?: Record<string, unknown> };

describe("deploy/compose.yaml", () => {
  it("has PostgreSQL, the app and nginx, and a batch-only instance that runs only when asked for", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "batch", "nginx", "postgres"]);
    expect(compose.services.batch!.deploy?.replicas).toBe("${BATCH_REPLICAS:-0}");
  });

  it("split: the replicas can leave batches to the batch-only instance, which runs at a lower priority on the same database", () => {
    const app = compose.services.app!;
    const batch = compose.services.batch!;
    expect(app.environment?.BATCH_WORKER_ENABLED).toBe("${APP_BATCH_WORKER:-true}");
    expect(batch.image).toBe(app.image);
    expect(batch.environment).toMatchObject({ DATABASE_URL: app.environment!.DATABASE_URL, BATCH_WORKER_ENABLED: "true", PROCESS_NICE: "10" });
    expect(batch.depends_on).toEqual(app.depends_on);
    expect(batch.ports).toBeUndefined();
  });

  it("runs N replicas of the project's image, all on the one PostgreSQL, trusting one proxy hop", () => {
    const app = compose.services.app!;
    expect(existsSync(path.join(DEPLOY, app.build!.context, app.build!.dockerfile))).toBe(true);
    expect(app.deploy?.replicas).toBe("${APP_REPLICAS:-2}");
    expect(app.environment?.DATABASE_URL).toMatch(/^postgresql:\/\/camxuc:\$\{POSTGRES_PASSWORD\}@postgres:5432\/camxuc$/);
    expect(app.environment?.TRUST_PROXY).toBe("1");
    expect(app.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(app.ports).toBeUndefined();
  });

  it("mounts nginx files that exist; the template includes the shipped proxy settings for the app replicas", () => {
    const nginx = compose.services.nginx!;
    const mounts: Record<string, string> = Object.fromEntries(nginx.volumes!.map((v) => v.split(":")).map(([from, to]) => [to!, path.join(DEPLOY, from!)]));
    for (const file of Object.values(mounts)) expect(existsSync(file)).toBe(true);
    const template = readFileSync(mounts["/etc/nginx/templates/default.conf.template"]!, "utf8");
    expect(template).toMatch(/server app:7860 resolve;/);
    expect(template).toContain("include /etc/nginx/camxuc-proxy.conf;");
    expect(mounts["/etc/nginx/camxuc-proxy.conf"]).toBe(path.join(DEPLOY, "nginx", "proxy.conf"));
    const proxy = readFileSync(mounts["/etc/nginx/camxuc-proxy.conf"]!, "utf8");
    for (const directive of ["proxy_pass http://camxuc;", "proxy_buffering off;", "proxy_read_timeout 1h;", "X-Forwarded-For $proxy_add_x_forwarded_for;", "X-Forwarded-Proto $scheme;"]) {
      expect(proxy).toContain(directive);
    }
  });
});
