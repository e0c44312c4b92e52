// The market page: the index on top, breadth panes under it, VIX at the bottom; an as-of slider.
'use strict';
(function () {
  const LC = window.LightweightCharts;
  const U = window.thesisUtil;
  const s = JSON.parse(document.getElementById('market-series').textContent);
  const T = window.thesis = { ready: false, series: {}, errors: [] };
  const chart = LC.createChart(document.getElementById('chart'), U.baseOptions());
  T.chart = chart;
  let pane = 0;
  function line(name, data, color, p, opts) {
    const ser = chart.addSeries(LC.LineSeries, Object.assign({ color: color, lineWidth: 1.5, title: name, priceLineVisible: false }, opts || {}), p);
    ser.setData(U.series(data));
    T.series[name] = ser;
    return ser;
  }
  if (s.index) { line('S&P 500', s.index, '#131722', pane, { lineWidth: 2 }); pane++; }
  const p = s.panes || {};
  if (p.pct_above) {
    const colors = { 20: '#90caf9', 50: '#1e88e5', 200: '#0d47a1' };
    Object.keys(p.pct_above).forEach(w => line('% > ' + w + 'd', p.pct_above[w], colors[w], pane));
    T.series['% > 50d'].createPriceLine({ price: 50, color: '#9e9e9e', lineStyle: LC.LineStyle.Dotted, lineWidth: 1, axisLabelVisible: false, title: '' });
    pane++;
  }
  if (p.ad_line) { line('A/D line', p.ad_line, '#2e7d32', pane); pane++; }
  if (p.mcclellan) {
    const h = chart.addSeries(LC.HistogramSeries, { title: 'McClellan', priceLineVisible: false }, pane);
    h.setData(U.series(p.mcclellan).map(x => Object.assign(x, { color: x.value >= 0 ? 'rgba(38,166,154,0.7)' : 'rgba(239,83,80,0.7)' })));
    T.series['McClellan'] = h; pane++;
  }
  if (p.net_new_highs) {
    const h = chart.addSeries(LC.HistogramSeries, { title: 'net new highs', priceLineVisible: false }, pane);
    h.setData(U.series(p.net_new_highs).map(x => Object.assign(x, { color: x.value >= 0 ? 'rgba(38,166,154,0.7)' : 'rgba(239,83,80,0.7)' })));
    T.series['net new highs'] = h; pane++;
  }
  if (s.vix) { line('VIX', s.vix, '#6a1b9a', pane); pane++; }
  const panes = chart.panes();
  if (panes.length > 1) { panes[0].setStretchFactor(2.2); }
  if (s.index && s.index.t.length) {
    const last = s.index.t[s.index.t.length - 1];
    chart.timeScale().setVisibleRange({ from: last - 400 * 86400, to: last });
  }
  // As-of slider over the breadth history: reloads the page for that session.
  const slider = document.getElementById('asof');
  if (s.range) {
    const firstDay = U.secondsFromIso(s.range[0]), lastDay = U.secondsFromIso(s.range[1]);
    slider.max = String(Math.round((lastDay - firstDay) / 86400));
    slider.value = String(Math.round((U.secondsFromIso(s.asof) - firstDay) / 86400));
    const iso = v => U.isoFromSeconds(firstDay + Number(v) * 86400);
    slider.addEventListener('input', () => { document.getElementById('asof-label').textContent = iso(slider.value); });
    slider.addEventListener('change', () => {
      document.getElementById('asof-field').value = iso(slider.value);
      document.getElementById('market-form').submit();
    });
  }
  requestAnimationFrame(() => requestAnimationFrame(() => { T.firstPaintMs = performance.now(); T.ready = true; }));
})();
