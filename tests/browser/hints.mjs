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

// A refusal's message as shown on the Chinese desk (console.xsl
// "refusal-zh"; docs/console.md, "Refusals in Chinese"): the sentence,
// its English original (title= and data-message), the entry it was made
// from (data-msg), the detail line's Chinese and English, the text of the
// collapsed original, and every amount (data-fen) and time it shows.
export function msgOf(page, scope) {
  return page.$eval(scope, (f) => {
    const m = f.querySelector('.message .msg-text');
    const d = f.querySelector('.detail .msg-text');
    const o = f.querySelector('details.original');
    return m && {
      line: f.querySelector('.message').textContent, text: m.textContent, title: m.title, en: m.dataset.message,
      msg: m.dataset.msg, lang: m.lang,
      detail: d ? d.textContent : null, detailEn: d ? d.dataset.detail : null,
      original: o ? o.textContent : null, originalOpen: o ? o.open : null,
      fen: [...f.querySelectorAll('.message [data-fen], .detail [data-fen]')].map((x) => x.dataset.fen),
      times: [...f.querySelectorAll('.message time, .detail time')].map((x) => x.textContent),
    };
  }).catch(() => null);
}
// the Chinese desk: a Chinese sentence without a Latin letter, the
// server's English (no Chinese) in title= and kept in the original
export function msgZhOk(m) {
  return Boolean(m && m.text && han.test(m.text) && !/[A-Za-z]/.test(m.text) && m.lang === 'zh-CN' &&
    m.en && m.title === m.en && !han.test(m.en) && m.original && m.original.includes(m.en) && m.originalOpen === false);
}
