// admin.js: the harvesting page at /admin, for the operator of
// `fairdex serve --harvest-config FILE`.  Three views, each with its own
// URL so it can be linked and the back button steps through them:
//   /admin              the configured sources (/api/sources): where each
//                       harvests from, its schedule, next run, its last
//                       run's status, time and counts, and a button that
//                       starts a run now (POST /api/sources/NAME/harvest,
//                       admin token), then follows it until it ends;
//   /admin?source=NAME  one source and its runs, newest first (/api/runs);
//   /admin?run=ID       one run report (/api/runs/ID): counts, status,
//                       times, every error with its record or page, and
//                       the datasets whose current record this run wrote
//                       (found over /sparql by prov:wasGeneratedBy).
// Reading needs no token; starting a run needs an admin token, entered
// once per browser session in the token panel.  While a run is queued or
// in progress the view asks the server again every 1.5 s.

import {
  ApiError, addTexts, api, base, clear, el, formatNumber, getToken, lang, localHref, main, notice, t, tokenPanel,
} from './common.js';

addTexts({
  en: {
    'page.title': 'Harvesting',
    'page.intro': 'The sources this server harvests, their schedules and the reports of their runs.',
    'page.source': 'Harvest source {name}',
    'page.run': 'Harvest run {id}',
    'crumbs': 'You are here',
    'crumbs.sources': 'All sources',
    'empty.title': 'This server harvests nothing.',
    'empty.how': 'It was started without a harvest configuration. Write the sources into a JSON file and start the server with',
    'empty.readme': 'The README’s section “Harvesting” describes the file (source types dcat, fdp, ckan, oai-pmh, schemaorg and folder, schedules, limits).',
    'empty.runs': 'Reports of runs made with “fairdex harvest” are still kept; open one as /admin?run=ID.',
    'sources.caption': 'Configured sources',
    'sources.none': 'The harvest configuration lists no sources.',
    'col.source': 'Source',
    'col.from': 'Harvests from',
    'col.schedule': 'Schedule',
    'col.next': 'Next run',
    'col.last': 'Last run',
    'col.actions': 'Actions',
    'col.run': 'Run',
    'col.status': 'Status',
    'col.started': 'Started',
    'col.finished': 'Finished',
    'col.duration': 'Duration',
    'col.record': 'Record or page',
    'col.message': 'Message',
    'count.added': 'Added',
    'count.updated': 'Updated',
    'count.unchanged': 'Unchanged',
    'count.deleted': 'Deleted',
    'count.failed': 'Failed',
    'count.pages': 'Pages',
    'type.dcat': 'DCAT',
    'type.fdp': 'FAIR Data Point',
    'type.ckan': 'CKAN',
    'type.oai-pmh': 'OAI-PMH',
    'type.schemaorg': 'schema.org',
    'type.folder': 'Folder',
    'schedule.none': 'Only when started',
    'schedule.hourly': 'Hourly',
    'schedule.daily': 'Daily',
    'schedule.weekly': 'Weekly',
    'schedule.every': 'Every {duration}',
    'next.none': '—',
    'next.now': 'Due now',
    'last.never': 'Never run',
    'status.running': 'Running',
    'status.queued': 'Queued',
    'status.complete': 'Complete',
    'status.failed': 'Failed',
    'status.stopped': 'Stopped',
    'status.help.complete': 'Listed everything; deletions applied.',
    'status.help.failed': 'The listing failed; nothing was deleted.',
    'status.help.stopped': 'It would have deleted more than the source’s delete_threshold allows; nothing was deleted.',
    'status.help.running': 'The run is in progress; this page follows it.',
    'harvest.now': 'Harvest now',
    'harvest.busy': 'Running…',
    'harvest.queued': 'A run of {name} is queued.',
    'harvest.queuedAfter': 'A run of {name} is queued after the run in progress.',
    'harvest.running': 'Harvesting {name}…',
    'harvest.done': 'The run {id} of {name} has ended: {status}. {added} added, {updated} updated, {unchanged} unchanged, {deleted} deleted, {failed} failed.',
    'harvest.open': 'Show the report of run {id}',
    'harvest.runs': 'Runs',
    'harvest.runs.label': 'All runs of {name}',
    'auth.needed': 'Starting a run needs an admin token. Enter it in the token field above, then press “Harvest now” again.',
    'auth.invalid': 'The server did not accept the token (401: {message}): it is unknown, revoked or mistyped. Forget it and enter a valid admin token.',
    'auth.forbidden': 'This token is valid but not an admin token (403: {message}). Starting a run needs a token of role admin (fairdex token create --role admin).',
    'auth.missing': 'The server asked for a token (401: {message}).',
    'source.unknown': 'The harvest configuration has no source {name}; the runs kept in the store are listed all the same.',
    'source.details': 'Source',
    'runs.title': 'Runs',
    'runs.none': 'No runs yet.',
    'runs.count': '{n} runs, newest first',
    'runs.one': 'One run',
    'runs.more': 'Show older runs',
    'runs.newest': 'The newest {n} runs',
    'run.none': 'There is no run {id}.',
    'run.of': 'of {name}',
    'run.link': 'Run {id}',
    'run.report': 'Report',
    'run.counts': 'Counts',
    'run.errors': 'Errors ({n})',
    'run.errors.none': 'No record or page failed.',
    'run.errors.cut': 'Only the first {kept} of {failed} errors are kept in the report.',
    'run.message': 'The run ended with: {message}',
    'run.type': 'Source type',
    'run.datasets': 'Datasets this run wrote',
    'run.datasets.help': 'Datasets whose current catalogue record comes from this run (added or updated by it and not changed since).',
    'run.datasets.none': 'No dataset’s current record comes from this run (a later run may have written them again).',
    'run.datasets.cut': 'The first {n} are shown.',
    'run.datasets.error': 'The datasets could not be listed: {message}',
    'run.back': 'All runs of {name}',
    'running.for': 'running for {duration}',
    'refresh': 'Refresh',
    'updated': 'Updated {time}.',
  },
  de: {
    'page.title': 'Harvesting',
    'page.intro': 'Die Quellen, die dieser Server einsammelt, ihre Zeitpläne und die Berichte ihrer Läufe.',
    'page.source': 'Harvest-Quelle {name}',
    'page.run': 'Harvest-Lauf {id}',
    'crumbs': 'Sie sind hier',
    'crumbs.sources': 'Alle Quellen',
    'empty.title': 'Dieser Server sammelt nichts ein.',
    'empty.how': 'Er wurde ohne Harvest-Konfiguration gestartet. Tragen Sie die Quellen in eine JSON-Datei ein und starten Sie den Server mit',
    'empty.readme': 'Der Abschnitt „Harvesting“ der README beschreibt die Datei (Quelltypen dcat, fdp, ckan, oai-pmh, schemaorg und folder, Zeitpläne, Grenzen).',
    'empty.runs': 'Berichte von Läufen mit „fairdex harvest“ bleiben erhalten; öffnen Sie einen als /admin?run=ID.',
    'sources.caption': 'Konfigurierte Quellen',
    'sources.none': 'Die Harvest-Konfiguration nennt keine Quellen.',
    'col.source': 'Quelle',
    'col.from': 'Sammelt ein von',
    'col.schedule': 'Zeitplan',
    'col.next': 'Nächster Lauf',
    'col.last': 'Letzter Lauf',
    'col.actions': 'Aktionen',
    'col.run': 'Lauf',
    'col.status': 'Status',
    'col.started': 'Begonnen',
    'col.finished': 'Beendet',
    'col.duration': 'Dauer',
    'col.record': 'Datensatz oder Seite',
    'col.message': 'Meldung',
    'count.added': 'Neu',
    'count.updated': 'Geändert',
    'count.unchanged': 'Unverändert',
    'count.deleted': 'Gelöscht',
    'count.failed': 'Fehler',
    'count.pages': 'Seiten',
    'type.dcat': 'DCAT',
    'type.fdp': 'FAIR Data Point',
    'type.ckan': 'CKAN',
    'type.oai-pmh': 'OAI-PMH',
    'type.schemaorg': 'schema.org',
    'type.folder': 'Ordner',
    'schedule.none': 'Nur auf Anforderung',
    'schedule.hourly': 'Stündlich',
    'schedule.daily': 'Täglich',
    'schedule.weekly': 'Wöchentlich',
    'schedule.every': 'Alle {duration}',
    'next.none': '—',
    'next.now': 'Jetzt fällig',
    'last.never': 'Noch nie gelaufen',
    'status.running': 'Läuft',
    'status.queued': 'Eingereiht',
    'status.complete': 'Vollständig',
    'status.failed': 'Fehlgeschlagen',
    'status.stopped': 'Angehalten',
    'status.help.complete': 'Alles gelistet; Löschungen ausgeführt.',
    'status.help.failed': 'Das Listen schlug fehl; nichts wurde gelöscht.',
    'status.help.stopped': 'Der Lauf hätte mehr gelöscht, als delete_threshold der Quelle erlaubt; nichts wurde gelöscht.',
    'status.help.running': 'Der Lauf ist im Gange; diese Seite verfolgt ihn.',
    'harvest.now': 'Jetzt einsammeln',
    'harvest.busy': 'Läuft…',
    'harvest.queued': 'Ein Lauf von {name} ist eingereiht.',
    'harvest.queuedAfter': 'Ein Lauf von {name} ist nach dem laufenden eingereiht.',
    'harvest.running': '{name} wird eingesammelt…',
    'harvest.done': 'Der Lauf {id} von {name} ist beendet: {status}. {added} neu, {updated} geändert, {unchanged} unverändert, {deleted} gelöscht, {failed} fehlgeschlagen.',
    'harvest.open': 'Bericht von Lauf {id} anzeigen',
    'harvest.runs': 'Läufe',
    'harvest.runs.label': 'Alle Läufe von {name}',
    'auth.needed': 'Einen Lauf zu starten braucht ein Admin-Token. Geben Sie es oben im Token-Feld ein und drücken Sie dann erneut „Jetzt einsammeln“.',
    'auth.invalid': 'Der Server hat das Token nicht angenommen (401: {message}): es ist unbekannt, widerrufen oder vertippt. Vergessen Sie es und geben Sie ein gültiges Admin-Token ein.',
    'auth.forbidden': 'Das Token ist gültig, aber kein Admin-Token (403: {message}). Einen Lauf zu starten braucht ein Token der Rolle admin (fairdex token create --role admin).',
    'auth.missing': 'Der Server verlangt ein Token (401: {message}).',
    'source.unknown': 'Die Harvest-Konfiguration hat keine Quelle {name}; die gespeicherten Läufe werden trotzdem gezeigt.',
    'source.details': 'Quelle',
    'runs.title': 'Läufe',
    'runs.none': 'Noch keine Läufe.',
    'runs.count': '{n} Läufe, neueste zuerst',
    'runs.one': 'Ein Lauf',
    'runs.more': 'Ältere Läufe zeigen',
    'runs.newest': 'Die neuesten {n} Läufe',
    'run.none': 'Es gibt keinen Lauf {id}.',
    'run.of': 'von {name}',
    'run.link': 'Lauf {id}',
    'run.report': 'Bericht',
    'run.counts': 'Zahlen',
    'run.errors': 'Fehler ({n})',
    'run.errors.none': 'Kein Datensatz und keine Seite schlug fehl.',
    'run.errors.cut': 'Nur die ersten {kept} von {failed} Fehlern stehen im Bericht.',
    'run.message': 'Der Lauf endete mit: {message}',
    'run.type': 'Quelltyp',
    'run.datasets': 'Von diesem Lauf geschriebene Datensätze',
    'run.datasets.help': 'Datensätze, deren aktueller Katalogeintrag aus diesem Lauf stammt (von ihm neu angelegt oder geändert und seitdem unverändert).',
    'run.datasets.none': 'Kein aktueller Katalogeintrag stammt aus diesem Lauf (ein späterer Lauf hat sie womöglich neu geschrieben).',
    'run.datasets.cut': 'Die ersten {n} werden gezeigt.',
    'run.datasets.error': 'Die Datensätze konnten nicht aufgelistet werden: {message}',
    'run.back': 'Alle Läufe von {name}',
    'running.for': 'läuft seit {duration}',
    'refresh': 'Aktualisieren',
    'updated': 'Stand {time}.',
  },
});

