// tests/browser/board.mjs
//    The public board in headless Chromium (Debian's chromium, driven by
//    puppeteer-core): each page given is loaded as a person's browser loads
//    it (style sheet, script, the sale's live long poll), then checked:
//    it answers 200; it declares its language; it has one h1 and a main
//    landmark in Chromium's accessibility tree; it raised no script error
//    and no Content-Security-Policy violation; neither its text nor its
//    HTML holds any of the forbidden strings (a person id, a name, a party
//    id...: one a line in FORBIDDEN_FILE, matched as whole words).
//    A full-page screenshot of each goes to SCREENS/NAME.png.
//
//    env: BOARD_URL (http://127.0.0.1:PORT), PAGES ("NAME=PATH ..."),
//         FORBIDDEN_FILE, SCREENS (folder), CHROMIUM (default /usr/bin/chromium)
//    prints "ok   ..." / "FAIL ..." lines (tests/integration/lib.sh style);
//    exit status: the number of failures.
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const base = process.env.BOARD_URL;
const pages = (process.env.PAGES || '').split(/\s+/).filter(Boolean).map((s) => {
  const i = s.indexOf('=');
  return { name: s.slice(0, i), path: s.slice(i + 1) };
});
const forbidden = fs.readFileSync(process.env.FORBIDDEN_FILE, 'utf8').split('\n').filter((s) => s.trim());
const screens = process.env.SCREENS;
let fails = 0;
const ok = (m) => console.log(`ok   ${m}`);
const bad = (m) => { fails++; console.log(`FAIL ${m}`); };

// whole-word occurrences, as grep -w: no letter, digit or _ on either side
function found(text, word) {
  const esc = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])${esc}($|[^A-Za-z0-9_])`).test(text);
}

function collect(node, role, out) {
  if (!node) return out;
  if (node.role === role) out.push(node);
  for (const c of node.children || []) collect(c, role, out);
  return out;
}

fs.mkdirSync(screens, { recursive: true });
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless=new'],
});
try {
  for (const p of pages) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    const t0 = Date.now();
    const res = await page.goto(base + p.path, { waitUntil: 'load', timeout: 20000 });
    const ms = Date.now() - t0;
    if (!res || res.status() !== 200) { bad(`${p.name}: ${p.path} answered ${res && res.status()}`); await page.close(); continue; }
    await new Promise((r) => setTimeout(r, 300));   // the live script's first poll
    const lang = await page.evaluate(() => document.documentElement.lang);
    if (lang) ok(`${p.name}: <html lang="${lang}">`); else bad(`${p.name}: no lang`);
    const tree = await page.accessibility.snapshot({ interestingOnly: true });
    const h1 = collect(tree, 'heading', []).filter((h) => h.level === 1);
    if (h1.length === 1 && h1[0].name) ok(`${p.name}: one h1 in the accessibility tree ("${h1[0].name.slice(0, 40)}")`);
    else bad(`${p.name}: ${h1.length} h1 headings`);
    if (collect(tree, 'main', []).length === 1) ok(`${p.name}: a main landmark`); else bad(`${p.name}: no main landmark`);
    const unlabelled = collect(tree, 'link', []).filter((l) => !l.name).length;
    if (unlabelled === 0) ok(`${p.name}: every link has a name`); else bad(`${p.name}: ${unlabelled} links without a name`);
    if (errors.length === 0) ok(`${p.name}: no script error or CSP violation`);
    else bad(`${p.name}: errors: ${errors.join(' | ').slice(0, 300)}`);
    const text = await page.evaluate(() => document.body.innerText);
    const html = await page.content();
    const shown = forbidden.filter((f) => found(text, f) || found(html, f));
    if (shown.length === 0) ok(`${p.name}: nothing private in what Chromium shows (${forbidden.length} strings checked)`);
    else bad(`${p.name}: shows ${shown.map((s) => `[${s}]`).join(' ')}`);
    const png = path.join(screens, `${p.name}.png`);
    await page.screenshot({ path: png, fullPage: true });
    ok(`${p.name}: loaded in ${ms} ms, screenshot ${png}`);
    await page.close();
  }
} finally {
  await browser.close();
}
process.exit(fails);
