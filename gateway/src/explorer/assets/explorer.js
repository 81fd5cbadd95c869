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

const examplesPlugin = { title: 'Examples', icon: ExamplesIcon, content: ExamplesPanel };
const first = examples[0];
const props = {
  fetcher,
  plugins: [examplesPlugin],
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