const POLL_MS = 1500;
const RUNS_SHOWN = 25;
const DATASETS_SHOWN = 200;
const COUNTS = ['added', 'updated', 'unchanged', 'deleted', 'failed'];

// ---- small formatting helpers ------------------------------------------------

const locale = lang === 'de' ? 'de-DE' : 'en-GB';

// A run's times to the second (formatDate of common.js stops at minutes).
function formatTime(value) {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

function timeElement(value) {
  return value ? el('time', { datetime: value }, formatTime(value)) : '—';
}

// Seconds as "45 s", "3 min 5 s", "2 h 10 min", "3 d 4 h".
function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)} h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  return `${Math.floor(s / 86400)} d${s % 86400 >= 3600 ? ` ${Math.floor((s % 86400) / 3600)} h` : ''}`;
}

function runDuration(run) {
  const start = Date.parse(run.started);
  if (Number.isNaN(start)) return '—';
  if (!run.finished) return t('running.for', { duration: formatDuration((Date.now() - start) / 1000) });
  const end = Date.parse(run.finished);
  return Number.isNaN(end) ? '—' : formatDuration((end - start) / 1000);
}

// "in 3 h" / "vor 2 min" next to a time.
function relative(value) {
  const ms = Date.parse(value) - Date.now();
  if (Number.isNaN(ms)) return '';
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const abs = Math.abs(ms) / 1000;
  if (abs < 60) return rtf.format(Math.round(ms / 1000), 'second');
  if (abs < 3600) return rtf.format(Math.round(ms / 60000), 'minute');
  if (abs < 86400) return rtf.format(Math.round(ms / 3600000), 'hour');
  return rtf.format(Math.round(ms / 86400000), 'day');
}

