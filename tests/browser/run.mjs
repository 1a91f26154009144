// Hepatica browser checks: every page in headless Chromium, with axe-core
// (WCAG 2.0/2.1/2.2 A and AA, plus best practice), keyboard-only use of the
// questionnaire, visible focus, reflow at 320 px, the results page with and
// without JavaScript, print view, feedback, and screenshots at 390 and 1280 px.
// Usage: HEPATICA_URL=http://127.0.0.1:PORT node run.mjs  (scripts/browser-test.sh does it all).
import { chromium } from "playwright-core";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.HEPATICA_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
const SHOTS = process.env.SCREENSHOT_DIR || join(here, "..", "..", "target", "screenshots");
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
mkdirSync(SHOTS, { recursive: true });

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(e && e.message ? e.message : e).split("\n").join("\n     ")}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// Pages to visit: fixed ones plus a few discovered from the site itself.
async function discover() {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`${BASE}/drugs`);
  const drug = await page.$eval("main ul li a[href^='/drugs/']", (a) => a.getAttribute("href")).catch(() => null);
  await page.goto(`${BASE}/treatments`);
  const treatments = await page.$$eval("main a[href^='/treatments/']", (as) => as.map((a) => a.getAttribute("href")));
  await ctx.close();
  const pages = ["/", "/check", "/clinician", "/treatments", ...treatments, "/glossary", "/drugs", "/drugs?q=folfx", "/ask", "/ask?q=can+the+liver+grow+back", "/questions", "/about", "/support", "/no-such-page"];
  if (drug) pages.push(drug);
  return [...new Set(pages)];
}

function slug(path) {
  return (path === "/" ? "home" : path.replace(/^\//, "").replace(/[^a-z0-9]+/gi, "-").replace(/-$/, "")) || "home";
}

function watchErrors(page) {
  const errors = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !/404 \(Not Found\)|422 \(Unprocessable/.test(m.text())) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(BASE) && !r.url().startsWith("data:")) errors.push(`third-party request: ${r.url()}`);
  });
  return errors;
}

async function axe(page) {
  await page.evaluate(AXE);
  const res = await page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  }, TAGS);
  assert(res.length === 0, `axe violations:\n${res.join("\n")}`);
}

async function noHorizontalScroll(page) {
  const r = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, w: window.innerWidth }));
  assert(r.sw <= r.w, `horizontal scroll at ${r.w}px: content is ${r.sw}px wide`);
}

async function checkPage(path, ctxs) {
  const name = slug(path);
  for (const [label, ctx] of ctxs) {
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await check(`${path} [${label}] loads, one h1, axe clean`, async () => {
      const res = await page.goto(`${BASE}${path}`);
      const want = path === "/no-such-page" ? 404 : 200;
      assert(res.status() === want, `status ${res.status()}`);
      assert((await page.locator("h1").count()) === 1, "expected exactly one h1");
      assert((await page.getAttribute("html", "lang")) === "en-GB", "lang");
      await axe(page);
      await page.screenshot({ path: join(SHOTS, `${name}-${label}.png`), fullPage: true });
      assert(errors.length === 0, `console/CSP/network errors: ${errors.join("; ")}`);
    });
    await page.close();
  }
}

async function reflow(paths) {
  const ctx = await browser.newContext({ viewport: { width: 320, height: 720 } });
  const page = await ctx.newPage();
  await check("reflow: no horizontal scroll at 320px on every page", async () => {
    const bad = [];
    for (const p of paths) {
      await page.goto(`${BASE}${p}`);
      try {
        await noHorizontalScroll(page);
      } catch (e) {
        bad.push(`${p}: ${e.message}`);
      }
    }
    assert(bad.length === 0, bad.join("\n"));
  });
  await ctx.close();
}

async function fillForm(page) {
  await page.check("#f-for-carer");
  await page.check("#f-primary-site-bowel");
  await page.check("#f-bowel-side-left");
  await page.fill("#f-liver-tumour-count", "2");
  await page.fill("#f-liver-largest-tumour-cm", "2.5");
  await page.check("#f-liver-both-lobes-false");
  await page.check("#f-liver-all-removable-true");
  await page.check("#f-spread-elsewhere-none");
  await page.check("#f-performance-status-1");
  await page.check("#f-chemotherapy-history-none");
}

