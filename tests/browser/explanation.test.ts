// A real browser on the home page: an analysed text comes back with its words highlighted (colour plus ▲/▼ and a
// described list, so not colour alone) in Vietnamese and English, and a low-confidence result says "uncertain".
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/testServer.ts";
import { launchChromium } from "../support/chromium.ts";

describe("why-this-label highlights in the browser", () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    server = await startTestServer("pglite", { UNCERTAIN_BELOW: "0.9" }, { withUi: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("highlights the words that decided the label, with a text alternative, in both languages", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    // a text the model is not sure about: occlusion moves a probability that is not saturated near 1
    const text = "Đồ ăn ngon nhưng nhân viên phục vụ chậm.";
    const names = { vi: { negative: "Tiêu cực", neutral: "Trung lập", positive: "Tích cực" }, en: { negative: "Negative", neutral: "Neutral", positive: "Positive" } };
    const directions = { vi: ["ủng hộ", "ngược với"], en: ["supports", "against"] };
    for (const lang of ["vi", "en"] as const) {
      await context.addCookies([{ name: "camxuc_lang", value: lang, url: server.url }]);
      await page.goto(server.url);
      await page.fill("[data-testid=predict-text]", text);
      await page.click("main button[type=submit]");
      await page.waitForSelector("[data-testid=explanation]");
      const label = (await page.getAttribute("[data-testid=predict-result] [data-label]", "data-label")) as keyof (typeof names)["vi"];
      const labelName = names[lang][label];
      // the highlighted words are pieces of the text as typed ...
      const marks = page.locator("[data-testid=explain-word]");
      expect(await marks.count()).toBeGreaterThan(1);
      expect((await page.textContent("[data-testid=explain-text]"))!.replace(/[▲▼]/g, "")).toBe(text);
      // ... and each says in words and with ▲/▼ which way it pushed, matching the sign of its effect
      const described = await marks.evaluateAll((els) => els.map((e) => ({ label: e.getAttribute("aria-label") ?? "", effect: Number(e.getAttribute("data-effect")), text: e.textContent ?? "" })));
      for (const mark of described) {
        const [towards, against] = directions[lang];
        expect(mark.label).toContain(`${mark.effect > 0 ? towards : against} ${labelName}`);
        expect(mark.text.endsWith(mark.effect > 0 ? "▲" : "▼")).toBe(true);
      }
      expect(await page.locator("[data-testid=explain-list] li").count()).toBeGreaterThan(0);
      expect(await page.textContent("[data-testid=explain-list]")).toContain(labelName);
      if (lang === "vi") await page.screenshot({ path: `${process.env.SCREENSHOT_DIR ?? "/tmp"}/explanation-390.png`, fullPage: true });
    }
    await context.close();
  });

  it("shows an uncertain result as uncertain, not as a verdict", async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.fill("[data-testid=predict-text]", "tạm được");
    await page.click("main button[type=submit]");
    await page.waitForSelector("[data-testid=predict-result]");
    expect(await page.locator("[data-testid=predict-label]").count()).toBe(0);
    expect(await page.textContent("[data-testid=predict-uncertain]")).toBe("Không chắc chắn");
    await page.close();
  });
});