function countText(run, key) {
  return typeof run[key] === 'number' ? formatNumber(run[key]) : '—';
}

// A count's cell: right-aligned, failures above zero marked.
function countClass(run, key) {
  return 'num count-' + key + (key === 'failed' && run[key] > 0 ? ' has-failures' : '');
}

function typeName(type) {
  return t('type.' + type);
}

function scheduleText(schedule) {
  if (!schedule) return t('schedule.none');
  if (['hourly', 'daily', 'weekly'].includes(schedule)) return t('schedule.' + schedule);
  return t('schedule.every', { duration: schedule });
}

// A status as a badge: its translated name, with what it means as title.
function statusBadge(status) {
  const help = t('status.help.' + status);
  return el('span', { class: 'run-status run-status-' + status, title: help === 'status.help.' + status ? null : help },
    t('status.' + status));
}

// ---- URL state and navigation ------------------------------------------------------

function currentView() {
  const params = new URLSearchParams(location.search);
  const run = params.get('run');
  if (run !== null) return { kind: 'run', id: run };
  const source = params.get('source');
  if (source !== null) return { kind: 'source', name: source };
  return { kind: 'sources' };
}

function viewHref(view) {
  if (view.kind === 'run') return '/admin?run=' + encodeURIComponent(view.id);
  if (view.kind === 'source') return '/admin?source=' + encodeURIComponent(view.name);
  return '/admin';
}

