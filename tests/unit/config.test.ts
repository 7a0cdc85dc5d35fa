import { describe, expect, it } from "vitest";
import { defaultInferenceWorkers, loadConfig } from "../../server/config.server.ts";

describe("config", () => {
  it("has documented defaults", () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(7860);
    expect(config.SESSION_TTL_HOURS).toBe(24);
    expect(config.databaseKind).toBe("pglite");
    expect(config.dataDir).toMatch(/data$/);
  });
  it("runs one inference worker per INFERENCE_THREADS cores unless INFERENCE_WORKERS says otherwise", () => {
    expect([defaultInferenceWorkers(2, 2), defaultInferenceWorkers(2, 16), defaultInferenceWorkers(1, 16), defaultInferenceWorkers(4, 2)]).toEqual([1, 8, 16, 1]);
    expect(loadConfig({ INFERENCE_WORKERS: "3" }).INFERENCE_WORKERS).toBe(3);
    expect(loadConfig({ INFERENCE_WORKERS: "" }).INFERENCE_WORKERS).toBe(defaultInferenceWorkers(1));
    expect(() => loadConfig({ INFERENCE_WORKERS: "0" })).toThrow(/^Invalid environment variable INFERENCE_WORKERS="0"/);
  });
  it("keeps one worker for people's requests and runs batch workers at nice 5 unless told otherwise, within 0-19", () => {
    const config = loadConfig({});
    expect([config.INFERENCE_INTERACTIVE_WORKERS, config.INFERENCE_BATCH_NICE]).toEqual([1, 5]);
    expect(loadConfig({ INFERENCE_INTERACTIVE_WORKERS: "0", INFERENCE_BATCH_NICE: "0" })).toMatchObject({ INFERENCE_INTERACTIVE_WORKERS: 0, INFERENCE_BATCH_NICE: 0 });
    expect(() => loadConfig({ INFERENCE_BATCH_NICE: "20" })).toThrow(/^Invalid environment variable INFERENCE_BATCH_NICE="20": must be a nice value, a whole number from 0 \(normal priority\) to 19/);
    expect(() => loadConfig({ INFERENCE_INTERACTIVE_WORKERS: "-1" })).toThrow(/^Invalid environment variable INFERENCE_INTERACTIVE_WORKERS="-1"/);
  });
  it("takes PROCESS_NICE from 0 to 19, and names the range otherwise", () => {
    expect([loadConfig({}).PROCESS_NICE, loadConfig({ PROCESS_NICE: "10" }).PROCESS_NICE]).toEqual([0, 10]);
    for (const value of ["20", "-1", "2.5"]) {
      expect(() => loadConfig({ PROCESS_NICE: value })).toThrow(new RegExp(`^Invalid environment variable PROCESS_NICE="${value}": must be a nice value, a whole number from 0 \\(normal priority\\) to 19`));
    }
  });
  it("takes BATCH_ABANDONED_UPLOAD_MINUTES in fractions down to 0.1, and says why below", () => {
    expect(loadConfig({ BATCH_ABANDONED_UPLOAD_MINUTES: "0.25" }).BATCH_ABANDONED_UPLOAD_MINUTES).toBe(0.25);
    expect(() => loadConfig({ BATCH_ABANDONED_UPLOAD_MINUTES: "0.05" })).toThrow(/BATCH_ABANDONED_UPLOAD_MINUTES="0.05": must be at least 0.1 minutes/);
  });

  it("accepts postgres:// and postgresql:// URLs", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://u@h/db" }).databaseKind).toBe("postgres");
    expect(loadConfig({ DATABASE_URL: "postgresql://u@h/db?sslmode=require" }).databaseKind).toBe("postgres");
  });
  it.each([
    ["PORT", "seventy"],
    ["PORT", "70000"],
    ["DATABASE_URL", "mysql://u@h/db"],
    ["SESSION_TTL_HOURS", "0"],
    ["NODE_ENV", "staging"],
  ])("names the variable when %s=%s is invalid", (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid environment variable ${name}=`));
  });
  it("refuses a history page larger than the largest page the API allows", () => {
    expect(() => loadConfig({ HISTORY_PAGE_SIZE: "50", HISTORY_MAX_PAGE_SIZE: "20" })).toThrow(
      "Invalid environment variable HISTORY_PAGE_SIZE=\"50\": must not exceed HISTORY_MAX_PAGE_SIZE (20)",
    );
  });
  it("refuses a body limit that the largest allowed request would exceed", () => {
    expect(() => loadConfig({ MAX_TEXTS_PER_REQUEST: "1000" })).toThrow(
      /^Invalid environment variable MAX_BODY_BYTES="": must be at least 15065536 \(3 bytes × MAX_TEXT_CHARS × MAX_TEXTS_PER_REQUEST/,
    );
    expect(loadConfig({ MAX_TEXTS_PER_REQUEST: "1000", MAX_BODY_BYTES: "15065536" }).MAX_BODY_BYTES).toBe(15_065_536);
  });
  it("reads the CORS allow-list as origins, off when empty, and refuses anything that is not an origin", () => {
    expect(loadConfig({}).CORS_ORIGINS).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: " https://app.example.com, http://localhost:3000 " }).CORS_ORIGINS).toEqual(["https://app.example.com", "http://localhost:3000"]);
    for (const value of ["https://app.example.com/", "app.example.com", "*"]) {
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/^Invalid environment variable CORS_ORIGINS=.*must be a comma-separated list of origins/);
    }
  });
});
