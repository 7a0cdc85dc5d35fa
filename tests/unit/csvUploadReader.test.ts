import { describe, expect, it } from "vitest";
import { AppError } from "../../server/errors.ts";
import { openCsvUpload, type CsvItem, type CsvLimits } from "../../server/batches/csvUploadReader.server.ts";
import { windows1258 } from "../support/windows1258.ts";

const LIMITS: CsvLimits = { maxBytes: 1_000_000, maxRows: 1_000, maxCellChars: 500 };

/** The bytes in pieces of `size`, as a network upload arrives. */
async function* chunked(bytes: Uint8Array, size = 7): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const utf8 = (text: string) => new TextEncoder().encode(text);

function utf16(text: string, endian: "le" | "be", bom: boolean): Uint8Array {
  const body = Buffer.from(text, "utf16le");
  if (endian === "be") body.swap16();
  const mark = endian === "le" ? [0xff, 0xfe] : [0xfe, 0xff];
  return new Uint8Array([...(bom ? mark : []), ...body]);
}

async function readAll(bytes: Uint8Array, textColumn?: string, limits = LIMITS, chunkSize = 7) {
  const upload = await openCsvUpload(chunked(bytes, chunkSize), limits, textColumn);
  const items: CsvItem[] = [];
  for await (const item of upload.items()) items.push(item);
  const rows = items.filter((i) => i.kind === "row");
  const skipped = items.filter((i) => i.kind === "skipped");
  return { upload, rows, skipped };
}

