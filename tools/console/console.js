// tools/console/console.js: the live parts of `ebid console`'s pages.
// Every page works without it.  It adds: the score sheet checked as the
// expert types (POST /t/ID/check: the console runs the core's own rule,
// eb_score_sheet_check, and answers the server's message); the sale's
// live price (GET /s/ID/state each second); the amount in 大写 as it is
// typed (GET /daxie: the console's one conversion); countdowns.  Same
// origin only (the CSP allows nothing else).
'use strict';
(function () {
  const zh = document.documentElement.lang !== 'en';

  function toFen(s) {
    const m = /^\s*([0-9][0-9,]*)(?:\.([0-9]{0,2}))?\s*$/.exec(s);
    if (!m) return null;
    return BigInt(m[1].replace(/,/g, '')) * 100n + BigInt(((m[2] || '') + '00').slice(0, 2));
  }
  function yuanText(fen) {
    const y = (BigInt(fen) / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    return y + '.' + (BigInt(fen) % 100n).toString().padStart(2, '0');
  }

  // -- the score sheet
  const sheet = document.getElementById('score-form');
  if (sheet) {
    const box = document.getElementById('sheet-check');
    let timer = null, seq = 0;
    sheet.dataset.ok = 'no';
    const show = (doc) => {
      const p = doc.documentElement;
      for (const i of sheet.querySelectorAll('input[aria-invalid]')) i.removeAttribute('aria-invalid');
      box.textContent = '';
      if (p.getAttribute('ok') === 'yes') {
        sheet.dataset.ok = 'yes';
        box.className = 'check good';
        box.textContent = zh ? '评分表完整，符合评分规则。' : 'The sheet is complete and within the rules.';
        return;
      }
      sheet.dataset.ok = 'no';
      box.className = 'check bad';
      const text = (n) => { const e = p.getElementsByTagName(n)[0]; return e ? e.textContent : ''; };
      for (const [n, cls] of [['message', 'message'], ['detail', 'detail'], ['hint', 'hint']]) {
        const t = text(n);
        if (!t) continue;
        const para = document.createElement('p');
        para.className = cls;
        para.textContent = t;
        if (n === 'message') {
          // the refusal in Chinese (the console's <message zh=>: its
          // label and sentence, docs/console.md, "Refusals in Chinese"),
          // the server's English in title= and data-message
          const zhText = p.getElementsByTagName('message')[0].getAttribute('zh');
          para.dataset.message = t;
          if (zh && zhText) { para.textContent = zhText; para.title = t; para.lang = 'zh-CN'; } else if (zh) para.lang = 'en';
        }
        if (n === 'detail' && zh) {
          // the detail names bids and criteria by the server's words
          para.lang = 'en';
        }
        if (n === 'hint') {
          // the hint in Chinese when strings.xml has it (the console puts
          // it in zh=: docs/console.md, "Hints in Chinese"), the English
          // in title=; else the English, never blank
          const zhText = p.getElementsByTagName('hint')[0].getAttribute('zh');
          para.dataset.hint = t;
          if (zh && zhText) { para.textContent = zhText; para.title = t; } else if (zh) para.lang = 'en';
        }
        box.appendChild(para);
      }
      // the field the server names: "... bid B on C ..."
      const m = /bid (\S+?),? on (\S+?)( |$)/.exec(text('message'));
      const f = m && document.getElementById('v:' + m[1] + ':' + m[2]);
      if (f) f.setAttribute('aria-invalid', 'true');
    };
    const check = () => {
      const my = ++seq;
      return fetch(sheet.dataset.check, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(new FormData(sheet)).toString(),
      }).then((r) => r.text()).then((t) => {
        if (my === seq) show(new DOMParser().parseFromString(t, 'application/xml'));
      }).catch(() => {});
    };
    sheet.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(check, 150); });
    sheet.addEventListener('submit', (ev) => {
      if (sheet.dataset.ok !== 'yes') { ev.preventDefault(); check(); }
    });
    check();
  }

  // -- the amount in 大写 as it is typed
  const amount = document.getElementById('amount');
  if (amount) {
    const out = document.getElementById('amount-words');
    // the console converts (GET /daxie: protocol/pagefn.c, the one
    // conversion); an answer older than the last one asked is dropped
    let asked = 0;
    amount.addEventListener('input', () => {
      const n = ++asked;
      if (toFen(amount.value) === null) { out.textContent = ''; return; }
      fetch('/daxie?yuan=' + encodeURIComponent(amount.value.trim()), { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.text() : ''))
        .then((w) => { if (n === asked) out.textContent = w ? (zh ? '人民币' : 'RMB ') + w : ''; })
        .catch(() => {});
    });
  }

  // -- countdowns (the instant as the page wrote it, its <time datetime>
  // element kept, when the countdown does not apply)
  const abs = new WeakMap();
  const cds = () => {
    for (const el of document.querySelectorAll('[data-until]')) {
      const left = Math.round((Date.parse(el.dataset.until) - Date.now()) / 1000);
      if (isNaN(left)) continue;
      if (!el.dataset.abs) { el.dataset.abs = 'yes'; abs.set(el, [...el.childNodes].map((n) => n.cloneNode(true))); }
      if (left <= 0 || left > 86400 * 3) { el.replaceChildren(...(abs.get(el) || []).map((n) => n.cloneNode(true))); continue; }
      const h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      el.textContent = (h ? h + ':' : '') + String(m).padStart(2, '0') + ':' + String(s).padStart(2, '0');
    }
  };
  cds();
  setInterval(cds, 1000);

  // -- the sale's live price
  const live = document.getElementById('live');
  if (live) {
    const poll = () => fetch('/s/' + live.dataset.sale + '/state', { credentials: 'same-origin' })
      .then((r) => r.text()).then((t) => {
        const d = new DOMParser().parseFromString(t, 'application/xml');
        const p = d.getElementsByTagName('price')[0];
        if (p) {
          if (p.getAttribute('current')) document.getElementById('price-current').textContent = yuanText(p.getAttribute('current'));
          if (p.getAttribute('minimum')) document.getElementById('price-minimum').textContent = yuanText(p.getAttribute('minimum'));
        }
        const a = d.getElementsByTagName('auction')[0], e = document.getElementById('ends');
        if (a && e && a.getAttribute('ends')) { e.dataset.until = a.getAttribute('ends'); delete e.dataset.abs; }
        // a new stage: the page again (its labels and forms follow the stage)
        const st = document.getElementById('sale-state'), ns = d.documentElement.getAttribute('state');
        if (st && ns && st.dataset.state !== ns) location.reload();
      }).catch(() => {});
    setInterval(poll, 1000);
  }

  // -- the opening hall: the page again each second; the hall swapped in
  //    when the stage, the shares, the opened bids or the clearing changed
  if (document.getElementById('hall')) {
    const keys = ['state', 'shares', 'bids', 'cleared'];
    const tick = () => fetch(location.pathname + location.search, { credentials: 'same-origin' })
      .then((r) => r.text()).then((t) => {
        const n = new DOMParser().parseFromString(t, 'text/html').getElementById('hall');
        const cur = document.getElementById('hall');
        if (!n || !cur || keys.every((k) => n.dataset[k] === cur.dataset[k])) return;
        cur.replaceWith(document.importNode(n, true));
        cds();
      }).catch(() => {});
    setInterval(tick, 1000);
  }

  // -- a bid file: progress while it is sealed and sent.  With
  //    attachments, the files go to the console in 8 MiB pieces
  //    (bid-begin, bid-part, bid-go: no file is limited by the console's
  //    body limit), the bar showing the bytes handed over; bid-go's answer
  //    is the desk with the sealing and upload panel
  const bid = document.getElementById('bid-form');
  if (bid) {
    bid.addEventListener('submit', (ev) => {
      const bar = document.getElementById('bid-progress');
      bar.hidden = false;
      const atts = document.getElementById('bid-attach');
      const file = document.getElementById('bid-file').files[0];
      if (!atts || atts.files.length === 0 || !file) return;   // one form post
      ev.preventDefault();
      const PIECE = 8 << 20;
      const action = bid.getAttribute('action');
      const qs = action.indexOf('?') >= 0 ? action.slice(action.indexOf('?')) : '';
      const base = action.replace(/\/bid(\?.*)?$/, '');
      const files = [{ kind: 'bid', f: file }].concat([...atts.files].map((f) => ({ kind: 'attach', f })));
      const total = files.reduce((n, x) => n + x.f.size, 0);
      bar.max = total;
      bar.value = 0;
      const post = (url, body) => fetch(url, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/octet-stream' }, body,
      }).then((r) => { if (!r.ok) return r.text().then((t) => { throw new Error(t); }); });
      (async () => {
        await post(base + '/bid-begin', '');
        let sent = 0;
        for (const x of files) {
          let off = 0;
          do {
            const q = '?kind=' + x.kind + '&name=' + encodeURIComponent(x.f.name) + '&offset=' + off;
            const piece = x.f.slice(off, off + PIECE);
            await post(base + '/bid-part' + q, piece);
            off += piece.size;
            sent += piece.size;
            bar.value = sent;
          } while (off < x.f.size);
        }
        const go = document.createElement('form');
        go.method = 'post';
        go.action = base + '/bid-go' + qs;
        document.body.appendChild(go);
        go.submit();
      })().catch((e) => {
        bar.hidden = true;
        const p = document.createElement('p');
        p.className = 'check bad';
        p.setAttribute('role', 'alert');
        p.textContent = (zh ? '文件未能交给控制台：' : 'The files could not be handed to the console: ') + e.message;
        bid.appendChild(p);
      });
    });
  }

  // -- a bid with attachments going out (the console seals and uploads it
  //    in the background): phase, bytes, rate and time left from
  //    GET /t/ID/bid-progress; the page again once it ended (the receipt,
  //    or the resume button)
  const job = document.getElementById('bid-job');
  if (job) {
    const mb = (n) => (n / 1e6).toFixed(1);
    const mmss = (s) => Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
    const poll = () => fetch(job.dataset.progress, { credentials: 'same-origin' })
      .then((r) => r.json()).then((p) => {
        const bar = document.getElementById('job-bar');
        if (p.total > 0) { bar.max = p.total; bar.value = p.done; } else bar.removeAttribute('value');
        const lab = job.querySelector('[data-phase="' + p.phase + '"]');
        const ph = document.getElementById('job-phase');
        ph.textContent = lab ? lab.textContent : p.phase;
        ph.dataset.phaseNow = p.phase;
        document.getElementById('job-bytes').textContent = mb(p.done) + ' / ' + mb(p.total) + ' MB';
        document.getElementById('job-rate').textContent = p.rate > 0 ? mb(p.rate) + ' MB/s' : '—';
        document.getElementById('job-left').textContent = p.left >= 0 ? mmss(p.left) : '—';
        if (p.state !== job.dataset.state) location.reload();
      }).catch(() => {});
    if (job.dataset.state === 'running') { poll(); setInterval(poll, 300); }
  }
})();
