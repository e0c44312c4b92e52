// The board: click a column to sort; rows refresh when the server says something changed.
'use strict';
(function () {
  const table = document.getElementById('board');
  const body = document.getElementById('board-rows');
  const T = window.thesis = { ready: true, refreshes: 0, sortKey: null };
  let key = null, dir = 1;

  function sortRows() {
    if (!key) return;
    const rows = Array.from(body.querySelectorAll('tr'));
    rows.sort(function (a, b) {
      const name = 'sort' + key.charAt(0).toUpperCase() + key.slice(1);  // data-sort-position_r -> sortPosition_r
      const x = a.dataset[name] || '', y = b.dataset[name] || '';
      const nx = parseFloat(x), ny = parseFloat(y);
      if (x === '' && y !== '') return 1;
      if (y === '' && x !== '') return -1;
      if (!isNaN(nx) && !isNaN(ny) && /^-?[\d.]+$/.test(x) && /^-?[\d.]+$/.test(y)) return dir * (nx - ny);
      return dir * x.localeCompare(y);
    });
    rows.forEach(r => body.appendChild(r));
  }
  table.querySelectorAll('th[data-key]').forEach(function (th) {
    th.tabIndex = 0;
    th.addEventListener('click', function () {
      dir = key === th.dataset.key ? -dir : 1;
      key = th.dataset.key;
      T.sortKey = key + (dir > 0 ? ' asc' : ' desc');
      table.querySelectorAll('th').forEach(h => h.classList.remove('asc', 'desc'));
      th.classList.add(dir > 0 ? 'asc' : 'desc');
      sortRows();
    });
  });

  async function refresh() {
    const q = new URLSearchParams(location.search);
    const r = await fetch('/board/rows?' + q, { credentials: 'same-origin' });
    if (!r.ok) return;
    body.innerHTML = await r.text();  // server-rendered, escaped by Jinja2
    sortRows();
    T.refreshes++;
  }
  T.refresh = refresh;
  if (window.EventSource && !new URLSearchParams(location.search).get('asof')) {
    const es = new EventSource('/api/events');
    es.addEventListener('change', function () { refresh(); });
    T.events = es;
  }
})();