// A link to another view of this page: followed in place (history entry,
// no reload) unless the reader asks for a new tab or window.
function viewLink(view, text, attrs = {}) {
  const href = viewHref(view);
  return el('a', {
    ...attrs,
    href,
    onclick: (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      history.pushState(null, '', href);
      render({ focus: true });
    },
  }, text);
}

window.addEventListener('popstate', () => render({ focus: true }));

// ---- the page frame --------------------------------------------------------------------

const root = main();
const heading = el('h1', { tabindex: '-1' });
const crumbs = el('nav', { class: 'crumbs', 'aria-label': t('crumbs') });
const messages = el('div', { class: 'admin-messages', 'aria-live': 'polite' });
const content = el('div', { class: 'admin-view' });
root.append(crumbs, heading, tokenPanel('admin', () => { clear(messages); }), messages, content);

function say(text, kind, ...extra) {
  if (!extra.length && messages.textContent === text) return; // said already: no second announcement
  clear(messages);
  const line = notice(text, kind);
  if (extra.length) line.append(' ', ...extra);
  messages.append(line);
}

// Every render gets a number; polls and slow answers of an older view see
// that the view changed and stop.
let generation = 0;
let pollTimer = null;

function setTitle(text) {
  heading.textContent = text;
  document.title = text + ' – fairdex';
}

function setCrumbs(items) {
  clear(crumbs);
  if (!items.length) return;
  const list = el('ol', {});
  for (const item of items) list.append(el('li', {}, item));
  crumbs.append(list);
}

async function render(options = {}) {
  generation += 1;
  clearTimeout(pollTimer);
  clear(content);
  clear(messages);
  const view = currentView();
  try {
    if (view.kind === 'run') await renderRun(view.id, generation);
    else if (view.kind === 'source') await renderSource(view.name, generation);
    else await renderSources(generation);
  } catch (e) {
    if (e.name === 'AbortError') return;
    content.append(notice(e.message, 'error'));
  }
  if (options.focus) heading.focus();
}

// Ask again in POLL_MS while `wanted` holds, as long as the view is the same.
function pollAgain(gen, step) {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(async () => {
    if (gen !== generation) return;
    try {
      await step();
    } catch (e) {
      if (gen === generation) say(e.message, 'error');
    }
  }, POLL_MS);
}

// Keep focus on the same control across a re-render of a part of the page.
function keepFocus(container, build) {
  const active = document.activeElement;
  const key = active && container.contains(active) ? active.dataset.focusKey : null;
  build();
  if (key) {
    const again = container.querySelector(`[data-focus-key="${CSS.escape(key)}"]`);
    if (again) again.focus();
  }
}

// ---- starting a run ---------------------------------------------------------------------

// The sources with a run asked for here: name -> the id of the last run
// before it (0: none), until a newer run of that source has ended.
const started = new Map();

