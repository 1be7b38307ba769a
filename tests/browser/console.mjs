// tests/browser/console.mjs
//    `ebid console` (tools/console.c) in headless Chromium (Debian's
//    chromium, driven by puppeteer-core), run by
//    tests/integration/test_console.sh once a tender's committee is drawn:
//      a browser with no session gets 403 from a console;
//      each expert opens the one-time URL of its own console (redirected
//      to a clean URL, the token gone), opens the tender by its number,
//      accepts the appointment on the duties form, and (the first one) sees
//      a score off the criterion's step refused in the form with the
//      server's message as it types (written to STEP_MSG_FILE for the
//      script to compare with what ebidd answers the CLI); then scores
//      every valid bid on every criterion and submits the signed sheet;
//      a refused action (accepting the appointment a second time) shows
//      the server's message and hint: the hint in Chinese on the Chinese
//      desk (tools/console/strings.xml <h en= zh=>, the English in
//      title=), in English with ?lang=en; the sheet check's hint the same;
//      the supervisor closes the evaluation from its inbox (duties form);
//      each expert signs the committee report, the first with a dissent.
//    Measured on the first expert's scoring page: page weight (bytes of
//    HTML+CSS+JS) and time to first render (first-contentful-paint);
//    checked from Chromium's accessibility tree: lang, one h1, a main
//    landmark, every text box and button named, headings in order.
//    Screenshots: SCREENS/console-*.png.
//
//    env: CONSOLES ("expert1=URL expert3=URL ..."), SUPERVISOR (its URL),
//         TENDER, STEP_MSG_FILE, SCREENS, CHROMIUM (default /usr/bin/chromium)
//    prints "ok   ..." / "FAIL ..." / "metric ..." lines; exit status: the
//    number of failures.
import fs from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { hintOf, hintZhOk, hintEnOk, postCmd } from './hints.mjs';

const consoles = (process.env.CONSOLES || '').split(/\s+/).filter(Boolean).map((s) => {
  const i = s.indexOf('=');
  return { name: s.slice(0, i), url: s.slice(i + 1) };
});
const tender = process.env.TENDER;
const screens = process.env.SCREENS;
let fails = 0;
const ok = (m) => console.log(`ok   ${m}`);
const bad = (m) => { fails++; console.log(`FAIL ${m}`); };
const metric = (m) => console.log(`metric ${m}`);
const shot = (page, name) => page.screenshot({ path: path.join(screens, `console-${name}.png`), fullPage: true });

function collect(node, pred, out) {
  if (!node) return out;
  if (pred(node)) out.push(node);
  for (const c of node.children || []) collect(c, pred, out);
  return out;
}

async function a11y(page, name) {
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (lang) ok(`${name}: <html lang="${lang}">`); else bad(`${name}: no lang`);
  const tree = await page.accessibility.snapshot({ interestingOnly: true });
  const heads = collect(tree, (n) => n.role === 'heading', []);
  const h1 = heads.filter((h) => h.level === 1);
  if (h1.length === 1 && h1[0].name) ok(`${name}: one h1 ("${h1[0].name.slice(0, 40)}")`); else bad(`${name}: ${h1.length} h1`);
  let prev = 0, skip = false;
  for (const h of heads) { if (h.level > prev + 1) skip = true; prev = h.level; }
  if (!skip) ok(`${name}: ${heads.length} headings, no level skipped`); else bad(`${name}: a heading level is skipped`);
  if (collect(tree, (n) => n.role === 'main', []).length === 1) ok(`${name}: a main landmark`); else bad(`${name}: no main landmark`);
  const fields = collect(tree, (n) => ['textbox', 'spinbutton', 'combobox', 'button', 'link'].includes(n.role), []);
  const unnamed = fields.filter((n) => !n.name || !n.name.trim());
  if (unnamed.length === 0) ok(`${name}: all ${fields.length} text boxes, buttons and links have a name (labels)`);
  else bad(`${name}: ${unnamed.length} unnamed: ${unnamed.map((n) => n.role).join(',')}`);
}

