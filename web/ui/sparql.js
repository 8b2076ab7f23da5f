// sparql.js: the SPARQL page (/sparql) of the fairdex browser UI.  An
// editor for a query (Tab indents, Ctrl/Cmd+Enter runs) with example
// queries for the catalogue; the query it runs is kept in the URL fragment
// (#query=...) so that a link shares it and the back button returns to the
// previous one.  SELECT results become a table (IRIs link to their local
// pages, shown as prefixed names), ASK a yes or no, CONSTRUCT and DESCRIBE
// Turtle text; each with the time it took, measured in the browser, and
// download links in every result format the endpoint offers.  A syntax
// error shows the server's message and points at its line and column.

import { lang, base, addTexts, t, el, clear, main, localHref, formatNumber } from './common.js';

addTexts({
  en: {
    'sparql.title': 'SPARQL',
    'sparql.intro': 'Query the catalogue with SPARQL 1.1: its datasets, distributions, publishers and the controlled vocabularies. Only reading queries run here; nothing is changed.',
    'sparql.examples': 'Example queries',
    'sparql.examples.choose': 'Choose an example…',
    'sparql.query': 'Query',
    'sparql.help': 'Ctrl+Enter (⌘+Enter on a Mac) runs the query. Tab indents; press Esc, then Tab, to leave the editor.',
    'sparql.run': 'Run query',
    'sparql.running': 'Running the query…',
    'sparql.position': 'Line {line}, column {column}',
    'sparql.results': 'Results',
    'sparql.empty': 'Write a query or choose an example, then run it.',
    'sparql.rows': '{count} rows in {ms} ms',
    'sparql.rows.one': '1 row in {ms} ms',
    'sparql.rows.shown': 'The table shows the first {shown} rows; the downloads hold all {count}.',
    'sparql.caption': 'Query results: {count} rows, columns {vars}',
    'sparql.caption.one': 'Query results: 1 row, columns {vars}',
    'sparql.ask': 'Answer in {ms} ms',
    'sparql.ask.yes': 'Yes',
    'sparql.ask.no': 'No',
    'sparql.ask.label': 'The answer to the ASK query',
    'sparql.graph': 'Graph of {count} lines of Turtle in {ms} ms',
    'sparql.graph.label': 'The resulting graph as Turtle',
    'sparql.prefixes': '{count} prefix declarations',
    'sparql.downloads': 'Download the results:',
    'sparql.download.title': 'Download the results of this query as {format}',
    'sparql.error': 'The query failed: {message}',
    'sparql.error.at': 'Line {line}, column {column}:',
    'sparql.error.show': 'Show the position in the editor',
    'sparql.error.network': 'The server could not be reached. Check the connection and try again.',
    'sparql.unbound': 'unbound',
    'sparql.bnode': 'blank node',
    'example.themes': 'Datasets by theme, with counts',
    'example.publishers': 'Datasets with their publishers',
    'example.formats': 'Distributions by file format',
    'example.modified': 'Recently modified datasets',
    'example.ask': 'ASK: is there a public dataset with a CSV file?',
    'example.construct': 'CONSTRUCT: one dataset with its distributions',
    'example.keyword': 'Keyword search (CONTAINS, LCASE)',
    'example.vocabularies': 'Vocabularies: concepts and top concepts (skos:broader*)',
  },
  de: {
    'sparql.title': 'SPARQL',
    'sparql.intro': 'Den Katalog mit SPARQL 1.1 abfragen: Datensätze, Distributionen, Herausgeber und die kontrollierten Vokabulare. Hier laufen nur lesende Abfragen; nichts wird geändert.',
    'sparql.examples': 'Beispielabfragen',
    'sparql.examples.choose': 'Beispiel wählen…',
    'sparql.query': 'Abfrage',
    'sparql.help': 'Strg+Enter (⌘+Enter auf dem Mac) führt die Abfrage aus. Tab rückt ein; Esc und dann Tab verlässt den Editor.',
    'sparql.run': 'Abfrage ausführen',
    'sparql.running': 'Die Abfrage läuft…',
    'sparql.position': 'Zeile {line}, Spalte {column}',
    'sparql.results': 'Ergebnisse',
    'sparql.empty': 'Schreiben Sie eine Abfrage oder wählen Sie ein Beispiel und führen Sie es aus.',
    'sparql.rows': '{count} Zeilen in {ms} ms',
    'sparql.rows.one': '1 Zeile in {ms} ms',
    'sparql.rows.shown': 'Die Tabelle zeigt die ersten {shown} Zeilen; die Downloads enthalten alle {count}.',
    'sparql.caption': 'Abfrageergebnisse: {count} Zeilen, Spalten {vars}',
    'sparql.caption.one': 'Abfrageergebnisse: 1 Zeile, Spalten {vars}',
    'sparql.ask': 'Antwort in {ms} ms',
    'sparql.ask.yes': 'Ja',
    'sparql.ask.no': 'Nein',
    'sparql.ask.label': 'Die Antwort auf die ASK-Abfrage',
    'sparql.graph': 'Graph aus {count} Zeilen Turtle in {ms} ms',
    'sparql.graph.label': 'Der Ergebnisgraph als Turtle',
    'sparql.prefixes': '{count} Präfix-Deklarationen',
    'sparql.downloads': 'Ergebnisse herunterladen:',
    'sparql.download.title': 'Die Ergebnisse dieser Abfrage als {format} herunterladen',
    'sparql.error': 'Die Abfrage ist fehlgeschlagen: {message}',
    'sparql.error.at': 'Zeile {line}, Spalte {column}:',
    'sparql.error.show': 'Die Stelle im Editor zeigen',
    'sparql.error.network': 'Der Server ist nicht erreichbar. Bitte Verbindung prüfen und erneut versuchen.',
    'sparql.unbound': 'ungebunden',
    'sparql.bnode': 'leerer Knoten',
    'example.themes': 'Datensätze nach Thema, mit Anzahl',
    'example.publishers': 'Datensätze mit ihren Herausgebern',
    'example.formats': 'Distributionen nach Dateiformat',
    'example.modified': 'Zuletzt geänderte Datensätze',
    'example.ask': 'ASK: Gibt es einen öffentlichen Datensatz mit CSV-Datei?',
    'example.construct': 'CONSTRUCT: ein Datensatz mit seinen Distributionen',
    'example.keyword': 'Schlagwortsuche (CONTAINS, LCASE)',
    'example.vocabularies': 'Vokabulare: Begriffe und Top-Begriffe (skos:broader*)',
  },
});

