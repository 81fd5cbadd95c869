// Boots GraphiQL (UMD builds served by the gateway itself) with an "Examples" sidebar plugin.
// A browser ES module: no bundler, no CDN. React, ReactDOM and GraphiQL are globals set by the
// classic scripts loaded before this one (modules run after them).
const { React, ReactDOM, GraphiQL } = window;
const h = React.createElement;
const examples = JSON.parse(document.getElementById('explorer-examples').textContent || '[]');
// One client id per browser for the gateway's per-client limits (x-api-key): teams at a venue
// share one IP, and would otherwise share one limit. A random id, kept in this browser only.
function browserClientKey() {
  try {
    let key = window.localStorage.getItem('sodg-client-key');
    if (!key) {
      key = `explorer-${crypto.randomUUID()}`;
      window.localStorage.setItem('sodg-client-key', key);
    }
    return key;
  } catch {
    return undefined; // storage blocked: the gateway tells clients apart by IP
  }
}
const clientKey = browserClientKey();
const fetcher = GraphiQL.createFetcher({
  url: new URL('/graphql', window.location.href).toString(),
  ...(clientKey ? { headers: { 'x-api-key': clientKey } } : {}),
});

const variablesText = (example) =>
  Object.keys(example.variables).length > 0 ? JSON.stringify(example.variables, null, 2) : '';

function ExamplesIcon() {
  return h(
    'svg',
    { viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true },
    h('path', { d: 'M4 5h16M4 10h16M4 15h10M4 20h7', strokeLinecap: 'round' }),
  );
}

function ExamplesPanel() {
  const editor = GraphiQL.React.useEditorContext({ nonNull: true });
  const load = (example) => {
    editor.queryEditor?.setValue(example.query);
    editor.variableEditor?.setValue(variablesText(example));
    // GraphiQL re-derives the operation name from the editor after a debounce; set it now so a
    // run right after the click sends the example's operation, not the previous one.
    editor.setOperationName?.(example.operationName);
  };
  return h(
    'section',
    { className: 'explorer-examples', 'aria-label': 'Example queries' },
    h('div', { className: 'graphiql-doc-explorer-title' }, 'Examples'),
    h('p', { className: 'explorer-hint' }, 'Click an example to load it, then run it with ▶.'),
    examples.length === 0
      ? h('p', null, 'No examples found in schema/examples.')
      : h(
          'ul',
          null,
          examples.map((example) =>
            h(
              'li',
              { key: example.name },
              h(
                'button',
                {
                  type: 'button',
                  className: 'explorer-example',
                  'data-example': example.name,
                  onClick: () => load(example),
                },
                h('span', { className: 'explorer-example-title' }, example.title),
                h('span', { className: 'explorer-example-description' }, example.description),
              ),
            ),
          ),
        ),
  );
}

function TableIcon() {
  return h(
    'svg',
    { viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true },
    h('rect', { x: 3.5, y: 4.5, width: 17, height: 15, rx: 1 }),
    h('path', { d: 'M3.5 9.5h17M3.5 14.5h17M9.5 4.5v15', strokeLinecap: 'round' }),
  );
}

/** The export URL of the operation in the editor (GET /export runs it under the same limits). */
function exportUrl(editor, format, extra = {}) {
  const params = new URLSearchParams({ format, query: editor.queryEditor?.getValue() ?? '', ...extra });
  const variables = editor.variableEditor?.getValue() ?? '';
  if (variables.trim()) params.set('variables', variables);
  if (editor.operationName) params.set('operationName', editor.operationName);
  return `/export?${params}`;
}

/** GETs one of the gateway's JSON answers with this browser's client key; a refusal throws its message. */
async function fetchJson(url) {
  const res = await fetch(url, { headers: clientKey ? { 'x-api-key': clientKey } : {} });
  const body = await res.json();
  if (!res.ok) throw new Error(body.errors?.[0]?.message ?? `HTTP ${res.status}`);
  return { body, headers: res.headers };
}

/**
 * The answer as a table: the longest list in it (e.g. a county's municipalities), one row per item,
 * nested fields as dotted columns (the server's export flattening), sortable by any column, with
 * CSV and GeoJSON downloads of the same operation.
 */