function explainAuth(error) {
  const message = (error.body && error.body.message) || error.message;
  if (error.status === 401) return getToken() ? t('auth.invalid', { message }) : t('auth.missing', { message });
  if (error.status === 403) return t('auth.forbidden', { message });
  return error.message;
}

async function startHarvest(source, button, onStarted) {
  if (!getToken()) {
    say(t('auth.needed'), 'error');
    const input = document.getElementById('token-input');
    if (input) input.focus();
    return;
  }
  button.disabled = true;
  try {
    const answer = await api('/api/sources/' + encodeURIComponent(source.name) + '/harvest', { method: 'POST', auth: true });
    started.set(source.name, source.last_run ? source.last_run.id : 0);
    const after = answer && /after/.test(answer.status || '');
    say(t(after ? 'harvest.queuedAfter' : 'harvest.queued', { name: source.name }), 'ok');
    onStarted();
  } catch (e) {
    button.disabled = false;
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      say(explainAuth(e), 'error');
      const input = document.getElementById('token-input');
      if (input) input.focus();
    } else {
      say(e.message, 'error');
    }
  }
}

// After a poll: announce the runs asked for here that have ended.
function announceEnded(sources) {
  for (const source of sources) {
    if (!started.has(source.name)) continue;
    if (source.running) say(t('harvest.running', { name: source.name }));
    if (source.running || source.requested) continue;
    const last = source.last_run;
    if (!last || last.id <= started.get(source.name) || last.status === 'running') continue;
    started.delete(source.name);
    const counts = Object.fromEntries(COUNTS.map((k) => [k, countText(last, k)]));
    say(t('harvest.done', { id: last.id, name: source.name, status: t('status.' + last.status), ...counts }),
      last.status === 'complete' ? 'ok' : 'error',
      viewLink({ kind: 'run', id: String(last.id) }, t('harvest.open', { id: last.id }), { class: 'report-link' }));
  }
}

function busy(source) {
  return source.running || source.requested;
}

// Its name is its visible text and, for screen readers, the source's
// ("Harvest now (portal)"): the visible words come first (WCAG 2.5.3).
function harvestButton(source, onStarted) {
  const button = el('button', {
    type: 'button',
    class: 'harvest-now',
    dataset: { source: source.name, focusKey: 'harvest:' + source.name },
    disabled: busy(source),
  }, busy(source) ? t('harvest.busy') : t('harvest.now'), el('span', { class: 'visually-hidden' }, ` (${source.name})`));
  button.addEventListener('click', () => startHarvest(source, button, onStarted));
  return button;
}

// ---- view: the sources ------------------------------------------------------------------

function lastRunCell(source) {
  const last = source.last_run;
  if (source.requested && !source.running) {
    return [statusBadge('queued'), last ? el('div', {}, viewLink({ kind: 'run', id: String(last.id) }, t('run.link', { id: last.id }))) : null];
  }
  if (!last) return el('span', { class: 'muted' }, t('last.never'));
  return [
    statusBadge(last.status),
    ' ',
    viewLink({ kind: 'run', id: String(last.id) }, t('run.link', { id: last.id })),
    el('div', { class: 'muted' }, timeElement(last.started), last.status === 'running' ? ` (${runDuration(last)})` : ''),
    last.message ? el('div', { class: 'run-message' }, last.message) : null,
  ];
}

function nextRunCell(source) {
  if (!source.next_run) return t('next.none');
  const due = Date.parse(source.next_run) <= Date.now();
  return [timeElement(source.next_run), el('div', { class: 'muted' }, due ? t('next.now') : relative(source.next_run))];
}

function whereText(source) {
  return source.url || source.path || '—';
}

function sourcesTable(sources, onStarted) {
  const head = el('tr', {},
    el('th', { scope: 'col' }, t('col.source')),
    el('th', { scope: 'col' }, t('col.from')),
    el('th', { scope: 'col' }, t('col.schedule')),
    el('th', { scope: 'col' }, t('col.last')),
    COUNTS.map((k) => el('th', { scope: 'col', class: 'num' }, t('count.' + k))),
    el('th', { scope: 'col' }, t('col.actions')));
  const body = el('tbody', {});
  for (const source of sources) {
    const last = source.last_run || {};
    body.append(el('tr', { dataset: { source: source.name }, 'aria-busy': busy(source) ? 'true' : null },
      el('th', { scope: 'row', 'data-label': t('col.source') },
        viewLink({ kind: 'source', name: source.name }, source.name), el('div', { class: 'muted' }, typeName(source.type))),
      el('td', { 'data-label': t('col.from'), class: 'where' }, el('code', {}, whereText(source))),
      el('td', { 'data-label': t('col.schedule'), class: 'schedule' }, scheduleText(source.schedule),
        source.next_run ? el('div', { class: 'next-run' }, t('col.next'), ': ', nextRunCell(source)) : null),
      el('td', { 'data-label': t('col.last'), class: 'last-run' }, lastRunCell(source)),
      COUNTS.map((k) => el('td', { class: countClass(last, k), 'data-label': t('count.' + k) }, countText(last, k))),
      el('td', { 'data-label': t('col.actions'), class: 'actions' }, el('div', { class: 'actions-stack' },
        harvestButton(source, onStarted),
        viewLink({ kind: 'source', name: source.name }, t('harvest.runs'), {
          class: 'button secondary', 'aria-label': t('harvest.runs.label', { name: source.name }),
        })))));
  }
  return el('div', { class: 'table-wrap' },
    el('table', { class: 'sources cards' }, el('caption', {}, t('sources.caption')), el('thead', {}, head), body));
}