// ---- prefixes and example queries --------------------------------------------

const STANDARD_PREFIXES = {
  dcat: 'http://www.w3.org/ns/dcat#',
  dct: 'http://purl.org/dc/terms/',
  foaf: 'http://xmlns.com/foaf/0.1/',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
};

// Further namespaces the catalogue uses, for showing IRIs shortly.
const DISPLAY_PREFIXES = {
  ...STANDARD_PREFIXES,
  owl: 'http://www.w3.org/2002/07/owl#',
  vcard: 'http://www.w3.org/2006/vcard/ns#',
  adms: 'http://www.w3.org/ns/adms#',
  dcatap: 'http://data.europa.eu/r5r/',
  prov: 'http://www.w3.org/ns/prov#',
  dc: 'http://purl.org/dc/elements/1.1/',
  healthdcatap: 'http://healthdataportal.eu/ns/health#',
  'eu-theme': 'http://publications.europa.eu/resource/authority/data-theme/',
  'eu-ft': 'http://publications.europa.eu/resource/authority/file-type/',
  'eu-ar': 'http://publications.europa.eu/resource/authority/access-right/',
  'eu-freq': 'http://publications.europa.eu/resource/authority/frequency/',
  'eu-lang': 'http://publications.europa.eu/resource/authority/language/',
  'eu-licence': 'http://publications.europa.eu/resource/authority/licence/',
};

const prefixBlock = Object.entries(STANDARD_PREFIXES)
  .map(([name, iri]) => `PREFIX ${name}: <${iri}>`).join('\n');

// Labels and titles in the page's language.
const LANG = JSON.stringify(lang);

