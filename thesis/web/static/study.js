// The study page: start (or find) the study, show its progress, then its result.
'use strict';
(function () {
  const U = window.thesisUtil;
  const meta = JSON.parse(document.getElementById('study-meta').textContent);
  const T = window.thesis = { ready: false, polls: 0, progress: [] };
  const bar = document.getElementById('progress-bar'), text = document.getElementById('progress-text');
  const q = new URLSearchParams();
  if (meta.grid) q.set('grid', meta.grid);
  const base = '/api/ideas/' + encodeURIComponent(meta.id) + '/study';
  async function poll() {
    T.polls++;
    try {
      const r = await fetch(base + '?wait=0&' + q, { credentials: 'same-origin' });
      const body = await r.json();
      if (r.status === 202) {
        const p = body.progress || {};
        if (p.total) { bar.max = p.total; bar.value = p.done; }
        text.textContent = (p.phase || 'starting') + (p.total ? ' ' + p.done + ' / ' + p.total : '') + '…';
        T.progress.push(p);
        setTimeout(poll, 250);
        return;
      }
      if (!r.ok) throw new Error(body.error || ('HTTP ' + r.status));
      bar.max = 1; bar.value = 1;
      text.textContent = 'done in ' + (body.timing && body.timing.total_s !== undefined ? body.timing.total_s + ' s' : '');
      const html = await U.getText('/ideas/' + encodeURIComponent(meta.id) + '/study/result?' + q);
      document.getElementById('study-result').innerHTML = html;  // server-rendered, escaped by Jinja2
      T.doc = body;
    } catch (e) {
      text.textContent = 'study failed: ' + e.message;
      text.className = 'error';
      T.error = String(e);
    }
    T.ready = true;
  }
  poll();
})();