function emptyState() {
  return el('section', { class: 'empty-state' },
    el('h2', {}, t('empty.title')),
    el('p', {}, t('empty.how')),
    el('pre', {}, el('code', {}, 'fairdex --db DB serve --harvest-config harvest.json')),
    el('pre', {}, el('code', {}, JSON.stringify({
      sources: [{ name: 'portal', type: 'dcat', url: 'https://example.org/catalog.ttl', schedule: 'daily' }],
    }, null, 2))),
    el('p', {}, t('empty.readme')),
    el('p', { class: 'muted' }, t('empty.runs')));
}

async function renderSources(gen) {
  setTitle(t('page.title'));
  setCrumbs([]);
  const intro = el('p', {}, t('page.intro'));
  const holder = el('div', {});
  const stamp = el('p', { class: 'muted stamp' });
  content.append(intro, holder, stamp);
  holder.append(notice(t('loading')));
  const refresh = async () => {
    const answer = await api('/api/sources');
    if (gen !== generation) return;
    keepFocus(holder, () => {
      clear(holder);
      if (!answer.scheduler) holder.append(emptyState());
      else if (!answer.sources.length) holder.append(notice(t('sources.none')));
      else holder.append(sourcesTable(answer.sources, () => refresh()));
    });
    stamp.textContent = t('updated', { time: formatTime(new Date().toISOString()) });
    announceEnded(answer.sources);
    if (answer.sources.some(busy) || answer.sources.some((s) => started.has(s.name))) pollAgain(gen, refresh);
  };
  await refresh();
}

// ---- view: one source and its runs ---------------------------------------------------------------

// The newest `n` runs of `name` (/api/runs?order=newest).
async function newestRuns(name, n) {
  const page = await api(`/api/runs?source=${encodeURIComponent(name)}&order=newest&limit=${n}`);
  return page.runs;
}

function runsTable(runs) {
  const head = el('tr', {},
    el('th', { scope: 'col' }, t('col.run')),
    el('th', { scope: 'col' }, t('col.status')),
    el('th', { scope: 'col' }, t('col.started')),
    el('th', { scope: 'col' }, t('col.duration')),
    COUNTS.map((k) => el('th', { scope: 'col', class: 'num' }, t('count.' + k))),
    el('th', { scope: 'col', class: 'num' }, t('count.pages')));
  const body = el('tbody', {});
  for (const run of runs) {
    body.append(el('tr', { dataset: { run: String(run.id) } },
      el('th', { scope: 'row', 'data-label': t('col.run') }, viewLink({ kind: 'run', id: String(run.id) }, t('run.link', { id: run.id }))),
      el('td', { 'data-label': t('col.status') }, statusBadge(run.status),
        run.message ? el('div', { class: 'run-message' }, run.message) : null),
      el('td', { 'data-label': t('col.started') }, timeElement(run.started)),
      el('td', { 'data-label': t('col.duration') }, runDuration(run)),
      COUNTS.map((k) => el('td', { class: countClass(run, k), 'data-label': t('count.' + k) }, countText(run, k))),
      el('td', { class: 'num', 'data-label': t('count.pages') }, countText(run, 'pages'))));
  }
  return el('div', { class: 'table-wrap' },
    el('table', { class: 'runs cards' }, el('caption', { class: 'visually-hidden' }, t('runs.title')), el('thead', {}, head), body));
}