const EXAMPLES = [
  {
    key: 'example.themes',
    body: `SELECT ?theme ?label (COUNT(DISTINCT ?dataset) AS ?datasets)
WHERE {
  ?dataset a dcat:Dataset ;
           dcat:theme ?theme .
  OPTIONAL {
    ?theme skos:prefLabel ?label .
    FILTER(LANGMATCHES(LANG(?label), ${LANG}))
  }
}
GROUP BY ?theme ?label
ORDER BY DESC(?datasets)`,
  },
  {
    key: 'example.publishers',
    body: `SELECT ?dataset ?title ?publisher ?name
WHERE {
  ?dataset a dcat:Dataset ;
           dct:title ?title ;
           dct:publisher ?publisher .
  ?publisher foaf:name ?name .
  FILTER(LANGMATCHES(LANG(?title), ${LANG}) && LANGMATCHES(LANG(?name), ${LANG}))
}
ORDER BY ?name ?title`,
  },
  {
    key: 'example.formats',
    body: `SELECT ?format ?label (COUNT(?distribution) AS ?distributions)
WHERE {
  ?distribution a dcat:Distribution ;
                dct:format ?format .
  OPTIONAL {
    ?format skos:prefLabel ?label .
    FILTER(LANGMATCHES(LANG(?label), "en"))
  }
}
GROUP BY ?format ?label
ORDER BY DESC(?distributions)`,
  },
  {
    key: 'example.modified',
    body: `SELECT ?dataset ?title ?modified
WHERE {
  ?dataset a dcat:Dataset ;
           dct:title ?title ;
           dct:modified ?modified .
  FILTER(LANGMATCHES(LANG(?title), ${LANG}))
}
ORDER BY DESC(?modified)
LIMIT 10`,
  },
  {
    key: 'example.ask',
    body: `ASK {
  ?dataset a dcat:Dataset ;
           dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> ;
           dcat:distribution/dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> .
}`,
  },
  {
    key: 'example.construct',
    body: `CONSTRUCT {
  ?dataset ?p ?o .
  ?distribution ?dp ?do .
}
WHERE {
  VALUES ?dataset { <https://fairdex.example.org/dataset/kardio-mrt> }
  { ?dataset ?p ?o }
  UNION
  { ?dataset dcat:distribution ?distribution .
    ?distribution ?dp ?do }
}`,
  },
  {
    key: 'example.keyword',
    body: `# Datasets with a keyword containing "herz" (heart), in any case
SELECT DISTINCT ?dataset ?title ?keyword
WHERE {
  ?dataset a dcat:Dataset ;
           dct:title ?title ;
           dcat:keyword ?keyword .
  FILTER(CONTAINS(LCASE(STR(?keyword)), "herz"))
  FILTER(LANGMATCHES(LANG(?title), ${LANG}))
}
ORDER BY ?title`,
  },
  {
    key: 'example.vocabularies',
    body: `# Per vocabulary: its concepts and the top concepts they lead to
# along skos:broader (zero or more steps)
SELECT ?scheme (COUNT(DISTINCT ?concept) AS ?concepts) (COUNT(DISTINCT ?top) AS ?topConcepts)
WHERE {
  ?concept skos:inScheme ?scheme ;
           skos:broader* ?top .
  FILTER NOT EXISTS { ?top skos:broader ?higher }
}
GROUP BY ?scheme
ORDER BY DESC(?concepts)`,
  },
].map((example) => ({ ...example, query: prefixBlock + '\n\n' + example.body + '\n' }));

// ---- reading the query ------------------------------------------------------------