async function flash(page) {
  return page.evaluate(() => {
    const f = document.getElementById('flash');
    // the text as shown, plus the engine's tokens (title attributes)
    return f ? { kind: f.className, text: f.innerText + ' ' + [...f.querySelectorAll('[data-token]')].map((t) => t.dataset.token).join(' ') } : null;
  });
}

async function clickIn(page, selector) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

async function openTender(page, c) {
  await page.type('#open-id', tender);
  await clickIn(page, 'form.open button');
  if (page.url().includes(`/t/${tender}`)) ok(`${c.name}: the tender opens by its number`);
  else bad(`${c.name}: opening the tender went to ${page.url()}`);
}

fs.mkdirSync(screens, { recursive: true });
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--headless=new'],
});
const pages = {};
try {
  // -- no session: refused
  {
    const ctx = await browser.createBrowserContext();
    const p = await ctx.newPage();
    const base = new URL(consoles[0].url).origin;
    const r = await p.goto(base + '/', { waitUntil: 'load' });
    if (r.status() === 403) ok('a browser without the token or cookie gets 403'); else bad(`no session answered ${r.status()}`);
    const r2 = await p.goto(consoles[0].url.replace(/token=[0-9a-f]+/, 'token=' + '0'.repeat(64)), { waitUntil: 'load' });
    if (r2.status() === 403) ok('a wrong token gets 403'); else bad(`a wrong token answered ${r2.status()}`);
    await ctx.close();
  }

  // -- each expert: token, tender, appointment, score sheet
  let first = true;
  for (const c of consoles) {
    const page = await browser.newPage();
    pages[c.name] = page;
    await page.setViewport({ width: 1280, height: 900 });
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.errors = errors;
    const r = await page.goto(c.url, { waitUntil: 'load' });
    if (r.status() === 200 && !page.url().includes('token=')) ok(`${c.name}: the one-time URL leads to a clean URL (${page.url()})`);
    else bad(`${c.name}: token URL gave ${r.status()} at ${page.url()}`);
    const cookies = await page.cookies();
    const ck = cookies.find((k) => k.name.startsWith('ebid_console_'));
    if (ck && ck.httpOnly && ck.sameSite === 'Strict') ok(`${c.name}: session cookie HttpOnly, SameSite=Strict`);
    else bad(`${c.name}: cookie ${JSON.stringify(ck)}`);
    if (await page.evaluate(() => document.cookie) === '') ok(`${c.name}: the page's script cannot read the cookie`);
    else bad(`${c.name}: document.cookie is readable`);
    if (first) { await a11y(page, 'home'); await shot(page, 'home'); }
    await openTender(page, c);
    if (first) {
      // tokens are shown as labels (Chinese; English with ?lang=en), the token in title
      const lab = await page.$eval('#state .tok', (e) => ({ text: e.textContent, title: e.title }));
      const cmd = await page.$eval('form.duty h3 .tok', (e) => ({ text: e.textContent, title: e.title }));
      if (lab.title === 'evaluation' && lab.text === '评标中' && cmd.title === 'accept-appointment' && cmd.text === '接受评标聘任')
        ok(`tokens shown as labels: state "${lab.text}" (${lab.title}), command "${cmd.text}" (${cmd.title})`);
      else bad(`labels: ${JSON.stringify([lab, cmd])}`);
      const en = await browser.newPage();
      await en.goto(page.url() + '?lang=en', { waitUntil: 'load' });
      const enlab = await en.$eval('#state .tok', (e) => e.textContent);
      const enlang = await en.evaluate(() => document.documentElement.lang);
      if (enlab === 'in evaluation' && enlang === 'en') ok(`?lang=en: the same state as "${enlab}"`); else bad(`English label: ${enlab} lang=${enlang}`);
      await en.close();
      const raw = await page.evaluate(() => [...document.querySelectorAll('main code')].map((c) => c.textContent).filter((t) => /^[a-z]+(-[a-z]+)+$/.test(t)));
      if (raw.length === 0) ok('no raw engine token left in the page text'); else bad(`raw tokens shown: ${raw.join(' ')}`);
    }
    await clickIn(page, 'form.duty button[type=submit]');  // accept-appointment, the must
    let f = await flash(page);
    if (f && f.kind.includes('flash-ok') && f.text.includes('accept-appointment')) ok(`${c.name}: appointment accepted from the duties form`);
    else bad(`${c.name}: accepting: ${JSON.stringify(f)} at ${page.url()}: ${(await page.evaluate(() => document.body.innerText)).slice(0, 300)}`);
    if (first) {
      // a refused action: the same command again, posted by this page
      await postCmd(page, 'accept-appointment', '');
      f = await flash(page);
      const role = await page.evaluate(() => document.getElementById('flash') && document.getElementById('flash').getAttribute('role'));
      if (f && f.kind.includes('flash-error') && role === 'alert' && /建议|What to do/.test(f.text)) ok(`a refused action shows the server's message and hint: "${f.text.split('\n').slice(1, 3).join(' / ').slice(0, 160)}"`);
      else bad(`refused action: ${JSON.stringify(f)} role=${role}`);
      // its hint in Chinese, the English in title=; in English on ?lang=en
      const zhHint = await hintOf(page, '#flash .hint .hint-text');
      if (hintZhOk(zhHint)) ok(`the Chinese desk shows the refusal's hint in Chinese: "${zhHint.text}" (title "${zhHint.title}")`);
      else bad(`the refusal's hint on the Chinese desk: ${JSON.stringify(zhHint)}`);
      await shot(page, 'refused');
      const en = await browser.newPage();
      await en.setViewport({ width: 1280, height: 900 });
      await en.goto(page.url().split('?')[0] + '?lang=en', { waitUntil: 'load' });
      await postCmd(en, 'accept-appointment', '?lang=en');
      const enHint = await hintOf(en, '#flash .hint .hint-text');
      if (zhHint && hintEnOk(enHint, zhHint.en)) ok(`?lang=en shows the same refusal's hint in English: "${enHint.text}"`);
      else bad(`the refusal's hint on ?lang=en: ${JSON.stringify(enHint)}`);
      await shot(en, 'refused-en');
      await en.close();
    }
    const inputs = await page.$$eval('#score-form input[name^="v:"]', (l) => l.map((i) => i.name));
    if (inputs.length > 0) ok(`${c.name}: the score sheet has ${inputs.length} fields (valid bids x criteria)`);
    else { bad(`${c.name}: no score form`); first = false; continue; }
    if (first) {
      await page.type(`[name="${inputs[0]}"]`, '25.3');
      try {
        await page.waitForFunction(() => document.querySelector('#sheet-check .message') &&
          /multiple of the step/.test(document.querySelector('#sheet-check .message').dataset.message), { timeout: 5000 });
        // the server's English message in data-message and title=, its
        // Chinese shown (the console's <message zh=>: label and sentence)
        const m = await page.$eval('#sheet-check .message', (e) => ({ text: e.textContent, en: e.dataset.message, title: e.title, lang: e.lang }));
        const msg = m.en;
        const inv = await page.$eval(`[name="${inputs[0]}"]`, (e) => e.getAttribute('aria-invalid'));
        ok(`a score off the step is refused in the form as typed: "${msg}"${inv === 'true' ? ' (field marked invalid)' : ''}`);
        if (m.text.startsWith('分值不符合分档步长：') && /分档步长/.test(m.text.slice(10)) && !/[A-Za-z]/.test(m.text) && m.title === m.en && m.lang === 'zh-CN')
          ok(`the sheet check's message in Chinese: "${m.text}" (title "${m.title}")`);
        else bad(`the sheet check's message on the Chinese desk: ${JSON.stringify(m)}`);
        fs.writeFileSync(process.env.STEP_MSG_FILE, msg);
        await shot(page, 'scoring-refused');
      } catch (e) {
        bad(`off-step score: the form shows "${await page.$eval('#sheet-check', (x) => x.innerText)}"`);
      }
      // the check's hint in Chinese (the console's <hint zh=>), and in
      // English on ?lang=en
      const zhHint = await hintOf(page, '#sheet-check .hint');
      if (hintZhOk(zhHint)) ok(`the sheet check's hint in Chinese: "${zhHint.text}" (title "${zhHint.title}")`);
      else bad(`the sheet check's hint on the Chinese desk: ${JSON.stringify(zhHint)}`);
      const en = await browser.newPage();
      await en.setViewport({ width: 1280, height: 900 });
      await en.goto(page.url().split('?')[0] + '?lang=en', { waitUntil: 'load' });
      await en.$eval(`[name="${inputs[0]}"]`, (e) => { e.value = ''; });
      await en.type(`[name="${inputs[0]}"]`, '25.3');
      try {
        await en.waitForFunction(() => /multiple of the step/.test(document.getElementById('sheet-check').innerText) &&
          document.querySelector('#sheet-check .hint'), { timeout: 5000 });
        const enHint = await hintOf(en, '#sheet-check .hint');
        if (zhHint && hintEnOk(enHint, zhHint.en)) ok(`?lang=en: the sheet check's hint in English: "${enHint.text}"`);
        else bad(`the sheet check's hint on ?lang=en: ${JSON.stringify(enHint)}`);
        await shot(en, 'scoring-refused-en');
      } catch (e) {
        bad(`?lang=en off-step score: the form shows "${await en.$eval('#sheet-check', (x) => x.innerText)}"`);
      }
      await en.close();
      await page.$eval(`[name="${inputs[0]}"]`, (e) => { e.value = ''; });
    }
    // a sheet close to the panel: tech 24.5..26, quality 15..17, schedule 8..9
    const k = consoles.indexOf(c);
    let j = 0;
    for (const n of inputs) {
      j++;
      const crit = n.split(':')[2];
      const v = crit === 'tech' ? String(24.5 + ((j + k) % 4) * 0.5) : crit === 'quality' ? String(15 + (j + k) % 3) :
        crit === 'schedule' ? String(8 + (j + k) % 2) : '1';
      await page.$eval(`[name="${n}"]`, (e, val) => { e.value = val; }, v);
    }
    await page.$eval('#score-form', (fm) => fm.dispatchEvent(new Event('input')));
    try {
      await page.waitForFunction(() => document.getElementById('score-form').dataset.ok === 'yes', { timeout: 5000 });
      ok(`${c.name}: the whole sheet passes the rule as typed`);
    } catch (e) {
      bad(`${c.name}: the sheet is not accepted by the check: ${await page.$eval('#sheet-check', (x) => x.innerText)}`);
    }
    if (first) await shot(page, 'scoring');
    await clickIn(page, '#score-form button[type=submit]');
    f = await flash(page);
    if (f && f.kind.includes('flash-ok') && f.text.includes('submit-scores')) ok(`${c.name}: the signed score sheet is accepted by ebidd`);
    else bad(`${c.name}: submitting the sheet: ${JSON.stringify(f)}`);
    if (first) {
      // the scoring page measured: bytes of HTML+CSS+JS and first render
      const m = await browser.newPage();
      let bytes = 0;
      const kinds = {};
      m.on('response', async (res) => {
        try {
          const b = await res.buffer();
          bytes += b.length;
          const t = res.request().resourceType();
          kinds[t] = (kinds[t] || 0) + b.length;
        } catch (e) { /* redirects have no body */ }
      });
      await m.goto(page.url(), { waitUntil: 'networkidle0' });
      const perf = await m.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const fcp = performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint');
        return { fcp: fcp ? fcp.startTime : -1, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, ttfb: nav.responseStart };
      });
      metric(`scoring page weight: ${bytes} bytes (${Object.entries(kinds).map(([a, b]) => `${a} ${b}`).join(', ')})`);
      metric(`scoring page: first-contentful-paint ${perf.fcp.toFixed(1)} ms, response start ${perf.ttfb.toFixed(1)} ms, DOMContentLoaded ${perf.dcl.toFixed(1)} ms, load ${perf.load.toFixed(1)} ms`);
      if (perf.fcp > 0) ok(`the scoring page renders (first-contentful-paint ${perf.fcp.toFixed(0)} ms)`); else bad('no first-contentful-paint');
      await a11y(m, 'scoring page');
      await m.close();
    }
    if (page.errors.length === 0) ok(`${c.name}: no script error or CSP violation`);
    else bad(`${c.name}: errors: ${page.errors.join(' | ').slice(0, 300)}`);
    first = false;
  }

  // -- the script checks the refusal with the CLI before the evaluation closes
  if (process.env.SYNC_DIR) {
    fs.writeFileSync(path.join(process.env.SYNC_DIR, 'scored'), 'yes');
    for (let i = 0; i < 600 && !fs.existsSync(path.join(process.env.SYNC_DIR, 'go')); i++) await new Promise((r) => setTimeout(r, 100));
  }

  // -- the supervisor's inbox: close the evaluation
  {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(process.env.SUPERVISOR, { waitUntil: 'load' });
    await openTender(page, { name: 'supervisor' });
    await a11y(page, 'supervisor inbox');
    await shot(page, 'inbox');
    const form = await page.$('form.duty input[name=cmd][value="close-evaluation"]');
    if (!form) bad('the supervisor inbox has no close-evaluation form');
    else {
      await clickIn(page, 'form.duty:has(input[value="close-evaluation"]) button[type=submit]');
      const f = await flash(page);
      if (f && f.kind.includes('flash-ok')) ok('the supervisor closes the evaluation from its inbox');
      else bad(`close-evaluation: ${JSON.stringify(f)}`);
    }
  }

  // -- every expert signs the committee report
  first = true;
  for (const c of consoles) {
    const page = pages[c.name];
    await page.bringToFront();
    try {
      await page.goto(page.url().replace(/#.*$/, ''), { waitUntil: 'load', timeout: 10000 });
    } catch (e) { bad(`${c.name}: reload: ${e}`); continue; }
    if (!(await page.$('#sign-form'))) { bad(`${c.name}: no report to sign`); continue; }
    if (first) {
      // the ranking and the candidates name each bidder by its
      // organisation (certificate's O at the sign-up), its id in title=
      const named = await page.$$eval('section.report .bidder', (l) => l.map((e) => [e.dataset.bidder, e.textContent]));
      if (named.length >= 4 && named.every(([b, n]) => /^bidder\d$/.test(b) && n && n !== b && / Co Ltd| Group/.test(n)))
        ok(`the committee report names the bidders by organisation (${named[0][1]}, ...)`);
      else bad(`names in the report: ${JSON.stringify(named)}`);
      await page.type('#dissent', 'I would rate the first candidate\'s construction plan lower.');
      await shot(page, 'report');
    }
    const log = [];
    page.on('response', (r) => log.push(`${r.request().method()} ${r.url()} ${r.status()}`));
    page.on('requestfailed', (r) => log.push(`failed ${r.url()} ${r.failure() && r.failure().errorText}`));
    try {
      await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 8000 }), page.$eval('#sign-form', (fm) => fm.requestSubmit())]);
    } catch (e) { bad(`${c.name}: sign click: ${e} at ${page.url()} ${log.join(' | ')}`); continue; }
    const f = await flash(page);
    if (f && f.kind.includes('flash-ok') && f.text.includes('sign-report')) ok(`${c.name}: signed the committee report${first ? ' with a dissent' : ''}`);
    else bad(`${c.name}: signing: ${JSON.stringify(f)}`);
    first = false;
  }
  await shot(pages[consoles[consoles.length - 1].name], 'signed');
} catch (e) {
  bad(`the scenario stopped: ${e.stack || e}`);
} finally {
  await browser.close();
}
process.exit(fails);
