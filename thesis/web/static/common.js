// Shared helpers for the dashboard pages (no framework, no network beyond this server).
'use strict';
window.thesisUtil = (function () {
  function fmt(v, digits) {
    return v === null || v === undefined ? '-' : Number(v).toFixed(digits === undefined ? 2 : digits);
  }
  function isoFromSeconds(s) {
    return new Date(s * 1000).toISOString().slice(0, 10);
  }
  function secondsFromIso(d) {
    return Math.floor(Date.parse(d + 'T00:00:00Z') / 1000);
  }
  async function getJSON(url) {
    const r = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    const body = await r.json();
    if (!r.ok && r.status !== 202) throw new Error(body.error || ('HTTP ' + r.status));
    return { status: r.status, body: body };
  }
  async function getText(url) {
    const r = await fetch(url, { credentials: 'same-origin' });
    if (!r.ok) throw new Error('HTTP ' + r.status);
    return r.text();
  }
  function series(obj) {  // {t: [...], v: [...]} -> [{time, value}]
    const out = [];
    for (let i = 0; i < obj.t.length; i++) if (obj.v[i] !== null) out.push({ time: obj.t[i], value: obj.v[i] });
    return out;
  }
  function baseOptions() {
    return {
      autoSize: true,
      layout: { attributionLogo: true, background: { color: '#ffffff' }, textColor: '#333', fontSize: 12,
                panes: { separatorColor: '#d0d4dc', enableResize: true } },
      grid: { vertLines: { color: '#f0f3fa' }, horzLines: { color: '#f0f3fa' } },
      rightPriceScale: { borderVisible: false },
      timeScale: { borderVisible: false, rightOffset: 8 },
    };
  }
  return { fmt, isoFromSeconds, secondsFromIso, getJSON, getText, series, baseOptions };
})();