// The query form after the prologue (comments, PREFIX and BASE
// declarations): 'select', 'ask', 'construct', 'describe', or '' when the
// text starts with something else.
export function queryForm(text) {
  let rest = text;
  for (;;) {
    const skipped = rest.replace(/^(\s+|#[^\n]*)+/, '')
      .replace(/^PREFIX\s*[^\s:]*:\s*<[^>]*>/i, '')
      .replace(/^BASE\s*<[^>]*>/i, '');
    if (skipped === rest) break;
    rest = skipped;
  }
  const m = /^(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i.exec(rest);
  return m ? m[1].toLowerCase() : '';
}

const isGraphForm = (form) => form === 'construct' || form === 'describe';

// The PREFIX declarations of the query, to show its own names too.
function declaredPrefixes(text) {
  const found = {};
  const re = /PREFIX\s+([^\s:]*):\s*<([^>]*)>/gi;
  let m;
  while ((m = re.exec(text))) found[m[1]] = m[2];
  return found;
}

// ---- result formats --------------------------------------------------------------

const TABLE_FORMATS = [
  { format: 'json', label: 'JSON', extension: 'json', accept: 'application/sparql-results+json' },
  { format: 'xml', label: 'XML', extension: 'xml', accept: 'application/sparql-results+xml' },
  { format: 'csv', label: 'CSV', extension: 'csv', accept: 'text/csv' },
  { format: 'tsv', label: 'TSV', extension: 'tsv', accept: 'text/tab-separated-values' },
];
const GRAPH_FORMATS = [
  { format: 'turtle', label: 'Turtle', extension: 'ttl', accept: 'text/turtle' },
  { format: 'ntriples', label: 'N-Triples', extension: 'nt', accept: 'application/n-triples' },
  { format: 'rdfxml', label: 'RDF/XML', extension: 'rdf', accept: 'application/rdf+xml' },
  { format: 'jsonld', label: 'JSON-LD', extension: 'jsonld', accept: 'application/ld+json' },
];

// Longer GET links than this fetch by POST instead.
const MAX_URL_LENGTH = 2000;
// The table shows at most this many rows; the downloads hold all.
const MAX_TABLE_ROWS = 2000;

const endpoint = (query, format) =>
  '/sparql?' + new URLSearchParams(format ? { query, format } : { query }).toString();

// POST the query form-encoded; answers the fetch Response.
function postQuery(query, accept, signal) {
  return fetch('/sparql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: accept },
    body: new URLSearchParams({ query }).toString(),
    signal,
  });
}

// ---- the page -------------------------------------------------------------------

const editor = el('textarea', {
  id: 'sparql-query', class: 'code', name: 'query', rows: 16, spellcheck: 'false',
  autocapitalize: 'off', autocomplete: 'off', 'aria-describedby': 'sparql-help',
});
const position = el('span', { class: 'sparql-position muted', 'aria-hidden': 'true' });
const examples = el('select', { id: 'sparql-examples' },
  el('option', { value: '' }, t('sparql.examples.choose')),
  EXAMPLES.map((example, i) => el('option', { value: String(i) }, t(example.key))));
const runButton = el('button', { type: 'submit', id: 'sparql-run' }, t('sparql.run'));
const status = el('div', { id: 'sparql-status', class: 'sparql-status', role: 'status', 'aria-live': 'polite' });
const errorBox = el('div', { id: 'sparql-error', role: 'alert' });
const downloads = el('div', { id: 'sparql-downloads', class: 'sparql-downloads' });
const output = el('div', { id: 'sparql-output' });
const results = el('section', { id: 'sparql-results', class: 'sparql-results', 'aria-labelledby': 'sparql-results-title' },
  el('h2', { id: 'sparql-results-title' }, t('sparql.results')),
  status, errorBox, downloads, output);

const form = el('form', { class: 'sparql-form', onsubmit: (e) => { e.preventDefault(); runFromEditor(); } },
  el('div', { class: 'field sparql-examples' },
    el('label', { for: 'sparql-examples' }, t('sparql.examples')), examples),
  el('div', { class: 'field' },
    el('label', { for: 'sparql-query' }, t('sparql.query')), editor,
    el('div', { class: 'sparql-editor-foot' },
      el('small', { id: 'sparql-help' }, t('sparql.help')), position)),
  el('div', { class: 'toolbar' }, runButton));

main().append(el('h1', {}, t('sparql.title')), el('p', {}, t('sparql.intro')), form, results);
status.append(t('sparql.empty'));

// ---- the editor --------------------------------------------------------------------

// Tab leaves the editor after Esc; otherwise it indents.
let tabLeaves = false;

function insertText(text) {
  // execCommand keeps the browser's undo history; setRangeText where it is gone.
  if (!document.execCommand || !document.execCommand('insertText', false, text)) {
    editor.setRangeText(text, editor.selectionStart, editor.selectionEnd, 'end');
  }
}

function indentSelection() {
  const { value, selectionStart: start, selectionEnd: end } = editor;
  if (!value.slice(start, end).includes('\n')) {
    insertText('  ');
    return;
  }
  const lineStart = value.lastIndexOf('\n', start - 1) + 1;
  const block = value.slice(lineStart, end);
  editor.setSelectionRange(lineStart, end);
  insertText(block.replace(/^/gm, '  '));
  editor.setSelectionRange(start + 2, lineStart + block.length + 2 * block.split('\n').length);
}

editor.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    runFromEditor();
    return;
  }
  if (e.key === 'Escape') {
    tabLeaves = true;
    return;
  }
  if (e.key === 'Tab' && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey && !tabLeaves) {
    e.preventDefault();
    indentSelection();
  }
  tabLeaves = false;
});
editor.addEventListener('blur', () => { tabLeaves = false; });