function sourceDetails(source, onStarted) {
  return el('section', { class: 'source-details', 'aria-labelledby': 'source-details-title' },
    el('h2', { id: 'source-details-title', class: 'visually-hidden' }, t('source.details')),
    el('dl', { class: 'fields' },
      el('dt', {}, t('run.type')), el('dd', {}, typeName(source.type)),
      el('dt', {}, t('col.from')), el('dd', {}, el('code', {}, whereText(source))),
      el('dt', {}, t('col.schedule')), el('dd', {}, scheduleText(source.schedule)),
      el('dt', {}, t('col.next')), el('dd', {}, nextRunCell(source)),
      el('dt', {}, t('col.last')), el('dd', { class: 'last-run' }, lastRunCell(source))),
    el('div', { class: 'toolbar' }, harvestButton(source, onStarted)));
}

async function renderSource(name, gen) {
  setTitle(t('page.source', { name }));
  setCrumbs([viewLink({ kind: 'sources' }, t('crumbs.sources')), el('span', { 'aria-current': 'page' }, name)]);
  const details = el('div', {});
  const runsBox = el('section', { 'aria-labelledby': 'runs-title' });
  content.append(details, runsBox);
  let shown = RUNS_SHOWN;
  const refresh = async () => {
    // One more than shown: whether there are older ones.
    const [sources, newest] = await Promise.all([api('/api/sources'), newestRuns(name, shown + 1)]);
    const more = newest.length > shown;
    const runs = newest.slice(0, shown);
    if (gen !== generation) return;
    const source = sources.sources.find((s) => s.name === name);
    keepFocus(content, () => {
      clear(details);
      if (source) details.append(sourceDetails(source, () => refresh()));
      else details.append(notice(t('source.unknown', { name })));
      clear(runsBox);
      runsBox.append(el('h2', { id: 'runs-title' }, t('runs.title')));
      if (!runs.length) {
        runsBox.append(el('p', {}, t('runs.none')));
      } else {
        runsBox.append(el('p', { class: 'muted' }, more ? t('runs.newest', { n: formatNumber(runs.length) })
          : runs.length === 1 ? t('runs.one') : t('runs.count', { n: formatNumber(runs.length) })), runsTable(runs));
        if (more) {
          runsBox.append(el('p', {}, el('button', {
            type: 'button',
            class: 'secondary',
            dataset: { focusKey: 'more-runs' },
            onclick: () => { shown += RUNS_SHOWN; refresh(); },
          }, t('runs.more'))));
        }
      }
    });
    if (source) announceEnded([source]);
    if ((source && (busy(source) || started.has(name))) || runs.some((r) => r.status === 'running')) pollAgain(gen, refresh);
  };
  await refresh();
}

// ---- view: one run report ------------------------------------------------------------------------