async function resultsFlow(js) {
  const label = js ? "js" : "nojs";
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: js });
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await check(`results page via the form [${label}]`, async () => {
    await page.goto(`${BASE}/check`);
    await fillForm(page);
    const [res] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit].start")]);
    assert(res.status() === 200, `status ${res.status()}`);
    assert(new URL(page.url()).pathname === "/results" && !page.url().includes("?"), `no case data in URL: ${page.url()}`);
    const h1 = await page.textContent("h1");
    assert(/their care team/.test(h1), `carer wording in h1: ${h1}`);
    const opts = await page.$$eval("article.option", (as) => as.map((a) => a.querySelector("h3").id));
    assert(opts.length === 9, `nine options, got ${opts.length}: ${opts}`);
    if (js) await axe(page); // axe itself needs JavaScript; the markup is the same either way
    await page.screenshot({ path: join(SHOTS, `results-desktop-${label}.png`), fullPage: true });
    const printVisible = await page.isVisible(".js-print");
    assert(printVisible === js, `print button visible only with JavaScript (visible=${printVisible})`);
    assert(errors.length === 0, `errors: ${errors.join("; ")}`);
  });
  if (js) {
    await check("results print view hides navigation", async () => {
      await page.emulateMedia({ media: "print" });
      assert(!(await page.isVisible(".site-nav")), "nav hidden in print");
      assert(!(await page.isVisible(".feedback")), "feedback hidden in print");
      await page.screenshot({ path: join(SHOTS, "results-print.png"), fullPage: true });
      await page.emulateMedia({ media: "screen" });
    });
    await check("change your answers refills the form", async () => {
      await Promise.all([page.waitForNavigation(), page.click("text=Change the answers")]);
      assert(await page.isChecked("#f-primary-site-bowel"), "bowel still chosen");
      assert((await page.inputValue("#f-liver-tumour-count")) === "2", "tumour count kept");
    });
  }
  await ctx.close();
  const m = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: js, isMobile: true, hasTouch: true });
  const mp = await m.newPage();
  await check(`results page on mobile [${label}]`, async () => {
    await mp.goto(`${BASE}/check`);
    await fillForm(mp);
    await Promise.all([mp.waitForNavigation(), mp.click("button[type=submit].start")]);
    if (js) {
      await axe(mp);
      await noHorizontalScroll(mp);
    }
    await mp.screenshot({ path: join(SHOTS, `results-mobile-${label}.png`), fullPage: true });
  });
  await m.close();
}

async function errorFlow() {
  for (const js of [true, false]) {
    const label = js ? "js" : "nojs";
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: js });
    const page = await ctx.newPage();
    await check(`invalid answers re-render the form with linked errors (422) [${label}]`, async () => {
      await page.goto(`${BASE}/check`);
      await page.fill("#f-liver-tumour-count", "lots");
      const [res] = await Promise.all([page.waitForNavigation(), page.click("button[type=submit].start")]);
      assert(res.status() === 422, `status ${res.status()}`);
      assert((await page.title()).startsWith("Error:"), "title starts with Error:");
      const links = await page.$$eval(".error-summary a", (as) => as.map((a) => a.getAttribute("href")));
      assert(links.includes("#f-primary-site-bowel") && links.includes("#f-liver-tumour-count"), `links: ${links}`);
      if (js) {
        const focused = await page.evaluate(() => document.activeElement.classList.contains("error-summary"));
        assert(focused, "error summary focused");
      }
      await page.click(".error-summary a[href='#f-liver-tumour-count']");
      if (js) await axe(page);
      await page.screenshot({ path: join(SHOTS, `check-errors-${label}.png`), fullPage: false });
    });
    await ctx.close();
  }
}