// The caret's line and column, counted as the server counts them (1-based,
// in characters).
function caretPosition() {
  const before = editor.value.slice(0, editor.selectionStart);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: Array.from(before.slice(lineStart)).length + 1 };
}

function showPosition() {
  position.textContent = t('sparql.position', caretPosition());
}
for (const type of ['keyup', 'click', 'input', 'focus', 'select']) editor.addEventListener(type, showPosition);
editor.addEventListener('input', () => syncExampleChoice());

// Make the editor tall enough for `text` (within reason), then fill it.
function setEditorText(text) {
  editor.rows = Math.min(Math.max(text.split('\n').length + 1, 8), 30);
  editor.value = text;
  editor.setSelectionRange(0, 0);
}

// The offset in the editor of line `line`, column `column` (1-based, in
// characters), clamped to the text.
function offsetOf(text, line, column) {
  const lines = text.split('\n');
  const index = Math.min(Math.max(line, 1), lines.length) - 1;
  let offset = 0;
  for (let i = 0; i < index; i += 1) offset += lines[i].length + 1;
  const chars = Array.from(lines[index]);
  const within = chars.slice(0, Math.min(Math.max(column, 1), chars.length + 1) - 1).join('').length;
  return offset + within;
}

// The width of one character in the editor's monospace font.
function editorCharWidth() {
  const probe = el('span', { 'aria-hidden': 'true' }, '0'.repeat(20));
  probe.style.font = getComputedStyle(editor).font;
  probe.style.position = 'absolute';
  probe.style.visibility = 'hidden';
  probe.style.whiteSpace = 'pre';
  document.body.append(probe);
  const width = probe.getBoundingClientRect().width / 20;
  probe.remove();
  return width || 8;
}

// Select the character at line/column and scroll the editor to it.
function selectPosition(line, column) {
  const offset = offsetOf(editor.value, line, column);
  const end = Math.min(offset + 1, editor.value.length);
  editor.setSelectionRange(offset, end === offset ? offset : end);
  const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 20;
  editor.scrollTop = Math.max(0, (line - 3) * lineHeight);
  editor.scrollLeft = Math.max(0, (column - 1) * editorCharWidth() - editor.clientWidth / 2);
  showPosition();
}

examples.addEventListener('change', () => {
  const example = EXAMPLES[Number(examples.value)];
  if (!examples.value || !example) return;
  setEditorText(example.query);
  editor.setSelectionRange(0, 0);
  editor.scrollTop = 0;
  showPosition();
});

// The example whose text the editor holds, selected in the list.
function syncExampleChoice() {
  const i = EXAMPLES.findIndex((example) => example.query === editor.value);
  examples.value = i < 0 ? '' : String(i);
}

// ---- the URL fragment -----------------------------------------------------------------

function queryInFragment() {
  return new URLSearchParams(location.hash.slice(1)).get('query');
}

function runFromEditor() {
  const query = editor.value;
  if (!query.trim()) return;
  if (queryInFragment() !== query) {
    // A new history entry; hashchange sees the editor already holds it.
    location.hash = new URLSearchParams({ query }).toString();
  }
  run(query);
}

window.addEventListener('hashchange', () => {
  const query = queryInFragment();
  if (query === null || query === editor.value) return;
  setEditorText(query);
  syncExampleChoice();
  run(query);
});

// ---- running -------------------------------------------------------------------------------

let running = null;

async function run(query) {
  if (running) running.abort();
  const controller = new AbortController();
  running = controller;
  const graph = isGraphForm(queryForm(query));
  clear(errorBox);
  clear(downloads);
  clear(output);
  clear(status).append(t('sparql.running'));
  results.setAttribute('aria-busy', 'true');
  const started = performance.now();
  try {
    const response = await postQuery(query, graph ? 'text/turtle' : 'application/sparql-results+json', controller.signal);
    const text = await response.text();
    if (!response.ok) {
      showError(query, response.status, text);
      return;
    }
    if (graph) {
      const ms = Math.round(performance.now() - started);
      showGraph(text, ms);
    } else {
      const json = JSON.parse(text);
      const ms = Math.round(performance.now() - started);
      if (typeof json.boolean === 'boolean') showAnswer(json.boolean, ms);
      else showTable(json, ms, declaredPrefixes(query));
    }
    showDownloads(query, graph ? GRAPH_FORMATS : TABLE_FORMATS);
  } catch (e) {
    if (e.name === 'AbortError') return;
    clear(status);
    errorBox.append(el('p', { class: 'notice error' },
      e instanceof SyntaxError ? t('sparql.error', { message: e.message }) : t('sparql.error.network')));
  } finally {
    if (running === controller) {
      running = null;
      results.removeAttribute('aria-busy');
    }
  }
}

