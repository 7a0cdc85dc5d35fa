import { describe, expect, it } from "vitest";
import { foldForSearch, searchTerms } from "../../server/text/searchFold.ts";
import { formatVietnamTime, vietnamDate, vietnamMidnight } from "#common/time/vietnamTime.ts";

describe("foldForSearch", () => {
  it.each([
    ["Giao hàng nhanh", "giao hang nhanh"],
    ["ĐÓNG GÓI ĐẸP", "dong goi dep"],
    ["Đường đi", "duong di"],
    ["Giao hàng".normalize("NFD"), "giao hang"],
    ["thuở hoà khoẻ", "thuo hoa khoe"],
    ["Ưu đãi ỨNG DỤNG", "uu dai ung dung"],
    ["100% ok_ne 😡", "100% ok_ne 😡"],
  ])("%j → %j", (text, folded) => {
    expect(foldForSearch(text)).toBe(folded);
  });
});

describe("searchTerms", () => {
  it("splits on any whitespace, folds, and drops repeats", () => {
    expect(searchTerms("  Giao\tHÀNG\n giao  ")).toEqual(["giao", "hang"]);
    expect(searchTerms("   ")).toEqual([]);
  });
});

describe("formatVietnamTime", () => {
  it("shows UTC+7 and rolls the date over", () => {
    expect(formatVietnamTime("2026-11-27T09:36:05.000Z")).toBe("27/11/2026 16:36");
    expect(formatVietnamTime("2026-12-31T17:05:00.000Z")).toBe("01/01/2027 00:05");
    expect(vietnamDate(Date.parse("2026-12-31T16:59:00.000Z"))).toBe("2026-12-31");
    expect(vietnamDate(Date.parse("2026-12-31T17:00:00.000Z"))).toBe("2027-01-01");
  });

  it("starts Vietnam's day at 17:00 UTC the day before", () => {
    expect(vietnamMidnight("2027-01-01")).toBe("2026-12-31T17:00:00.000Z");
    expect(vietnamDate(Date.parse(vietnamMidnight("2026-11-27")))).toBe("2026-11-27");
    expect(vietnamDate(Date.parse(vietnamMidnight("2026-11-27")) - 1)).toBe("2026-11-26");
  });
});
