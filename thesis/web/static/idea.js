// The idea page: candles with the plan on them, ratio and volume panes, the as-of slider.
'use strict';
(function () {
  const LC = window.LightweightCharts;
  const U = window.thesisUtil;
  const doc0 = JSON.parse(document.getElementById('idea-doc').textContent);
  const meta = JSON.parse(document.getElementById('idea-meta').textContent);
  const params = new URLSearchParams(location.search);
  const T = window.thesis = { ready: false, loads: 0, doc: doc0, priceLines: [], errors: [] };
  const COLORS = { zone: '#f9a825', stop: '#d32f2f', target: '#2e7d32', entry: '#1565c0', exit: '#ef6c00',
                   trigger: '#7b1fa2', note: '#455a64', focus: '#000000' };
  const RATIO_COLORS = ['#1e88e5', '#8e24aa', '#00897b', '#f4511e'];

  // A shaded band between two prices (the entry zone), drawn under the candles.
  class Band {
    constructor(lo, hi) {
      this.lo = lo; this.hi = hi; this.series = null; this.request = null;
      const self = this;
      this.view = {
        zOrder() { return 'bottom'; },
        renderer() {
          return {
            draw(target) {
              const s = self.series;
              if (!s) return;
              const y1 = s.priceToCoordinate(self.hi), y2 = s.priceToCoordinate(self.lo);
              if (y1 === null || y2 === null) return;
              target.useBitmapCoordinateSpace(function (scope) {
                const top = Math.round(Math.min(y1, y2) * scope.verticalPixelRatio);
                const h = Math.max(1, Math.round(Math.abs(y2 - y1) * scope.verticalPixelRatio));
                scope.context.fillStyle = 'rgba(249, 168, 37, 0.22)';
                scope.context.fillRect(0, top, scope.bitmapSize.width, h);
              });
            },
          };
        },
      };
    }
    attached(p) { this.series = p.series; this.request = p.requestUpdate; }
    detached() { this.series = null; }
    paneViews() { return [this.view]; }
    updateAllViews() {}
    set(lo, hi) { this.lo = lo; this.hi = hi; if (this.request) this.request(); }
  }

  const chart = LC.createChart(document.getElementById('chart'), Object.assign(U.baseOptions(), {
    crosshair: { mode: LC.CrosshairMode.Normal },
  }));
  // The price scale always holds the stop and the targets, so every level is on screen.
  function withLevels(original) {
    const r = original();
    const c = T.doc && T.doc.chart;
    if (!r || !r.priceRange || !c) return r;
    const levels = [c.stop, c.zone[0], c.zone[1]].concat(c.targets);
    r.priceRange.minValue = Math.min.apply(null, [r.priceRange.minValue].concat(levels));
    r.priceRange.maxValue = Math.max.apply(null, [r.priceRange.maxValue].concat(levels));
    return r;
  }
  const candles = chart.addSeries(LC.CandlestickSeries, {
    upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350',
    autoscaleInfoProvider: withLevels,
    priceFormat: { type: 'price', precision: doc0.chart.precision, minMove: doc0.chart.tick },
  }, 0);
  const band = new Band(doc0.chart.zone[0], doc0.chart.zone[1]);
  candles.attachPrimitive(band);
  const markers = LC.createSeriesMarkers(candles, [], { autoScale: true });
  const ratioSyms = Object.keys(doc0.chart.ratios).filter(s => !doc0.chart.ratios[s].error);
  const ratios = {};
  ratioSyms.forEach(function (sym, i) {
    ratios[sym] = chart.addSeries(LC.LineSeries, {
      color: RATIO_COLORS[i % RATIO_COLORS.length], lineWidth: 2, title: doc0.chart.symbol + '/' + sym,
      priceFormat: { type: 'price', precision: 4, minMove: 0.0001 }, priceLineVisible: false,
    }, 1);
  });
  const volPane = ratioSyms.length ? 2 : 1;
  const volume = chart.addSeries(LC.HistogramSeries, {
    color: '#90a4ae', priceFormat: { type: 'volume' }, priceLineVisible: false, lastValueVisible: false, title: 'volume',
  }, volPane);
  const panes = chart.panes();
  if (panes.length === 3) { panes[0].setStretchFactor(3); panes[1].setStretchFactor(1); panes[2].setStretchFactor(0.8); }
  else if (panes.length === 2) { panes[0].setStretchFactor(3); panes[1].setStretchFactor(0.8); }
  Object.assign(T, { chart: chart, candles: candles, markers: markers, band: band, ratios: ratios, volume: volume });

  function setLines(c) {
    T.priceLines.forEach(function (p) { candles.removePriceLine(p.line); });
    T.priceLines = [];
    function add(name, price, color, style, title) {
      const line = candles.createPriceLine({ price: price, color: color, lineWidth: name === 'stop' || name.startsWith('target') ? 2 : 1,
                                             lineStyle: style, axisLabelVisible: true, title: title });
      T.priceLines.push({ name: name, line: line });
    }
    add('zone low', c.zone[0], COLORS.zone, LC.LineStyle.Dotted, 'zone');
    add('zone high', c.zone[1], COLORS.zone, LC.LineStyle.Dotted, 'zone');
    if (c.entry !== c.zone[0] && c.entry !== c.zone[1]) add('entry', c.entry, COLORS.entry, LC.LineStyle.Dashed, 'entry');
    add('stop', c.stop, COLORS.stop, LC.LineStyle.Solid, c.stop_moved ? 'breakeven stop' : 'stop');   // the stop in force
    c.targets.forEach(function (t, i) { add('target ' + (i + 1), t, COLORS.target, LC.LineStyle.Solid, 'target ' + (i + 1)); });
  }

  function markerList(c, focus) {
    const short = c.direction === 'short';
    const px = function (p) { return p.toFixed(c.precision); };     // the instrument's precision
    const out = [];
    const seen = {};
    c.markers.forEach(function (m, i) {
      if (m.kind === 'trigger') {
        out.push({ time: m.time, position: short ? 'aboveBar' : 'belowBar', shape: 'circle', color: COLORS.trigger,
                   text: 'T', id: 'trigger-' + i });
      } else if (m.kind === 'entry') {
        out.push({ time: m.time, position: 'atPriceMiddle', price: m.price, shape: short ? 'arrowDown' : 'arrowUp',
                   color: COLORS.entry, text: m.variant === 'limit' || c.markers.filter(x => x.kind === 'entry').length === 1
                     ? (short ? 'sell ' : 'buy ') + px(m.price) : '', id: 'entry-' + m.variant, size: 1.3 });
      } else if (m.kind === 'exit') {
        // one marker per exit leg at its own price (a scale-out is several; never a blended price),
        // named by the lifecycle ("target 2", "breakeven stop", "time stop"), as the PNG names it
        const n = (seen[m.variant] = (seen[m.variant] || 0) + 1);
        out.push({ time: m.time, position: 'atPriceMiddle', price: m.price, shape: short ? 'arrowUp' : 'arrowDown',
                   color: COLORS.exit, text: m.variant === 'limit' || c.markers.filter(x => x.kind === 'exit').length === 1
                     ? m.name + ' ' + px(m.price) : '',
                   id: 'exit-' + m.variant + (n > 1 ? '-' + n : ''), size: 1.3 });
      } else if (m.kind === 'open') {
        out.push({ time: m.time, position: 'atPriceMiddle', price: m.price, shape: 'circle', color: COLORS.exit,
                   text: m.variant === 'limit' ? 'open ' + px(m.price) : '', id: 'open-' + m.variant, size: 0.8 });
      } else if (m.kind === 'note') {
        out.push({ time: m.time, position: short ? 'belowBar' : 'aboveBar', shape: 'square', color: COLORS.note,
                   text: 'N', id: m.id });
      }
    });
    if (focus) out.push({ time: focus, position: 'belowBar', shape: 'arrowUp', color: COLORS.focus, text: 'study', id: 'focus' });
    out.sort(function (a, b) { return a.time - b.time; });
    return out;
  }

  function nearestBarTime(t) {
    const ts = T.doc.chart.bars.t;
    let lo = 0, hi = ts.length - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (ts[mid] < t) lo = mid + 1; else hi = mid; }
    return ts[lo];
  }

  function render(doc, keepRange) {
    T.doc = doc;
    const c = doc.chart, b = c.bars;
    const data = new Array(b.t.length), vol = new Array(b.t.length);
    for (let i = 0; i < b.t.length; i++) {
      data[i] = { time: b.t[i], open: b.o[i] === null ? b.c[i] : b.o[i], high: b.h[i], low: b.l[i], close: b.c[i] };
      vol[i] = { time: b.t[i], value: b.v[i] || 0, color: i && b.c[i] < b.c[i - 1] ? 'rgba(239,83,80,0.45)' : 'rgba(38,166,154,0.45)' };
    }
    const width = keepRange ? chart.timeScale().getVisibleLogicalRange() : null;
    candles.setData(data);
    volume.setData(vol);
    ratioSyms.forEach(function (sym) { if (c.ratios[sym] && !c.ratios[sym].error) ratios[sym].setData(U.series(c.ratios[sym])); });
    band.set(c.zone[0], c.zone[1]);
    setLines(c);
    const focusIso = params.get('focus');
    const focus = focusIso && b.t.length ? nearestBarTime(U.secondsFromIso(focusIso)) : null;
    markers.setMarkers(markerList(c, focus));
    const n = b.t.length;
    if (width && n) {
      // The slider moved: keep the zoom, put the as-of bar near the right edge.
      const w = Math.max(30, width.to - width.from);
      chart.timeScale().setVisibleLogicalRange({ from: n - 1 - 0.85 * w, to: n - 1 + 0.15 * w });
    } else if (n) {
      const idx = function (t) { let lo = 0, hi = n - 1; while (lo < hi) { const m = (lo + hi) >> 1; if (b.t[m] < t) lo = m + 1; else hi = m; } return lo; };
      const before = { '1d': 120, '1w': 80, '1mo': 60 }[c.timeframe];
      let from, to;
      if (focus) { from = idx(focus) - before; to = idx(focus) + before; }
      else {
        const pub = idx(c.published);
        const exits = c.markers.filter(m => m.kind === 'exit').map(m => idx(m.time));
        from = pub - before;
        to = exits.length ? Math.max.apply(null, exits) + before / 3 : n - 1;
      }
      from = Math.max(0, from); to = Math.min(n - 1, Math.max(to, from + 20));
      chart.timeScale().setVisibleLogicalRange({ from: from, to: to + Math.max(6, 0.12 * (to - from)) });
    }
    const noteDate = document.querySelector('#note-form input[name=date]');
    if (noteDate) noteDate.value = doc.asof;
    document.getElementById('state-line').textContent = doc.evaluate.state.text;
    document.getElementById('asof-label').textContent = doc.asof;
    drawOptionChart(doc);
  }

  // Hover: the words of notes (and the labels of triggers, fills) at the bar under the cursor.
  const tip = document.getElementById('tooltip');
  chart.subscribeCrosshairMove(function (p) {
    if (!p.point || p.time === undefined) { tip.hidden = true; return; }
    const here = T.doc.chart.markers.filter(m => m.time === p.time);
    if (!here.length) { tip.hidden = true; return; }
    tip.textContent = '';
    here.forEach(function (m) {
      const row = document.createElement('div');
      row.className = 'tip-' + m.kind;
      const head = document.createElement('b');
      head.textContent = m.date + ' ' + (m.kind === 'note' ? 'note' : m.kind === 'trigger' ? 'trigger ' + m.label + ' (' + m.timeframe + ')' : m.label);
      row.appendChild(head);
      if (m.text) { const t = document.createElement('div'); t.textContent = m.text; row.appendChild(t); }
      tip.appendChild(row);
    });
    tip.hidden = false;
    const box = document.getElementById('chart').getBoundingClientRect();
    tip.style.left = Math.min(p.point.x + 16, box.width - 320) + 'px';
    tip.style.top = (p.point.y + 16) + 'px';
    T.tooltip = tip.textContent;
  });

  // The option leg's model P&L beside 100 shares, session by session.
  let optChart = null;
  function drawOptionChart(doc) {
    const el = document.getElementById('option-chart');
    if (optChart) { optChart.remove(); optChart = null; }
    const o = doc.replay.options;
    if (!el || !o || !o.path) return;
    optChart = LC.createChart(el, U.baseOptions());
    const opt = optChart.addSeries(LC.LineSeries, { color: '#6a1b9a', lineWidth: 2, title: 'option P&L / contract' });
    const stk = optChart.addSeries(LC.LineSeries, { color: '#90a4ae', lineWidth: 1, title: '100 shares' });
    const od = [], sd = [];
    o.path.forEach(function (r) {
      const t = U.secondsFromIso(r.date);
      if (r.option_pnl !== null) od.push({ time: t, value: r.option_pnl });
      if (r.stock_pnl_100_shares !== null) sd.push({ time: t, value: r.stock_pnl_100_shares });
    });
    opt.setData(od); stk.setData(sd);
    optChart.timeScale().fitContent();
    T.optionChart = optChart;
  }

  // As-of slider: days from the publication date to the last bar.
  const slider = document.getElementById('asof');
  const first = U.secondsFromIso(doc0.slider.first), lastDay = U.secondsFromIso(doc0.slider.last);
  const span = Math.max(1, Math.round((lastDay - first) / 86400));
  slider.max = String(span);
  const dayOf = iso => Math.max(0, Math.min(span, Math.round((U.secondsFromIso(iso) - first) / 86400)));
  slider.value = String(dayOf(doc0.asof));
  const list = document.getElementById('note-days');
  doc0.slider.notes.forEach(function (d) { const o = document.createElement('option'); o.value = String(dayOf(d)); list.appendChild(o); });
  const isoOf = v => U.isoFromSeconds(first + Number(v) * 86400);
  let asof = params.get('asof');
  let tf = meta.tf;
  let seq = 0;

  async function load(newAsof, newTf) {
    const my = ++seq;
    T.ready = false;
    const q = new URLSearchParams();
    if (newAsof) q.set('asof', newAsof);
    q.set('tf', newTf);
    try {
      const [res, html] = await Promise.all([U.getJSON('/api/ideas/' + encodeURIComponent(meta.id) + '?' + q),
                                            U.getText('/ideas/' + encodeURIComponent(meta.id) + '/panel?' + q)]);
      if (my !== seq) return;
      const sameTf = newTf === tf;
      asof = newAsof; tf = newTf;
      document.getElementById('panel').innerHTML = html;  // server-rendered, escaped by Jinja2
      render(res.body, sameTf);
      const url = new URL(location.href);
      if (asof) url.searchParams.set('asof', asof); else url.searchParams.delete('asof');
      url.searchParams.set('tf', tf);
      history.replaceState(null, '', url);
      T.loads++;
    } catch (e) {
      T.errors.push(String(e));
      document.getElementById('state-line').textContent = 'could not load: ' + e.message;
    } finally {
      if (my === seq) T.ready = true;
    }
  }
  slider.addEventListener('input', function () { document.getElementById('asof-label').textContent = isoOf(slider.value); });
  slider.addEventListener('change', function () {
    const v = Number(slider.value);
    load(v >= span ? null : isoOf(v), tf);
  });
  document.getElementById('asof-latest').addEventListener('click', function () { slider.value = String(span); load(null, tf); });
  document.querySelectorAll('.tf button').forEach(function (btn) {
    btn.addEventListener('click', function () {
      document.querySelectorAll('.tf button').forEach(b => b.classList.toggle('on', b === btn));
      load(asof, btn.dataset.tf);
    });
  });
  T.setAsof = function (iso) { slider.value = String(iso ? dayOf(iso) : span); return load(iso, tf); };
  T.setTimeframe = function (t) { return load(asof, t); };
  T.lines = function () { return T.priceLines.map(p => ({ name: p.name, price: p.line.options().price, title: p.line.options().title })); };

  render(doc0, false);
  requestAnimationFrame(function () {
    requestAnimationFrame(function () { T.firstPaintMs = performance.now(); T.ready = true; });
  });
})();