function TablePanel() {
  const editor = GraphiQL.React.useEditorContext({ nonNull: true });
  const [state, setState] = React.useState({ status: 'idle' });
  const [sort, setSort] = React.useState({ column: null, descending: false });
  const show = async () => {
    setState({ status: 'loading' });
    try {
      const { body, headers } = await fetchJson(exportUrl(editor, 'json', { flat: 'true' }));
      setState({
        status: 'ready',
        columns: body.columns,
        rows: body.rows,
        path: headers.get('x-export-path') || '(the answer)',
        errors: body.errors?.length ?? 0,
      });
      setSort({ column: null, descending: false });
    } catch (err) {
      setState({ status: 'error', message: String(err.message ?? err) });
    }
  };
  let rows = state.rows ?? [];
  if (sort.column) {
    const c = sort.column;
    const key = (v) => (v === null || v === undefined || v === '' ? null : v);
    rows = [...rows].sort((a, b) => {
      const x = key(a[c]);
      const y = key(b[c]);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      const order =
        typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'sv');
      return sort.descending ? -order : order;
    });
  }
  const header = (column) =>
    h(
      'th',
      {
        key: column,
        scope: 'col',
        'aria-sort': sort.column === column ? (sort.descending ? 'descending' : 'ascending') : 'none',
        onClick: () => setSort((s) => ({ column, descending: s.column === column ? !s.descending : false })),
      },
      column,
      sort.column === column ? (sort.descending ? ' ▼' : ' ▲') : '',
    );
  return h(
    'section',
    { className: 'explorer-table', 'aria-label': 'Answer as a table' },
    h('div', { className: 'graphiql-doc-explorer-title' }, 'Table'),
    h(
      'p',
      { className: 'explorer-hint' },
      'Runs the operation in the editor and shows its longest list as a table. Click a column to sort.',
    ),
    h(
      'div',
      { className: 'explorer-table-actions' },
      h('button', { type: 'button', className: 'explorer-show-table', onClick: show }, 'Show as table'),
      h(
        'a',
        { className: 'explorer-download', href: exportUrl(editor, 'csv'), download: 'export.csv' },
        'CSV',
      ),
      h(
        'a',
        { className: 'explorer-download', href: exportUrl(editor, 'geojson'), download: 'export.geojson' },
        'GeoJSON',
      ),
    ),
    state.status === 'loading' ? h('p', null, 'Running…') : null,
    state.status === 'error' ? h('p', { className: 'explorer-error', role: 'alert' }, state.message) : null,
    state.status === 'ready'
      ? h(
          'div',
          null,
          h(
            'p',
            { className: 'explorer-hint' },
            `${state.rows.length} rows from ${state.path}`,
            state.errors ? ` — ${state.errors} error(s): some cells are empty` : '',
          ),
          h(
            'div',
            { className: 'explorer-table-scroll' },
            h(
              'table',
              null,
              h('thead', null, h('tr', null, state.columns.map(header))),
              h(
                'tbody',
                null,
                rows.map((row, i) =>
                  h(
                    'tr',
                    { key: i },
                    state.columns.map((c) =>
                      h('td', { key: c }, row[c] === null || row[c] === undefined ? '' : String(row[c])),
                    ),
                  ),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}

function MapIcon() {
  return h(
    'svg',
    { viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true },
    h('path', {
      d: 'M9 4.5 3.5 6.5v13l5.5-2 6 2 5.5-2v-13l-5.5 2-6-2Zm0 0v13m6-11v13',
      strokeLinejoin: 'round',
    }),
  );
}

/** Seven steps of one hue, light to dark: the choropleth's classes. */
const RAMP = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'];

/**
 * The answer on a map of Sweden: each row of its longest list as a feature (a municipality's or
 * county's outline from the embedded geography, or a point), coloured by a numeric column chosen
 * below (quantile classes). Sweden's counties are drawn underneath; no tile server, so it works
 * offline.
 */
function MapPanel() {
  const editor = GraphiQL.React.useEditorContext({ nonNull: true });
  const container = React.useRef(null);
  const mapRef = React.useRef(null);
  const layerRef = React.useRef(null);
  const [state, setState] = React.useState({ status: 'idle' });
  const [column, setColumn] = React.useState('');

  React.useEffect(() => {
    if (!container.current || mapRef.current) return;
    const map = window.L.map(container.current, {
      attributionControl: false,
      zoomSnap: 0.25,
      // No animations: the panel can be closed (and the map removed) at any moment.
      zoomAnimation: false,
      fadeAnimation: false,
      markerZoomAnimation: false,
    });
    map.setView([62.5, 16.5], 4);
    mapRef.current = map;
    const base = `{ counties { code name } }`;
    fetchJson(`/export?format=geojson&query=${encodeURIComponent(base)}`)
      .then(({ body: fc }) => {
        if (mapRef.current !== map) return; // the panel was closed meanwhile
        window.L.geoJSON(fc, {
          style: { color: '#8a8a8a', weight: 0.6, fillColor: '#f2f2f2', fillOpacity: 1 },
          interactive: false,
        }).addTo(map);
      })
      .catch(() => undefined);
    return () => {
      mapRef.current = null;
      map.remove();
    };
  }, []);

  const show = async () => {
    setState({ status: 'loading' });
    try {
      const { body: fc } = await fetchJson(exportUrl(editor, 'geojson'));
      const drawn = fc.features.filter((f) => f.geometry);
      const numeric = [
        ...new Set(
          drawn.flatMap((f) =>
            Object.entries(f.properties).flatMap(([k, v]) =>
              typeof v === 'number' && k !== 'rank' ? [k] : [],
            ),
          ),
        ),
      ];
      setColumn((c) => (numeric.includes(c) ? c : (numeric[0] ?? '')));
      setState({ status: 'ready', fc, drawn: drawn.length, total: fc.features.length, numeric });
    } catch (err) {
      setState({ status: 'error', message: String(err.message ?? err) });
    }
  };

  React.useEffect(() => {
    const map = mapRef.current;
    if (!map || state.status !== 'ready') return;
    layerRef.current?.remove();
    const values = state.fc.features
      .map((f) => f.properties[column])
      .filter((v) => typeof v === 'number')
      .sort((a, b) => a - b);
    const classOf = (v) => {
      if (typeof v !== 'number' || values.length === 0) return -1;
      const below = values.filter((x) => x < v).length;
      return Math.min(RAMP.length - 1, Math.floor((below / values.length) * RAMP.length));
    };
    const colour = (f) => RAMP[classOf(f.properties[column])] ?? '#d9d9d9';
    const label = (f) =>
      `${f.properties.name ?? f.properties['municipality.name'] ?? f.properties['county.name'] ?? f.properties.code ?? ''}` +
      (column ? `: ${column} ${f.properties[column] ?? '–'}` : '');
    const layer = window.L.geoJSON(state.fc, {
      style: (f) => ({ color: '#333', weight: 0.8, fillColor: colour(f), fillOpacity: 0.85 }),
      pointToLayer: (f, latlng) =>
        window.L.circleMarker(latlng, {
          radius: 6,
          color: '#333',
          weight: 1,
          fillColor: colour(f),
          fillOpacity: 0.9,
        }),
      onEachFeature: (f, l) => l.bindTooltip(label(f)),
    }).addTo(map);
    layerRef.current = layer;
    const bounds = layer.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], animate: false });
  }, [state, column]);

  const legend =
    state.status === 'ready' && column
      ? (() => {
          const values = state.fc.features
            .map((f) => f.properties[column])
            .filter((v) => typeof v === 'number');
          const min = Math.min(...values);
          const max = Math.max(...values);
          return h(
            'div',
            { className: 'explorer-legend' },
            h('span', null, Number.isFinite(min) ? min.toLocaleString('sv-SE') : ''),
            RAMP.map((c) => h('i', { key: c, style: { background: c } })),
            h('span', null, Number.isFinite(max) ? max.toLocaleString('sv-SE') : ''),
          );
        })()
      : null;

  return h(
    'section',
    { className: 'explorer-map', 'aria-label': 'Answer on a map' },
    h('div', { className: 'graphiql-doc-explorer-title' }, 'Map'),
    h(
      'p',
      { className: 'explorer-hint' },
      'Runs the operation in the editor and draws its longest list: municipalities and counties by their outlines, places and stations as points.',
    ),
    h(
      'div',
      { className: 'explorer-table-actions' },
      h('button', { type: 'button', className: 'explorer-show-map', onClick: show }, 'Show on map'),
      state.status === 'ready' && state.numeric.length > 0
        ? h(
            'label',
            null,
            'Colour by ',
            h(
              'select',
              { className: 'explorer-map-column', value: column, onChange: (e) => setColumn(e.target.value) },
              state.numeric.map((c) => h('option', { key: c, value: c }, c)),
            ),
          )
        : null,
    ),
    state.status === 'loading' ? h('p', null, 'Running…') : null,
    state.status === 'error' ? h('p', { className: 'explorer-error', role: 'alert' }, state.message) : null,
    state.status === 'ready'
      ? h(
          'p',
          { className: 'explorer-hint explorer-map-summary' },
          `${state.drawn} of ${state.total} rows drawn`,
          state.drawn < state.total ? ' (the others have no municipality, county or coordinates)' : '',
        )
      : null,
    legend,
    h('div', { ref: container, className: 'explorer-map-canvas' }),
  );
}

function ChartIcon() {
  return h(
    'svg',
    { viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor', strokeWidth: 1.5, 'aria-hidden': true },
    h('path', { d: 'M3.5 4v16.5H20M6.5 16l4-5 3.5 3 5-7', strokeLinecap: 'round', strokeLinejoin: 'round' }),
  );
}

/** Seconds since the epoch of a time-like cell (an ISO date or time, or a year), else null. */
function timeOf(value) {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1700 && value <= 2200)
    return Date.UTC(value, 0, 1) / 1000;
  if (
    typeof value !== 'string' ||
    !/^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/.test(value)
  )
    return null;
  const ms = Date.parse(value.length === 4 ? `${value}-01-01T00:00:00Z` : value);
  return Number.isNaN(ms) ? null : ms / 1000;
}

const SERIES_COLOURS = ['#3182bd', '#e6550d', '#31a354', '#756bb1', '#636363', '#d6616b'];

/**
 * The answer's longest list as line charts over time: the first column whose values are dates,
 * times or years is the x axis, every numeric column a line (forecast steps, observations,
 * groundwater levels, population history).
 */
function ChartPanel() {
  const editor = GraphiQL.React.useEditorContext({ nonNull: true });
  const container = React.useRef(null);
  const plotRef = React.useRef(null);
  const [state, setState] = React.useState({ status: 'idle' });
  const show = async () => {
    setState({ status: 'loading' });
    try {
      const { body } = await fetchJson(exportUrl(editor, 'json', { flat: 'true' }));
      const xColumn = body.columns.find(
        (c) =>
          body.rows.some((r) => timeOf(r[c]) !== null) &&
          body.rows.every((r) => r[c] === null || r[c] === undefined || timeOf(r[c]) !== null),
      );
      if (!xColumn)
        throw new Error(
          'The answer has no list with dates, times or years to chart (try a forecast, observations or a population history).',
        );
      const rows = body.rows
        .filter((r) => timeOf(r[xColumn]) !== null)
        .sort((a, b) => timeOf(a[xColumn]) - timeOf(b[xColumn]));
      const yColumns = body.columns.filter(
        (c) => c !== xColumn && c !== 'rank' && rows.some((r) => typeof r[c] === 'number'),
      );
      if (yColumns.length === 0) throw new Error(`No numeric column to draw against ${xColumn}.`);
      setState({ status: 'ready', xColumn, yColumns, rows });
    } catch (err) {
      setState({ status: 'error', message: String(err.message ?? err) });
    }
  };
  React.useEffect(() => {
    plotRef.current?.destroy();
    plotRef.current = null;
    if (state.status !== 'ready' || !container.current) return;
    const { xColumn, yColumns, rows } = state;
    const data = [
      rows.map((r) => timeOf(r[xColumn])),
      ...yColumns.map((c) => rows.map((r) => (typeof r[c] === 'number' ? r[c] : null))),
    ];
    const width = Math.max(320, container.current.clientWidth);
    plotRef.current = new window.uPlot(
      {
        width,
        height: 320,
        series: [
          { label: xColumn },
          ...yColumns.map((c, i) => ({
            label: c,
            stroke: SERIES_COLOURS[i % SERIES_COLOURS.length],
            width: 2,
            spanGaps: true,
          })),
        ],
        axes: [{}, { size: 60 }],
      },
      data,
      container.current,
    );
    return () => {
      plotRef.current?.destroy();
      plotRef.current = null;
    };
  }, [state]);
  return h(
    'section',
    { className: 'explorer-chart', 'aria-label': 'Answer as a chart' },
    h('div', { className: 'graphiql-doc-explorer-title' }, 'Chart'),
    h(
      'p',
      { className: 'explorer-hint' },
      'Runs the operation in the editor and draws its longest list over time: one line per numeric column.',
    ),
    h(
      'div',
      { className: 'explorer-table-actions' },
      h('button', { type: 'button', className: 'explorer-show-chart', onClick: show }, 'Show as chart'),
    ),
    state.status === 'loading' ? h('p', null, 'Running…') : null,
    state.status === 'error' ? h('p', { className: 'explorer-error', role: 'alert' }, state.message) : null,
    state.status === 'ready'
      ? h(
          'p',
          { className: 'explorer-hint explorer-chart-summary' },
          `${state.rows.length} points of ${state.yColumns.join(', ')} over ${state.xColumn}`,
        )
      : null,
    h('div', { ref: container, className: 'explorer-chart-canvas' }),
  );
}

const examplesPlugin = { title: 'Examples', icon: ExamplesIcon, content: ExamplesPanel };
const chartPlugin = { title: 'Chart', icon: ChartIcon, content: ChartPanel };
const mapPlugin = { title: 'Map', icon: MapIcon, content: MapPanel };
const tablePlugin = { title: 'Table', icon: TableIcon, content: TablePanel };
const first = examples[0];
const props = {
  fetcher,
  plugins: [examplesPlugin, tablePlugin, mapPlugin, chartPlugin],
  visiblePlugin: examplesPlugin,
  shouldPersistHeaders: false,
  // Examples may take variables: keep the variables pane open so they are visible.
  defaultEditorToolsVisibility: 'variables',
};
if (first) {
  props.defaultQuery = first.query;
  props.defaultTabs = [{ query: first.query, variables: variablesText(first) }];
}
ReactDOM.createRoot(document.getElementById('explorer')).render(h(GraphiQL, props));
