import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { resultsCsv } from "../../scripts/cli/analyseCsv.ts";
import { CSV_BOM, csvRecords } from "../../server/text/csvWriter.ts";

describe("the one CSV writer", () => {
  it("writes CRLF records and neutralises cells a spreadsheet would run as formulas", () => {
    const text = csvRecords([["a", "=1+1"], ["+x", 'say "hi", then -1'], ["@sum", "ok"]]);
    expect(text.split("\r\n")).toHaveLength(4);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(Papa.parse<string[]>(text, { skipEmptyLines: true }).data).toEqual([["a", "'=1+1"], ["'+x", 'say "hi", then -1'], ["'@sum", "ok"]]);
    expect(csvRecords([])).toBe("");
  });

  it("is what the CLI's --out file is written with (it did not escape formulas before)", () => {
    const csv = resultsCsv([{ row: 1, text: '=HYPERLINK("http://x")', label: "neutral", confidence: 0.5, probabilities: { neutral: 0.5 } }], ["neutral"]);
    expect(csv.startsWith(CSV_BOM)).toBe(true);
    const rows = Papa.parse<string[]>(csv.slice(1), { skipEmptyLines: true }).data;
    expect(rows).toEqual([["row", "text", "label", "confidence", "neutral", "language", "not_vietnamese"], ["1", `'=HYPERLINK("http://x")`, "neutral", "0.5000", "0.5000", "", "false"]]);
  });
});