// The datasets whose current catalogue record this run wrote: each
// harvested record names its run (prov:wasGeneratedBy BASE/harvest/runs/ID)
// and its dataset (foaf:primaryTopic).
async function runDatasets(id) {
  const runIri = base + 'harvest/runs/' + id;
  if (/[<>"{}|\\^`\s]/.test(runIri)) return [];
  const query = `PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX dct: <http://purl.org/dc/terms/>
SELECT ?dataset ?title WHERE {
  { SELECT DISTINCT ?dataset WHERE { GRAPH ?g { ?record prov:wasGeneratedBy <${runIri}> ; foaf:primaryTopic ?dataset } } LIMIT ${DATASETS_SHOWN + 1} }
  OPTIONAL { GRAPH ?h { ?dataset dct:title ?title } }
}`;
  const answer = await api('/sparql?query=' + encodeURIComponent(query), { headers: { Accept: 'application/sparql-results+json' } });
  const byIri = new Map();
  for (const b of answer.results.bindings) {
    const iri = b.dataset.value;
    if (!byIri.has(iri)) byIri.set(iri, { iri, title: '', titleLang: '' });
    const entry = byIri.get(iri);
    if (b.title) {
      const l = b.title['xml:lang'] || '';
      const better = !entry.title || (l === lang && entry.titleLang !== lang) || (!entry.titleLang && l === 'en' && lang !== 'de');
      if (better) Object.assign(entry, { title: b.title.value, titleLang: l });
    }
  }
  return [...byIri.values()].sort((a, b) => (a.title || a.iri).localeCompare(b.title || b.iri, locale));
}

function countsList(run) {
  return el('ul', { class: 'run-counts' },
    [...COUNTS, 'pages'].map((k) => el('li', { class: 'count-' + k, dataset: { count: k } },
      el('span', { class: 'count-value' }, countText(run, k)), ' ', el('span', { class: 'count-label' }, t('count.' + k)))));
}

function errorsSection(run) {
  const errors = run.errors || [];
  const box = el('section', { class: 'run-errors', 'aria-labelledby': 'run-errors-title' },
    el('h2', { id: 'run-errors-title' }, t('run.errors', { n: formatNumber(typeof run.failed === 'number' ? Math.max(run.failed, errors.length) : errors.length) })));
  if (!errors.length) {
    box.append(el('p', {}, t('run.errors.none')));
    return box;
  }
  if (typeof run.failed === 'number' && run.failed > errors.length) {
    box.append(notice(t('run.errors.cut', { kept: formatNumber(errors.length), failed: formatNumber(run.failed) })));
  }
  const body = el('tbody', {});
  for (const error of errors) {
    const record = error.record || '—';
    body.append(el('tr', {},
      el('td', { 'data-label': t('col.record'), class: 'where' },
        /^https?:\/\//.test(record) ? el('a', { href: record, rel: 'noopener noreferrer' }, record) : el('code', {}, record)),
      el('td', { 'data-label': t('col.message') }, error.message)));
  }
  box.append(el('div', { class: 'table-wrap' }, el('table', { class: 'errors cards' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('col.record')), el('th', { scope: 'col' }, t('col.message')))), body)));
  return box;
}

function datasetsSection(run, gen) {
  const box = el('section', { class: 'run-datasets', 'aria-labelledby': 'run-datasets-title' },
    el('h2', { id: 'run-datasets-title' }, t('run.datasets')),
    el('p', { class: 'muted' }, t('run.datasets.help')));
  const list = el('div', {}, notice(t('loading')));
  box.append(list);
  runDatasets(run.id).then((datasets) => {
    if (gen !== generation) return;
    clear(list);
    if (!datasets.length) {
      list.append(el('p', {}, t('run.datasets.none')));
      return;
    }
    if (datasets.length > DATASETS_SHOWN) list.append(el('p', { class: 'muted' }, t('run.datasets.cut', { n: DATASETS_SHOWN })));
    list.append(el('ul', { class: 'dataset-list' }, datasets.slice(0, DATASETS_SHOWN).map((d) => el('li', {},
      el('a', { href: localHref(d.iri) }, d.title || d.iri), d.title ? el('div', { class: 'muted' }, el('code', {}, d.iri)) : null))));
  }).catch((e) => {
    if (gen !== generation) return;
    clear(list);
    list.append(notice(t('run.datasets.error', { message: e.message }), 'error'));
  });
  return box;
}

async function renderRun(id, gen) {
  setTitle(t('page.run', { id }));
  if (!/^[1-9]\d{0,17}$/.test(id)) {
    setCrumbs([viewLink({ kind: 'sources' }, t('crumbs.sources'))]);
    content.append(notice(t('run.none', { id }), 'error'));
    return;
  }
  const refresh = async () => {
    let run;
    try {
      run = await api('/api/runs/' + id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        setCrumbs([viewLink({ kind: 'sources' }, t('crumbs.sources'))]);
        clear(content);
        content.append(notice(t('run.none', { id }), 'error'));
        return;
      }
      throw e;
    }
    if (gen !== generation) return;
    setTitle(t('page.run', { id }) + ' ' + t('run.of', { name: run.source }));
    setCrumbs([viewLink({ kind: 'sources' }, t('crumbs.sources')),
      viewLink({ kind: 'source', name: run.source }, run.source),
      el('span', { 'aria-current': 'page' }, t('run.link', { id }))]);
    const running = run.status === 'running';
    clear(content);
    content.append(
      el('section', { class: 'run-summary', 'aria-labelledby': 'run-summary-title', 'aria-busy': running ? 'true' : null },
        el('h2', { id: 'run-summary-title', class: 'visually-hidden' }, t('run.report')),
        el('p', { class: 'run-status-line', role: 'status' }, statusBadge(run.status), ' ', t('status.help.' + run.status)),
        run.message ? notice(t('run.message', { message: run.message }), 'error') : null,
        el('dl', { class: 'fields' },
          el('dt', {}, t('col.source')), el('dd', {}, viewLink({ kind: 'source', name: run.source }, run.source)),
          el('dt', {}, t('run.type')), el('dd', {}, typeName(run.type)),
          el('dt', {}, t('col.started')), el('dd', {}, timeElement(run.started)),
          el('dt', {}, t('col.finished')), el('dd', {}, timeElement(run.finished)),
          el('dt', {}, t('col.duration')), el('dd', {}, runDuration(run))),
        el('h2', {}, t('run.counts')),
        countsList(run)),
      errorsSection(run));
    if (!running && (run.added || run.updated)) content.append(datasetsSection(run, gen));
    content.append(el('p', {}, viewLink({ kind: 'source', name: run.source }, t('run.back', { name: run.source }))));
    if (running) pollAgain(gen, refresh);
  };
  await refresh();
}

render();
