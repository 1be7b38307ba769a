// tests/browser/hints.mjs
//    What console.mjs and desks.mjs check of a refusal's hint on a desk:
//    on the Chinese desk the Chinese that tools/console/strings.xml gives
//    the English hint (<h en= zh=>, the exact text as key), the English in
//    title=; on ?lang=en the English itself.  The English is in data-hint
//    either way (console.xsl template "hint", console.js's sheet check).
import fs from 'node:fs';

// the catalogue as the file gives it
export const hintsZh = new Map();
{
  const x = fs.readFileSync(new URL('../../tools/console/strings.xml', import.meta.url), 'utf8');
  const un = (t) => t.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  for (const m of x.matchAll(/<h en="([^"]*)" zh="([^"]*)"\/>/g)) hintsZh.set(un(m[1]), un(m[2]));
}
const han = /[\u4e00-\u9fff]/;

// a hint as shown: its text, title=, lang= and the English (data-hint)
export function hintOf(page, sel) {
  return page.$eval(sel, (e) => ({ text: e.textContent, title: e.title, lang: e.lang, en: e.dataset.hint })).catch(() => null);
}
// the Chinese desk: the catalogue's Chinese for the English hint, the
// English in title=, no lang="en" (that marks an untranslated hint)
export function hintZhOk(h) {
  return Boolean(h && h.en && !han.test(h.en) && hintsZh.get(h.en) && h.text === hintsZh.get(h.en) &&
    h.title === h.en && !h.lang);
}
// the English desk: the English hint 'en' itself, no title
export function hintEnOk(h, en) {
  return Boolean(h && en && h.text === en && h.en === en && !h.title && !han.test(h.text));
}
// post 'cmd' to this desk's /do (a refused action when it is not allowed);
// 'query' is '' or '?lang=en'
export function postCmd(page, cmd, query) {
  return Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.evaluate((c, q) => {
    const fm = document.createElement('form');
    fm.method = 'post';
    fm.action = location.pathname + '/do' + q;
    const i = document.createElement('input');
    i.type = 'hidden'; i.name = 'cmd'; i.value = c;
    fm.appendChild(i);
    document.body.appendChild(fm);
    fm.submit();
  }, cmd, query)]);
}
