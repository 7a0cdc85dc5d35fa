// Vietnamese chat slang and abbreviations written out in full, for counting words and for search: "ko đc"
// and "không được" are the same words to a reader. Replaces whole tokens only, case kept for a capital.

/** Lower-case token -> what it stands for. Ambiguous short forms (e.g. "m", "t": mày/tao or mét/tấn) are left out. */
export const SLANG: Readonly<Record<string, string>> = {
  ko: "không", k: "không", kh: "không", hok: "không", hông: "không", khong: "không", kg: "không", hem: "không", hk: "không", kô: "không", khôg: "không",
  đc: "được", dc: "được", đươc: "được", dk: "được", đk: "được",
  sp: "sản phẩm", sđt: "số điện thoại", đt: "điện thoại", dt: "điện thoại",
  ship: "giao hàng", shipper: "người giao hàng",
  nv: "nhân viên", ks: "khách sạn",
  vs: "với", mn: "mọi người", mng: "mọi người", mk: "mình", mik: "mình",
  j: "gì", ji: "gì", z: "vậy", v: "vậy", zậy: "vậy", dzậy: "vậy",
  r: "rồi", rùi: "rồi", roài: "rồi",
  bt: "bình thường", bth: "bình thường", bthg: "bình thường",
  nch: "nói chung", ntn: "như thế nào", cx: "cũng", cũg: "cũng",
  qá: "quá", wá: "quá",
  lun: "luôn", thik: "thích", thjk: "thích", iu: "yêu",
  tks: "cảm ơn", thanks: "cảm ơn", thank: "cảm ơn", cám: "cảm",
  ok: "ok", oke: "ok", okie: "ok", oki: "ok",
  trc: "trước", ngta: "người ta", ng: "người", bn: "bao nhiêu",
};

const TOKEN = /[\p{L}\p{N}]+/gu;

/** The text with every slang token replaced (NFC in, NFC out). */
export function normalizeSlang(text: string): string {
  return text.normalize("NFC").replace(TOKEN, (token) => {
    const lower = token.toLowerCase();
    const full = SLANG[lower];
    if (full === undefined || full === lower) return token;
    return token[0] !== lower[0] ? full[0]!.toUpperCase() + full.slice(1) : full;
  });
}
