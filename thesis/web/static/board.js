// The board: a column's link sorts every row on the server (the first page shows the top of the
// whole board); rows refresh when the server says something changed, in the same order and page.
'use strict';
(function () {
  const table = document.getElementById('board');
  const body = document.getElementById('board-rows');
  const T = window.thesis = { ready: true, refreshes: 0, sortKey: table.dataset.sort || null };

  async function refresh() {
    const q = new URLSearchParams(location.search);
    const r = await fetch('/board/rows?' + q, { credentials: 'same-origin' });
    if (!r.ok) return;
    body.innerHTML = await r.text();  // server-rendered, escaped by Jinja2
    T.refreshes++;
  }
  T.refresh = refresh;
  if (window.EventSource && !new URLSearchParams(location.search).get('asof')) {
    const es = new EventSource('/api/events');
    es.addEventListener('change', function () { refresh(); });
    T.events = es;
  }
})();