// ---- showing results ----------------------------------------------------------------------

// The shortest prefixed name of `iri` under `prefixes`, or null.
function prefixedName(iri, prefixes) {
  let best = null;
  for (const [name, namespace] of Object.entries(prefixes)) {
    if (!iri.startsWith(namespace) || iri.length === namespace.length) continue;
    const local = iri.slice(namespace.length);
    if (!/^[\p{L}\p{N}_][\p{L}\p{N}_.\-]*$/u.test(local) || local.endsWith('.')) continue;
    const candidate = name + ':' + local;
    if (!best || candidate.length < best.length) best = candidate;
  }
  return best;
}

// An IRI under the catalogue's base as its local path (/dataset/x), or null.
function localPath(iri) {
  return base && iri.startsWith(base) && iri.length > base.length ? '/' + iri.slice(base.length) : null;
}

const XSD_STRING = STANDARD_PREFIXES.xsd + 'string';
const RDF_LANG_STRING = STANDARD_PREFIXES.rdf + 'langString';

function termCell(term, prefixes) {
  if (!term) return el('td', { class: 'unbound' }, el('span', { class: 'visually-hidden' }, t('sparql.unbound')));
  if (term.type === 'uri') {
    const short = prefixedName(term.value, prefixes) || localPath(term.value);
    return el('td', { class: 'term-iri' },
      el('a', { href: localHref(term.value), title: term.value }, short || term.value));
  }
  if (term.type === 'bnode') {
    return el('td', { class: 'term-bnode' }, el('span', { title: t('sparql.bnode') }, '_:' + term.value));
  }
  const lang = term['xml:lang'];
  const datatype = term.datatype;
  return el('td', { class: 'term-literal' },
    el('span', { class: 'literal', lang: lang || undefined }, term.value),
    lang ? el('span', { class: 'term-note' }, '@' + lang) : null,
    datatype && datatype !== XSD_STRING && datatype !== RDF_LANG_STRING
      ? el('span', { class: 'term-note', title: datatype }, '^^' + (prefixedName(datatype, prefixes) || '<' + datatype + '>'))
      : null);
}

function showTable(json, ms, queryPrefixes) {
  const vars = (json.head && json.head.vars) || [];
  const bindings = (json.results && json.results.bindings) || [];
  const prefixes = { ...DISPLAY_PREFIXES, ...queryPrefixes };
  const count = bindings.length;
  clear(status).append(count === 1
    ? t('sparql.rows.one', { ms: formatNumber(ms) })
    : t('sparql.rows', { count: formatNumber(count), ms: formatNumber(ms) }));
  const shown = bindings.slice(0, MAX_TABLE_ROWS);
  const varList = vars.map((v) => '?\u2060' + v).join(', ');
  const table = el('table', { class: 'sparql-table' },
    el('caption', {}, count === 1
      ? t('sparql.caption.one', { vars: varList })
      : t('sparql.caption', { count: formatNumber(count), vars: varList })),
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', class: 'row-number' }, '#'),
      vars.map((v) => el('th', { scope: 'col' }, '?' + v)))),
    el('tbody', {}, shown.map((row, i) => el('tr', {},
      el('th', { scope: 'row', class: 'row-number' }, formatNumber(i + 1)),
      vars.map((v) => {
        const cell = termCell(row[v], prefixes);
        cell.dataset.label = '?' + v;
        return cell;
      })))));
  output.append(el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('sparql.results') }, table));
  if (count > shown.length) {
    output.append(el('p', { class: 'notice' },
      t('sparql.rows.shown', { shown: formatNumber(shown.length), count: formatNumber(count) })));
  }
}

function showAnswer(answer, ms) {
  clear(status).append(t('sparql.ask', { ms: formatNumber(ms) }));
  output.append(el('p', { class: 'sparql-answer ' + (answer ? 'yes' : 'no') },
    el('span', { class: 'visually-hidden' }, t('sparql.ask.label') + ': '),
    el('span', { class: 'sparql-answer-value' }, answer ? t('sparql.ask.yes') : t('sparql.ask.no'))));
}

