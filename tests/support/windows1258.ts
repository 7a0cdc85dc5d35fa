// Text encoded as Vietnamese Excel writes it (Windows-1258), for tests of the upload reader and the batch page.

/** Windows-1258 bytes, built from the decoder's own table: precomposed where the code page has it, else base + tone mark. */
export function windows1258(text: string): Uint8Array {
  const decoder = new TextDecoder("windows-1258");
  const table = new Map<string, number>();
  for (let b = 0; b < 256; b++) table.set(decoder.decode(new Uint8Array([b])), b);
  const out: number[] = [];
  for (const ch of text.normalize("NFC")) {
    if (table.has(ch)) {
      out.push(table.get(ch)!);
      continue;
    }
    const [base, ...marks] = [...ch.normalize("NFD")];
    // the vowel mark (ă â ê ô ơ ư) is precomposed, the tone mark follows as a combining byte
    const vowel = marks.find((m) => table.has((base! + m).normalize("NFC")));
    if (vowel) out.push(table.get((base! + vowel).normalize("NFC"))!, ...marks.filter((m) => m !== vowel).map((m) => table.get(m)!));
    else out.push(table.get(base!)!, ...marks.map((m) => table.get(m)!));
  }
  if (out.some((b) => b === undefined)) throw new Error("not encodable in windows-1258");
  return new Uint8Array(out);
}
