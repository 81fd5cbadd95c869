// The /insights page's chart: operations per minute per subgraph, drawn with uPlot (a classic
// script loaded before this one). The data is the page's own JSON (no request of its own).
const timeline = JSON.parse(document.getElementById('insights-data').textContent || '[]');
const target = document.getElementById('timeline');
const COLOURS = ['#3182bd', '#e6550d', '#31a354', '#756bb1', '#636363', '#d6616b', '#8c6d31', '#17becf'];

if (timeline.length === 0) {
  target.textContent = 'No requests yet.';
} else {
  // Every minute from the first to the last (at least the last hour), so quiet minutes show as zero.
  const last = Date.parse(timeline[timeline.length - 1].minute);
  const first = Math.min(Date.parse(timeline[0].minute), last - 59 * 60_000);
  const byMinute = new Map(timeline.map((m) => [Date.parse(m.minute), m]));
  const xs = [];
  for (let t = first; t <= last; t += 60_000) xs.push(t / 1000);
  const draw = (element, names, countOf, total) =>
    new window.uPlot(
      {
        width: Math.max(480, element.clientWidth),
        height: 260,
        series: [
          { label: 'minute' },
          ...(total ? [{ label: 'all requests', stroke: '#111', width: 2 }] : []),
          ...names.map((s, i) => ({ label: s, stroke: COLOURS[i % COLOURS.length], width: 1.5 })),
        ],
        axes: [{}, { size: 50 }],
      },
      [
        xs,
        ...(total ? [xs.map((x) => byMinute.get(x * 1000)?.requests ?? 0)] : []),
        ...names.map((n) => xs.map((x) => countOf(byMinute.get(x * 1000), n))),
      ],
      element,
    );
  const subgraphs = [...new Set(timeline.flatMap((m) => Object.keys(m.subgraphs)))].sort();
  draw(target, subgraphs, (m, s) => m?.subgraphs[s] ?? 0, true);
  // The types asked for most over the whole period.
  const typeTotals = new Map();
  for (const m of timeline)
    for (const [t, n] of Object.entries(m.types)) typeTotals.set(t, (typeTotals.get(t) ?? 0) + n);
  const types = [...typeTotals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([t]) => t);
  draw(document.getElementById('timeline-types'), types, (m, t) => m?.types[t] ?? 0, false);
}