async function keyboardFlow() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  await check("keyboard only: skip link, visible focus, questionnaire to results", async () => {
    await page.goto(`${BASE}/check`);
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => ({ cls: document.activeElement.className, text: document.activeElement.textContent }));
    assert(first.cls === "skip", `first Tab lands on the skip link, got ${JSON.stringify(first)}`);
    const skipVisible = await page.evaluate(() => {
      const r = document.activeElement.getBoundingClientRect();
      return r.left >= 0 && r.top >= 0 && r.width > 0;
    });
    assert(skipVisible, "skip link visible when focused");
    let chosen = false;
    let submitted = false;
    for (let i = 0; i < 400 && !submitted; i++) {
      await page.keyboard.press("Tab");
      const info = await page.evaluate(() => {
        const el = document.activeElement;
        const s = getComputedStyle(el);
        const r = el.getBoundingClientRect();
        const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 && s.outlineColor !== "rgba(0, 0, 0, 0)";
        return {
          id: el.id, tag: el.tagName, type: el.type || "", cls: el.className,
          visibleFocus: outline || (s.boxShadow && s.boxShadow !== "none"),
          inView: r.bottom > 0 && r.top < window.innerHeight && r.width > 0,
        };
      });
      assert(info.visibleFocus, `no visible focus on ${info.tag}#${info.id}.${info.cls}`);
      assert(info.inView, `focused element not in view: ${info.tag}#${info.id}`);
      if (info.id === "f-primary-site-bowel" && !chosen) {
        await page.keyboard.press("Space");
        chosen = true;
      }
      if (info.tag === "BUTTON" && info.cls.includes("start")) {
        const [res] = await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
        assert(res.status() === 200, `results status ${res.status()}`);
        submitted = true;
      }
    }
    assert(chosen, "reached the primary site question by keyboard");
    assert(submitted, "reached and pressed the submit button by keyboard");
    assert((await page.$$("article.option")).length === 9, "nine options after keyboard submit");
  });
  await ctx.close();
}

async function feedbackFlow() {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const page = await ctx.newPage();
  await check("feedback: yes on a page stores and thanks", async () => {
    await page.goto(`${BASE}/about`);
    await Promise.all([page.waitForNavigation(), page.click(".feedback button[value=yes]")]);
    assert(new URL(page.url()).pathname === "/about", `back on the page: ${page.url()}`);
    assert(await page.isVisible("text=Thank you"), "thank-you message");
  });
  await ctx.close();
  const ctx2 = await browser.newContext();
  const p2 = await ctx2.newPage();
  await check("feedback thank-you page is axe clean", async () => {
    await p2.goto(`${BASE}/about?feedback=thanks`);
    await axe(p2);
  });
  await ctx2.close();
}

async function targetSizes() {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  await check("target size: controls at least 24x24 px", async () => {
    const bad = [];
    for (const p of ["/", "/check", "/clinician", "/drugs"]) {
      await page.goto(`${BASE}${p}`);
      const small = await page.$$eval("button, input[type=radio], input[type=checkbox], input[type=text], input[type=search], select, nav a", (els) =>
        els.filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.width < 24 || r.height < 24); }).map((e) => `${e.tagName}#${e.id}`));
      if (small.length) bad.push(`${p}: ${small.slice(0, 5).join(", ")}`);
    }
    assert(bad.length === 0, bad.join("\n"));
  });
  await ctx.close();
}

try {
  const paths = await discover();
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const mobile = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  for (const p of paths) await checkPage(p, [["desktop", desktop], ["mobile", mobile]]);
  await desktop.close();
  await mobile.close();
  const nojs = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  await check("pages render with JavaScript off", async () => {
    const page = await nojs.newPage();
    for (const p of ["/", "/check", "/treatments/surgery", "/drugs", "/ask?q=ablation"]) {
      const res = await page.goto(`${BASE}${p}`);
      assert(res.status() === 200 && (await page.locator("h1").count()) === 1, p);
    }
  });
  await nojs.close();
  await reflow([...paths.filter((p) => p !== "/no-such-page")]);
  await resultsFlow(true);
  await resultsFlow(false);
  await errorFlow();
  await keyboardFlow();
  await feedbackFlow();
  await targetSizes();
} catch (e) {
  failed++;
  console.log(`FAIL harness: ${e.stack || e}`);
} finally {
  await browser.close();
}
console.log(`screenshots in ${SHOTS}`);
console.log(`browser: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