function showGraph(turtle, ms) {
  const lines = turtle ? turtle.replace(/\n$/, '').split('\n').length : 0;
  clear(status).append(t('sparql.graph', { count: formatNumber(lines), ms: formatNumber(ms) }));
  // The server declares every prefix it knows: fold them away from the triples.
  const prologue = /^(?:(?:@prefix|@base|PREFIX|BASE)\b[^\n]*\n|[ \t]*\n)*/i.exec(turtle)[0];
  const declarations = prologue.split('\n').filter((line) => line.trim()).length;
  if (declarations > 0) {
    output.append(el('details', { class: 'sparql-prefixes' },
      el('summary', {}, t('sparql.prefixes', { count: formatNumber(declarations) })),
      el('pre', { class: 'sparql-turtle' }, el('code', {}, prologue.trimEnd()))));
  }
  output.append(el('pre', { class: 'sparql-turtle sparql-triples', tabindex: '0', role: 'region', 'aria-label': t('sparql.graph.label') },
    el('code', {}, turtle.slice(prologue.length))));
}

// ---- downloads ------------------------------------------------------------------------------

// Download a long query's results: POST it, then save the answer.
async function downloadByPost(query, format, filename) {
  try {
    const response = await postQuery(query, format.accept);
    if (!response.ok) throw new Error(String(response.status));
    const url = URL.createObjectURL(await response.blob());
    const link = el('a', { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) {
    clear(errorBox).append(el('p', { class: 'notice error' }, t('sparql.error.network')));
  }
}

function showDownloads(query, formats) {
  const items = formats.map((format) => {
    const filename = 'query-results.' + format.extension;
    const href = endpoint(query, format.format);
    const title = t('sparql.download.title', { format: format.label });
    if (href.length <= MAX_URL_LENGTH) {
      return el('li', {}, el('a', {
        class: 'button secondary', href, download: filename, title, dataset: { format: format.format },
      }, format.label));
    }
    return el('li', {}, el('button', {
      type: 'button', class: 'secondary', title, dataset: { format: format.format },
      onclick: () => downloadByPost(query, format, filename),
    }, format.label));
  });
  downloads.append(el('span', { id: 'sparql-downloads-label' }, t('sparql.downloads')),
    el('ul', { 'aria-labelledby': 'sparql-downloads-label' }, items));
}

// ---- errors ----------------------------------------------------------------------------------

function showError(query, httpStatus, text) {
  let message = '';
  try {
    const json = JSON.parse(text);
    message = (json && (json.message || json.error)) || '';
  } catch (e) {
    message = text.trim().slice(0, 500);
  }
  if (!message) message = 'HTTP ' + httpStatus;
  clear(status);
  const box = el('div', { class: 'notice error sparql-error' }, el('p', {}, t('sparql.error', { message })));
  const at = /line (\d+), column (\d+)/.exec(message);
  if (!at) {
    errorBox.append(box);
    return;
  }
  const line = Number(at[1]);
  const column = Number(at[2]);
  const lines = query.split('\n');
  const offending = lines[Math.min(line, lines.length) - 1] || '';
  const chars = Array.from(offending);
  // Tabs stay tabs under the caret so that it lines up.
  const pad = chars.slice(0, Math.max(0, column - 1)).map((c) => (c === '\t' ? '\t' : ' ')).join('');
  const gutter = String(line) + ' | ';
  const caretMark = el('span', { class: 'sparql-caret' }, '^');
  const lineView = el('pre', { class: 'sparql-error-line' },
    el('code', {}, gutter + offending + '\n' + ' '.repeat(gutter.length) + pad, caretMark));
  box.append(
    el('span', { class: 'sparql-error-at' }, t('sparql.error.at', { line, column })),
    lineView,
    el('button', { type: 'button', class: 'secondary', onclick: () => { editor.focus(); selectPosition(line, column); } },
      t('sparql.error.show')));
  errorBox.append(box);
  // A long line scrolls sideways to show the caret.
  lineView.scrollLeft = Math.max(0, caretMark.offsetLeft - lineView.clientWidth / 2);
  selectPosition(line, column);
}

// ---- start -------------------------------------------------------------------------------------

const shared = queryInFragment();
if (shared !== null && shared.trim()) {
  setEditorText(shared);
  syncExampleChoice();
  run(shared);
} else {
  setEditorText(EXAMPLES[0].query);
  examples.value = '0';
}
showPosition();