async function refusal(bytes: Uint8Array, limits = LIMITS): Promise<AppError> {
  try {
    await readAll(bytes, undefined, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("the file was accepted");
}

const REVIEWS = "id,review,stars\n1,Sản phẩm rất tốt giao hàng nhanh,5\n2,Hàng kém chất lượng quá,1\n3,Bình thường không có gì đặc biệt,3\n";

describe("reading an uploaded CSV", () => {
  it("reads UTF-8 with a header and guesses the Vietnamese text column", async () => {
    const { upload, rows, skipped } = await readAll(utf8(REVIEWS));
    expect(upload.format).toEqual({ encoding: "utf-8", bom: false, delimiter: ",", hasHeader: true });
    expect(upload.columns).toEqual(["id", "review", "stars"]);
    expect(upload.guessedTextColumn).toBe("review");
    expect(rows.map((r) => r.kind === "row" && r.rowNumber)).toEqual([1, 2, 3]);
    expect(rows[1]).toMatchObject({ cells: ["2", "Hàng kém chất lượng quá", "1"] });
    expect(skipped).toEqual([]);
  });

  it("drops a UTF-8 byte-order mark", async () => {
    const { upload } = await readAll(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(REVIEWS)]));
    expect(upload.format.bom).toBe(true);
    expect(upload.columns[0]).toBe("id");
  });

  it.each([
    ["le", true],
    ["be", true],
    ["le", false],
    ["be", false],
  ] as const)("reads UTF-16 %s (BOM %s)", async (endian, bom) => {
    const { upload, rows } = await readAll(utf16(REVIEWS, endian, bom));
    expect(upload.format.encoding).toBe(`utf-16${endian}`);
    expect(upload.columns).toEqual(["id", "review", "stars"]);
    expect(rows[0]).toMatchObject({ cells: ["1", "Sản phẩm rất tốt giao hàng nhanh", "5"] });
  });

  it("decodes Windows-1258 (tone marks as combining characters) into NFC text", async () => {
    const bytes = windows1258(REVIEWS);
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(bytes)).toThrow();
    const { upload, rows } = await readAll(bytes);
    expect(upload.format.encoding).toBe("windows-1258");
    expect(rows[0]).toMatchObject({ cells: ["1", "Sản phẩm rất tốt giao hàng nhanh", "5"] });
  });

  describe("a UTF-8 file with one damaged byte (issue 25, item 8)", () => {
    const SENTENCES = ["Giảng viên dạy rất nhiệt tình và dễ hiểu", "Phòng học nóng và máy chiếu hay bị hỏng", "Bài tập nhiều nhưng giúp em hiểu bài hơn", "Thầy chấm điểm công bằng và đúng hạn"];
    /** A UIT-VSFC-like file of `rows` rows with 0xFF put into the row holding byte `at`; the row and offset come back. */
    function damaged(rows: number, at: number) {
      const lines = ["sentence,sentiment,topic"];
      for (let i = 0; i < rows; i++) lines.push(`${SENTENCES[i % SENTENCES.length]} (${i + 1}),${i % 3},${i % 4}`);
      const bytes = Buffer.from(lines.join("\n") + "\n", "utf8");
      // the first byte of the line holding `at`: a damaged letter at the start of its sentence
      const lineStart = bytes.lastIndexOf(0x0a, at) + 1;
      bytes[lineStart] = 0xff;
      const row = bytes.subarray(0, lineStart).filter((b) => b === 0x0a).length; // header excluded: line k (from 0) is row k
      return { bytes: new Uint8Array(bytes), row, offset: lineStart };
    }
    const limits = { ...LIMITS, maxRows: 20_000 };

    it.each([
      ["the damaged byte inside the first 64 KB read (one large chunk)", 1 << 20],
      ["the damaged byte after them (4 KB chunks)", 4096],
      ["7-byte chunks, letters cut between them", 7],
    ])("keeps UTF-8 and skips only the row with the bad byte, naming it and its offset: %s", async (_, chunkSize) => {
      const { bytes, row, offset } = damaged(11_000, 70_000);
      expect(offset).toBeGreaterThan(65_536 + 1_000);
      const { upload, rows, skipped } = await readAll(bytes, undefined, limits, chunkSize);
      expect(upload.format.encoding).toBe("utf-8");
      expect(upload.columns).toEqual(["sentence", "sentiment", "topic"]);
      expect(skipped).toEqual([{ kind: "skipped", row, reason: "invalidUtf8", offset, message: expect.stringContaining(`byte ${offset}`) }]);
      expect(rows).toHaveLength(10_999);
      expect(rows[0]).toMatchObject({ rowNumber: 1, cells: ["Giảng viên dạy rất nhiệt tình và dễ hiểu (1)", "0", "0"] });
      expect(rows.at(-1)).toMatchObject({ rowNumber: 11_000, cells: ["Thầy chấm điểm công bằng và đúng hạn (11000)", "1", "3"] });
      expect(rows.every((r) => r.kind === "row" && !r.cells[0]!.includes("\ufffd"))).toBe(true);
    });

    it("keeps rows holding U+FFFD of their own and still finds the bad byte after 10,000 of them", async () => {
      const lines = ["sentence,sentiment"];
      for (let i = 0; i < 10_000; i++) lines.push(`${SENTENCES[i % SENTENCES.length]} \ufffd (${i + 1}),${i % 3}`);
      const bytes = Buffer.from(lines.join("\n") + "\n", "utf8");
      const lineStart = bytes.lastIndexOf(0x0a, bytes.length - 200) + 1;
      bytes[lineStart] = 0xff;
      const { upload, rows, skipped } = await readAll(new Uint8Array(bytes), undefined, limits, 4096);
      expect(upload.format.encoding).toBe("utf-8");
      expect(skipped).toMatchObject([{ reason: "invalidUtf8", offset: lineStart }]);
      expect(rows).toHaveLength(9_999);
      expect(rows.every((r) => r.kind === "row" && r.cells[0]!.includes("\ufffd"))).toBe(true);
    });

    it("skips a damaged row inside the sample too, and leaves it out of the preview", async () => {
      const { bytes, row, offset } = damaged(300, 40);
      const { upload, rows, skipped } = await readAll(bytes, undefined, limits, 1 << 20);
      expect(upload.format.encoding).toBe("utf-8");
      expect(row).toBe(1);
      expect(upload.preview[0]![0]).toContain("(2)");
      expect(skipped).toMatchObject([{ row: 1, reason: "invalidUtf8", offset }]);
      expect(rows).toHaveLength(299);
    });

    it("keeps a U+FFFD the file itself holds (valid UTF-8), and still reads a genuine Windows-1258 file larger than the sample", async () => {
      const { rows, skipped } = await readAll(utf8("id,review\n1,Rất tốt \ufffd\n2,Tệ quá\n"));
      expect(skipped).toEqual([]);
      expect(rows[0]).toMatchObject({ cells: ["1", "Rất tốt \ufffd"] });

      const text = "id,review\n" + Array.from({ length: 3_000 }, (_, i) => `${i + 1},${SENTENCES[i % SENTENCES.length]}\n`).join("");
      const legacy = windows1258(text);
      expect(legacy.length).toBeGreaterThan(65_536);
      const read = await readAll(legacy, undefined, limits, 4096);
      expect(read.upload.format.encoding).toBe("windows-1258");
      expect(read.skipped).toEqual([]);
      expect(read.rows).toHaveLength(3_000);
      expect(read.rows[2_999]).toMatchObject({ cells: ["3000", SENTENCES[2_999 % SENTENCES.length]] });
    });
  });

  it("detects semicolons and tabs", async () => {
    for (const delimiter of [";", "\t"]) {
      const { upload, rows } = await readAll(utf8(REVIEWS.replaceAll(",", delimiter)));
      expect(upload.format.delimiter).toBe(delimiter);
      expect(rows).toHaveLength(3);
    }
  });

  it("keeps quoted newlines, quotes and delimiters inside a cell", async () => {
    const { rows } = await readAll(utf8('id,review\n1,"Dòng một\nDòng hai, có ""trích dẫn"""\n2,Tốt lắm\n'));
    expect(rows[0]).toMatchObject({ rowNumber: 1, cells: ["1", 'Dòng một\nDòng hai, có "trích dẫn"'] });
    expect(rows[1]).toMatchObject({ rowNumber: 2 });
  });

  it("skips ragged rows, over-long cells and empty texts with their row numbers, and goes on", async () => {
    const long = "dài ".repeat(200);
    const { rows, skipped } = await readAll(utf8(`id,review\n1,Rất tốt\n2,thiếu,thừa,cột\n3,${long}\n4,\n5,Tệ quá\n6,Ổn,\n`));
    expect(rows.map((r) => r.kind === "row" && r.rowNumber)).toEqual([1, 5, 6]);
    expect(skipped).toMatchObject([
      { row: 2, reason: "ragged" },
      { row: 3, reason: "cellTooLong" },
      { row: 4, reason: "emptyText" },
    ]);
    expect(skipped[1]!.kind === "skipped" && skipped[1]!.message).toContain("limit is 500");
  });

  it("skips a text cell of only invisible characters (zero-width space, joiner, BOM) as empty, the rule a single prediction uses", async () => {
    const { rows, skipped } = await readAll(utf8(`id,review\n1,Rất tốt\n2,\u200b\u200d\ufeff\n3,\u00a0\u3164\n4,Tệ quá\n`));
    expect(rows.map((r) => r.kind === "row" && r.rowNumber)).toEqual([1, 4]);
    expect(skipped).toMatchObject([
      { row: 2, reason: "emptyText" },
      { row: 3, reason: "emptyText" },
    ]);
  });

  it("reads a file without a header, naming its columns", async () => {
    const { upload, rows } = await readAll(utf8("1,Sản phẩm rất tốt giao hàng nhanh chóng và đóng gói cẩn thận\n2,Hàng kém chất lượng và giao sai màu\n"));
    expect(upload.format.hasHeader).toBe(false);
    expect(upload.columns).toEqual(["column_1", "column_2"]);
    expect(upload.guessedTextColumn).toBe("column_2");
    expect(rows).toHaveLength(2);
  });

  it("takes the text column the caller names, and says which exist when it is missing", async () => {
    const { upload } = await readAll(utf8(REVIEWS), "STARS");
    expect(upload.columns[upload.textColumnIndex]).toBe("stars");
    await expect(openCsvUpload(chunked(utf8(REVIEWS)), LIMITS, "comment")).rejects.toMatchObject({ messageKey: "batch.textColumnMissing", message: expect.stringContaining("id, review, stars") });
  });

  it("refuses empty, header-only and text-less files", async () => {
    expect((await refusal(new Uint8Array())).messageKey).toBe("batch.fileEmpty");
    expect((await refusal(utf8("\n\n  \n"))).messageKey).toBe("batch.fileEmpty");
    expect((await refusal(utf8("id,review,stars\n"))).messageKey).toBe("batch.fileHeaderOnly");
    expect((await refusal(utf8("id,amount\n1,20\n2,30\n"))).messageKey).toBe("batch.noTextColumn");
  });

  it("refuses xlsx/zip, old xls and other binaries with 'save as CSV'", async () => {
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0, 6, 0, ...utf8("[Content_Types].xml")]);
    const xlsError = await refusal(zip);
    expect(xlsError.messageKey).toBe("batch.fileNotCsvSpreadsheet");
    expect(xlsError.message).toContain("save it as CSV");
    expect((await refusal(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).messageKey).toBe("batch.fileNotCsvSpreadsheet");
    const random = new Uint8Array(2048).map((_, i) => (i * 7919) % 256);
    expect((await refusal(random)).messageKey).toBe("batch.fileBinary");
  });

  it("refuses a file over the byte limit as soon as it is crossed, naming the limit", async () => {
    const big = utf8("id,review\n" + "1,Sản phẩm tốt\n".repeat(100_000));
    let pulled = 0;
    async function* counting() {
      for await (const chunk of chunked(big, 4096)) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    const limits = { ...LIMITS, maxBytes: 100_000, maxRows: 1_000_000 };
    const error = await (async () => {
      try {
        const upload = await openCsvUpload(counting(), limits);
        for await (const _ of upload.items());
      } catch (e) {
        return e as AppError;
      }
      return null;
    })();
    expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", messageKey: "batch.fileTooLarge", message: expect.stringMatching(/100000 bytes.*0\.1 MB/) });
    expect(pulled).toBeLessThan(100_000 + 4096 + 1);
  });

  it("refuses a file over the row limit, naming the limit", async () => {
    const error = await refusal(utf8("id,review\n" + "1,Tốt\n".repeat(30)), { ...LIMITS, maxRows: 20 });
    expect(error).toMatchObject({ messageKey: "batch.tooManyRows", message: expect.stringContaining("20") });
  });
});
