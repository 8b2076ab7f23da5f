// vocab.js: the vocabularies page (/vocab).  Three views, one module, with
// history.pushState between them: /vocab lists the managed SKOS concept
// schemes; /vocab/{scheme} shows a scheme's concept tree (narrower concepts
// loaded when a branch is opened), a label search and, for a curator, a
// form to create a concept; /vocab/{scheme}/{concept} shows a concept's
// labels, notes, links, deprecation, usage, RDF and history and, for a
// curator, forms to edit or deprecate it.  Edits send If-Match with the
// ETag the concept was read with; when someone else changed it meanwhile
// (412) the page says so, shows the current version beside the user's and
// reapplies the user's changes to it on request.  Everything comes from the
// vocabulary API (web/serve_vocab.c); every value is shown as text.
import {
  lang, base, addTexts, t, el, clear, main, notice, localHref, formatDate, formatNumber,
  api, ApiError, getToken, tokenPanel,
} from './common.js';

addTexts({
  en: {
    'page.title': 'Vocabularies',
    'page.intro': 'The controlled vocabularies (SKOS concept schemes) that give the catalogue its themes, formats, licences and categories.',
    'schemes.vocabulary': 'Vocabulary',
    'schemes.concepts': 'Concepts',
    'schemes.origin': 'Origin',
    'schemes.shipped': 'shipped with fairdex',
    'schemes.own': 'added here',
    'schemes.none': 'There are no vocabularies yet.',
    'nav.trail': 'You are here',
    'scheme.iri': 'IRI',
    'scheme.count': 'Concepts',
    'scheme.download': 'Whole vocabulary as',
    'scheme.browse': 'Concepts',
    'scheme.empty': 'This vocabulary has no concepts yet.',
    'tree.label': 'Concepts of {scheme}',
    'tree.expand': 'Show the narrower concepts of {label}',
    'tree.none': 'no narrower concepts',
    'search.label': 'Find a concept by label',
    'search.button': 'Search',
    'search.results': '{count} concepts found',
    'search.result1': '1 concept found',
    'search.nothing': 'No concept has a label starting with “{q}”.',
    'search.otherLanguages': 'None in this language; these match in other languages.',
    'search.matched': 'matches “{label}”',
    'deprecated': 'deprecated',
    'concept.notation': 'Notation',
    'concept.scheme': 'Vocabulary',
    'concept.status': 'Status',
    'concept.active': 'in use (not deprecated)',
    'concept.deprecatedState': 'Deprecated',
    'concept.replacedBy': 'Replaced by',
    'labels.heading': 'Labels',
    'labels.language': 'Language',
    'labels.pref': 'Preferred',
    'labels.alt': 'Alternative',
    'labels.hidden': 'Hidden',
    'labels.more': 'Labels in {count} more languages',
    'labels.noLanguage': 'no language',
    'notes.heading': 'Definition and notes',
    'notes.definition': 'Definition',
    'notes.scopeNote': 'Scope note',
    'links.heading': 'Links',
    'links.broader': 'Broader',
    'links.narrower': 'Narrower',
    'links.related': 'Related',
    'links.exactMatch': 'Exact match',
    'links.closeMatch': 'Close match',
    'links.broadMatch': 'Broad match',
    'links.narrowMatch': 'Narrow match',
    'links.relatedMatch': 'Related match',
    'links.none': 'This concept has no links to other concepts.',
    'usage.heading': 'Used by',
    'usage.none': 'No dataset uses this concept.',
    'usage.count': '{count} datasets, data services or series use this concept.',
    'usage.count1': 'One dataset, data service or series uses this concept.',
    'usage.shown': 'The first {shown} are listed.',
    'rdf.heading': 'As RDF',
    'rdf.concept': 'This concept as',
    'rdf.scheme': 'This concept’s IRI is not under this catalogue’s address, so it has no RDF of its own here; its whole vocabulary is available as',
    'history.heading': 'History',
    'history.none': 'No recorded changes: the concept is as it was installed or imported.',
    'history.entry': 'Change {id}',
    'history.by': 'by {who}',
    'history.reverts': 'undoes change {id}',
    'history.removed': 'removed',
    'history.added': 'added',
    'history.on': 'on {subject}:',
    'history.revert': 'Undo change {id}',
    'history.reverted': 'Change {id} is undone (as change {change}).',
    'history.nothingToUndo': 'Change {id} is undone already: nothing was changed.',
    'action.create': 'created',
    'action.update': 'edited',
    'action.deprecate': 'deprecated',
    'action.delete': 'removed',
    'action.import': 'imported',
    'action.revert': 'reverted',
    'curate.heading': 'Curation',
    'curate.needToken': 'Enter a curator token to create, edit or deprecate concepts.',
    'create.heading': 'New concept',
    'create.id': 'Id',
    'create.idHelp': 'The last part of its IRI: letters A–Z and a–z, digits, “.”, “_”, “~” and “-”.',
    'create.prefDe': 'German preferred label',
    'create.prefEn': 'English preferred label',
    'create.broader': 'Broader concept (id, optional)',
    'create.submit': 'Create concept',
    'create.done': 'Concept created:',
    'edit.heading': 'Edit this concept',
    'edit.pref': 'Preferred label ({lang})',
    'edit.alt': 'Alternative labels ({lang}), one per line',
    'edit.hidden': 'Hidden labels ({lang}), one per line',
    'edit.definition': 'Definition ({lang})',
    'edit.scopeNote': 'Scope note ({lang})',
    'edit.otherLanguages': 'Other languages ({count})',
    'edit.labelsLegend': 'Labels',
    'edit.notesLegend': 'Definition and notes',
    'edit.linksLegend': 'Links',
    'edit.linksHelp': 'One concept per line: its id in this vocabulary, or its IRI.',
    'edit.broader': 'Broader concepts',
    'edit.narrower': 'Narrower concepts',
    'edit.related': 'Related concepts',
    'edit.notation': 'Notation',
    'edit.keptNote': 'Mappings to other vocabularies and the deprecation state stay as they are.',
    'edit.save': 'Save changes',
    'edit.saved': 'Saved.',
    'edit.unchanged': 'Nothing was changed.',
    'field.prefLabel': 'Preferred label',
    'field.altLabel': 'Alternative labels',
    'field.hiddenLabel': 'Hidden labels',
    'field.definition': 'Definition',
    'field.scopeNote': 'Scope note',
    'conflict.title': 'Someone else changed this concept',
    'conflict.explain': 'This concept was changed by someone else after you loaded it, so your changes were not saved: saving them as they are would silently undo the other change. Below are the fields where your version and the current version differ.',
    'conflict.field': 'Field',
    'conflict.yours': 'Your version',
    'conflict.current': 'Current version',
    'conflict.reapply': 'Apply my changes to the current version',
    'conflict.reapplyHelp': 'Fields you changed take your value; everything else keeps the current value.',
    'conflict.discard': 'Discard my changes and show the current version',
    'conflict.empty': '(empty)',
    'deprecate.heading': 'Deprecate',
    'deprecate.explain': 'A deprecated concept stays, marked as deprecated, so the datasets that use it keep their link; optionally name the concept that replaces it.',
    'deprecate.replacedBy': 'Replaced by (id, optional)',
    'deprecate.start': 'Deprecate…',
    'deprecate.confirm': 'Really deprecate “{label}”? {usage}',
    'deprecate.usage': 'It is used by {count} datasets.',
    'deprecate.unused': 'No dataset uses it.',
    'deprecate.yes': 'Yes, deprecate',
    'deprecate.hard': 'Remove it entirely',
    'deprecate.cancel': 'Cancel',
    'deprecate.done': 'The concept is now deprecated.',
    'deprecate.removed': 'The concept {label} was removed.',
    'deprecate.already': 'This concept is deprecated.',
    'error.401': 'The server did not accept your token: {message}. Enter a valid curator token above (it is kept for this browser session only).',
    'error.401none': 'Changes need a curator token: enter it above (it is kept for this browser session only).',
    'error.403': 'Your token may not change vocabularies: it needs the curator or admin role ({message}).',
    'error.422': 'The concept was not saved; please correct:',
    'error.409': 'Not done: {message}',
    'error.inUse': 'These datasets still use it:',
    'error.412': 'This concept was changed by someone else after you loaded it; nothing was changed. Reload the page to see the current version.',
    'error.notFound': 'There is no such vocabulary or concept: {message}',
  },
  de: {
    'page.title': 'Vokabulare',
    'page.intro': 'Die kontrollierten Vokabulare (SKOS-Konzeptschemata), aus denen die Themen, Formate, Lizenzen und Kategorien des Katalogs stammen.',
    'schemes.vocabulary': 'Vokabular',
    'schemes.concepts': 'Konzepte',
    'schemes.origin': 'Herkunft',
    'schemes.shipped': 'mit fairdex ausgeliefert',
    'schemes.own': 'hier angelegt',
    'schemes.none': 'Es gibt noch keine Vokabulare.',
    'nav.trail': 'Sie sind hier',
    'scheme.iri': 'IRI',
    'scheme.count': 'Konzepte',
    'scheme.download': 'Ganzes Vokabular als',
    'scheme.browse': 'Konzepte',
    'scheme.empty': 'Dieses Vokabular hat noch keine Konzepte.',
    'tree.label': 'Konzepte von {scheme}',
    'tree.expand': 'Unterbegriffe von {label} zeigen',
    'tree.none': 'keine Unterbegriffe',
    'search.label': 'Konzept nach Bezeichnung suchen',
    'search.button': 'Suchen',
    'search.results': '{count} Konzepte gefunden',
    'search.result1': '1 Konzept gefunden',
    'search.nothing': 'Kein Konzept hat eine Bezeichnung, die mit „{q}“ beginnt.',
    'search.otherLanguages': 'In dieser Sprache keine; diese passen in anderen Sprachen.',
    'search.matched': 'passt zu „{label}“',
    'deprecated': 'veraltet',
    'concept.notation': 'Notation',
    'concept.scheme': 'Vokabular',
    'concept.status': 'Status',
    'concept.active': 'gültig (nicht veraltet)',
    'concept.deprecatedState': 'Veraltet',
    'concept.replacedBy': 'Ersetzt durch',
    'labels.heading': 'Bezeichnungen',
    'labels.language': 'Sprache',
    'labels.pref': 'Bevorzugt',
    'labels.alt': 'Alternativ',
    'labels.hidden': 'Versteckt',
    'labels.more': 'Bezeichnungen in {count} weiteren Sprachen',
    'labels.noLanguage': 'ohne Sprache',
    'notes.heading': 'Definition und Anmerkungen',
    'notes.definition': 'Definition',
    'notes.scopeNote': 'Anwendungshinweis',
    'links.heading': 'Verknüpfungen',
    'links.broader': 'Oberbegriffe',
    'links.narrower': 'Unterbegriffe',
    'links.related': 'Verwandt',
    'links.exactMatch': 'Genau entsprechend',
    'links.closeMatch': 'Annähernd entsprechend',
    'links.broadMatch': 'Allgemeiner entsprechend',
    'links.narrowMatch': 'Spezieller entsprechend',
    'links.relatedMatch': 'Verwandt entsprechend',
    'links.none': 'Dieses Konzept ist mit keinem anderen verknüpft.',
    'usage.heading': 'Verwendet von',
    'usage.none': 'Kein Datensatz verwendet dieses Konzept.',
    'usage.count': '{count} Datensätze, Datendienste oder Reihen verwenden dieses Konzept.',
    'usage.count1': 'Ein Datensatz, Datendienst oder eine Reihe verwendet dieses Konzept.',
    'usage.shown': 'Die ersten {shown} sind aufgeführt.',
    'rdf.heading': 'Als RDF',
    'rdf.concept': 'Dieses Konzept als',
    'rdf.scheme': 'Die IRI dieses Konzepts liegt nicht unter der Adresse dieses Katalogs, daher hat es hier kein eigenes RDF; sein ganzes Vokabular gibt es als',
    'history.heading': 'Verlauf',
    'history.none': 'Keine Änderungen verzeichnet: Das Konzept ist so, wie es installiert oder importiert wurde.',
    'history.entry': 'Änderung {id}',
    'history.by': 'von {who}',
    'history.reverts': 'macht Änderung {id} rückgängig',
    'history.removed': 'entfernt',
    'history.added': 'hinzugefügt',
    'history.on': 'an {subject}:',
    'history.revert': 'Änderung {id} rückgängig machen',
    'history.reverted': 'Änderung {id} ist rückgängig gemacht (als Änderung {change}).',
    'history.nothingToUndo': 'Änderung {id} ist schon rückgängig gemacht: nichts wurde geändert.',
    'action.create': 'angelegt',
    'action.update': 'bearbeitet',
    'action.deprecate': 'als veraltet markiert',
    'action.delete': 'entfernt',
    'action.import': 'importiert',
    'action.revert': 'rückgängig gemacht',
    'curate.heading': 'Pflege',
    'curate.needToken': 'Geben Sie ein Kurator-Token ein, um Konzepte anzulegen, zu bearbeiten oder als veraltet zu markieren.',
    'create.heading': 'Neues Konzept',
    'create.id': 'Kennung',
    'create.idHelp': 'Der letzte Teil der IRI: Buchstaben A–Z und a–z, Ziffern, „.“, „_“, „~“ und „-“.',
    'create.prefDe': 'Deutsche bevorzugte Bezeichnung',
    'create.prefEn': 'Englische bevorzugte Bezeichnung',
    'create.broader': 'Oberbegriff (Kennung, optional)',
    'create.submit': 'Konzept anlegen',
    'create.done': 'Konzept angelegt:',
    'edit.heading': 'Dieses Konzept bearbeiten',
    'edit.pref': 'Bevorzugte Bezeichnung ({lang})',
    'edit.alt': 'Alternative Bezeichnungen ({lang}), eine pro Zeile',
    'edit.hidden': 'Versteckte Bezeichnungen ({lang}), eine pro Zeile',
    'edit.definition': 'Definition ({lang})',
    'edit.scopeNote': 'Anwendungshinweis ({lang})',
    'edit.otherLanguages': 'Weitere Sprachen ({count})',
    'edit.labelsLegend': 'Bezeichnungen',
    'edit.notesLegend': 'Definition und Anmerkungen',
    'edit.linksLegend': 'Verknüpfungen',
    'edit.linksHelp': 'Ein Konzept pro Zeile: seine Kennung in diesem Vokabular oder seine IRI.',
    'edit.broader': 'Oberbegriffe',
    'edit.narrower': 'Unterbegriffe',
    'edit.related': 'Verwandte Konzepte',
    'edit.notation': 'Notation',
    'edit.keptNote': 'Entsprechungen in anderen Vokabularen und der Veraltet-Status bleiben, wie sie sind.',
    'edit.save': 'Änderungen speichern',
    'edit.saved': 'Gespeichert.',
    'edit.unchanged': 'Es wurde nichts geändert.',
    'field.prefLabel': 'Bevorzugte Bezeichnung',
    'field.altLabel': 'Alternative Bezeichnungen',
    'field.hiddenLabel': 'Versteckte Bezeichnungen',
    'field.definition': 'Definition',
    'field.scopeNote': 'Anwendungshinweis',
    'conflict.title': 'Jemand anderes hat dieses Konzept geändert',
    'conflict.explain': 'Dieses Konzept wurde von jemand anderem geändert, nachdem Sie es geladen hatten; Ihre Änderungen wurden daher nicht gespeichert, denn so gespeichert würden sie die andere Änderung stillschweigend zurücknehmen. Unten stehen die Felder, in denen sich Ihre Fassung und die aktuelle unterscheiden.',
    'conflict.field': 'Feld',
    'conflict.yours': 'Ihre Fassung',
    'conflict.current': 'Aktuelle Fassung',
    'conflict.reapply': 'Meine Änderungen auf die aktuelle Fassung anwenden',
    'conflict.reapplyHelp': 'Felder, die Sie geändert haben, erhalten Ihren Wert; alle anderen behalten den aktuellen.',
    'conflict.discard': 'Meine Änderungen verwerfen und die aktuelle Fassung zeigen',
    'conflict.empty': '(leer)',
    'deprecate.heading': 'Als veraltet markieren',
    'deprecate.explain': 'Ein veraltetes Konzept bleibt erhalten und wird als veraltet markiert, sodass Datensätze, die es verwenden, ihre Verknüpfung behalten; optional können Sie das Konzept nennen, das es ersetzt.',
    'deprecate.replacedBy': 'Ersetzt durch (Kennung, optional)',
    'deprecate.start': 'Als veraltet markieren…',
    'deprecate.confirm': '„{label}“ wirklich als veraltet markieren? {usage}',
    'deprecate.usage': 'Es wird von {count} Datensätzen verwendet.',
    'deprecate.unused': 'Kein Datensatz verwendet es.',
    'deprecate.yes': 'Ja, als veraltet markieren',
    'deprecate.hard': 'Ganz entfernen',
    'deprecate.cancel': 'Abbrechen',
    'deprecate.done': 'Das Konzept ist jetzt als veraltet markiert.',
    'deprecate.removed': 'Das Konzept {label} wurde entfernt.',
    'deprecate.already': 'Dieses Konzept ist als veraltet markiert.',
    'error.401': 'Der Server hat Ihr Token nicht angenommen: {message}. Geben Sie oben ein gültiges Kurator-Token ein (es wird nur für diese Browser-Sitzung gespeichert).',
    'error.401none': 'Änderungen brauchen ein Kurator-Token: Geben Sie es oben ein (es wird nur für diese Browser-Sitzung gespeichert).',
    'error.403': 'Ihr Token darf keine Vokabulare ändern: Es braucht die Rolle Kurator oder Admin ({message}).',
    'error.422': 'Das Konzept wurde nicht gespeichert; bitte korrigieren:',
    'error.409': 'Nicht ausgeführt: {message}',
    'error.inUse': 'Diese Datensätze verwenden es noch:',
    'error.412': 'Dieses Konzept wurde von jemand anderem geändert, nachdem Sie es geladen hatten; es wurde nichts geändert. Laden Sie die Seite neu, um die aktuelle Fassung zu sehen.',
    'error.notFound': 'Dieses Vokabular oder Konzept gibt es nicht: {message}',
  },
});

// ---- small helpers -----------------------------------------------------------

const RDF_FORMATS = [['turtle', 'Turtle'], ['jsonld', 'JSON-LD'], ['rdfxml', 'RDF/XML'], ['ntriples', 'N-Triples']];
const LABEL_KINDS = ['prefLabel', 'altLabel', 'hiddenLabel'];
const NOTE_KINDS = ['definition', 'scopeNote'];
const EDITABLE_LINKS = ['broader', 'narrower', 'related'];
const MAPPING_LINKS = ['exactMatch', 'closeMatch', 'broadMatch', 'narrowMatch', 'relatedMatch'];

// A language map's text in the page language, else English, else without a
// language, else any.
function pick(map) {
  if (!map || typeof map !== 'object') return '';
  for (const key of [lang, 'en', '@none']) {
    const v = map[key];
    if (v !== undefined && v !== '') return Array.isArray(v) ? v[0] : v;
  }
  const first = Object.values(map)[0];
  return first === undefined ? '' : (Array.isArray(first) ? first[0] : first);
}

// Languages in reading order: the page's, then English and German, then
// the rest alphabetically, "@none" last.
function orderLanguages(langs) {
  const first = [lang, lang === 'en' ? 'de' : 'en'];
  const rest = [...new Set(langs)].filter((l) => !first.includes(l) && l !== '@none').sort();
  return [...first.filter((l) => langs.includes(l)), ...rest, ...(langs.includes('@none') ? ['@none'] : [])];
}

const languageName = (code) => (code === '@none' ? t('labels.noLanguage') : code);

const vocabHref = (schemeId, conceptId) =>
  '/vocab' + (schemeId ? '/' + encodeURIComponent(schemeId) : '') + (conceptId ? '/' + encodeURIComponent(conceptId) : '');
const apiScheme = (schemeId) => '/api/vocab/' + encodeURIComponent(schemeId);
const apiConcept = (schemeId, conceptId) => apiScheme(schemeId) + '/' + encodeURIComponent(conceptId);

// The last path segment or fragment of an IRI: a concept's id.
const lastSegment = (iri) => String(iri).replace(/[/#]+$/, '').split(/[/#]/).pop();

// A link inside this page: followed with pushState.
const navLink = (href, text, attrs = {}) => el('a', { href, 'data-nav': '', ...attrs }, text);

function setTitle(...parts) {
  document.title = [...parts, 'fairdex'].filter(Boolean).join(' – ');
}

function heading(text, extra) {
  return el('h1', { tabindex: '-1' }, text, extra || null);
}

function trail(...items) {
  const list = el('ol', { class: 'vocab-trail' });
  items.forEach((item, i) => list.append(el('li', {}, i < items.length - 1 ? navLink(item.href, item.text) : el('span', { 'aria-current': 'page' }, item.text))));
  return el('nav', { 'aria-label': t('nav.trail') }, list);
}

const deprecatedMark = () => el('span', { class: 'chip vocab-deprecated-chip' }, t('deprecated'));

// ---- the schemes (cached: titles and the IRI → scheme mapping) ----------------

let schemesCache = null;

async function loadSchemes(fresh) {
  if (!schemesCache || fresh) schemesCache = (await api('/api/vocab')).schemes || [];
  return schemesCache;
}

// The scheme id and concept id of a concept IRI in a managed scheme, or null.
function locateConcept(iri) {
  let best = null;
  for (const s of schemesCache || []) {
    if ((iri.startsWith(s.iri + '/') || iri.startsWith(s.iri + '#')) && (!best || s.iri.length > best.iri.length)) best = s;
  }
  return best ? { scheme: best.id, concept: lastSegment(iri) } : null;
}

// The page of a concept IRI: its concept view when a managed scheme holds
// it, else its local resource page.
function conceptLink(iri, text) {
  const where = locateConcept(iri);
  return where ? navLink(vocabHref(where.scheme, where.concept), text || where.concept) : el('a', { href: localHref(iri) }, text || iri);
}

// Concept JSON by IRI, for labels of linked concepts (one request each).
const conceptCache = new Map();
function fetchConcept(iri) {
  const where = locateConcept(iri);
  if (!where) return Promise.resolve(null);
  if (!conceptCache.has(iri)) {
    conceptCache.set(iri, api(apiConcept(where.scheme, where.concept)).catch(() => null));
  }
  return conceptCache.get(iri);
}

// A link to the concept `iri` that shows its id at once and its label
// when it has arrived.
function labelledConceptLink(iri) {
  const where = locateConcept(iri);
  const link = conceptLink(iri, where ? where.concept : iri);
  fetchConcept(iri).then((c) => {
    if (!c) return;
    link.textContent = pick(c.prefLabel) || c.id;
    if (c.deprecated) link.classList.add('deprecated');
  });
  return link;
}

// ---- errors -------------------------------------------------------------------

// The explanation of a failed edit, for people.
function explainError(e) {
  if (!(e instanceof ApiError)) return [notice(String(e && e.message ? e.message : e), 'error')];
  const message = (e.body && e.body.message) || e.message;
  if (e.status === 401) return [notice(getToken() ? t('error.401', { message }) : t('error.401none'), 'error')];
  if (e.status === 403) return [notice(t('error.403', { message }), 'error')];
  if (e.status === 404) return [notice(t('error.notFound', { message }), 'error')];
  if (e.status === 412) return [notice(t('error.412'), 'error')];
  if (e.status === 422 && e.body && Array.isArray(e.body.problems)) {
    return [el('div', { class: 'notice error', role: 'alert' }, el('p', {}, t('error.422')),
      el('ul', { class: 'vocab-problems' }, e.body.problems.map((p) =>
        el('li', {}, p.field ? el('code', {}, p.field) : null, p.field ? ': ' : null, p.message || (p.problems || []).join('; ')))))];
  }
  if (e.status === 409) {
    const out = [notice(t('error.409', { message }), 'error')];
    if (e.body && Array.isArray(e.body.datasets) && e.body.datasets.length) {
      out.push(el('p', {}, t('error.inUse')), datasetList(e.body.datasets));
    }
    return out;
  }
  return [notice(e.message, 'error')];
}

function showError(box, e) {
  clear(box).append(...explainError(e));
  box.querySelector('[role="alert"]')?.scrollIntoView({ block: 'nearest' });
}

const datasetList = (datasets) =>
  el('ul', { class: 'vocab-usage' }, datasets.map((d) => el('li', {}, el('a', { href: localHref(d.iri) }, d.title || d.iri))));

// ---- view: the schemes ------------------------------------------------------------

async function showSchemes(root) {
  setTitle(t('page.title'));
  const schemes = await loadSchemes(true);
  root.append(heading(t('page.title')), el('p', {}, t('page.intro')));
  if (!schemes.length) {
    root.append(notice(t('schemes.none')));
    return;
  }
  const rows = [...schemes].sort((a, b) => (pick(a.title) || a.id).localeCompare(pick(b.title) || b.id, lang));
  root.append(el('div', { class: 'table-wrap' }, el('table', { class: 'vocab-schemes' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('schemes.vocabulary')),
      el('th', { scope: 'col', class: 'num' }, t('schemes.concepts')), el('th', { scope: 'col' }, t('schemes.origin')))),
    el('tbody', {}, rows.map((s) => el('tr', { dataset: { scheme: s.id } },
      el('th', { scope: 'row' }, navLink(vocabHref(s.id), pick(s.title) || s.id), el('br'), el('small', {}, el('code', {}, s.id))),
      el('td', { class: 'num' }, formatNumber(s.concepts || 0)),
      el('td', {}, s.shipped ? t('schemes.shipped') : t('schemes.own'))))))));
}

// ---- the concept tree ----------------------------------------------------------------

let branchCount = 0;

// One tree item: a disclosure button when it has (or may have) narrower
// concepts, the link to its page, and its branch, loaded when opened.
function treeItem(schemeId, node, state) {
  const label = pick(node.prefLabel) || node.id;
  const item = el('li', { dataset: { concept: node.id } });
  const link = navLink(vocabHref(schemeId, node.id), label, {
    class: node.deprecated ? 'deprecated' : null,
    'aria-current': node.id === state.current ? 'page' : null,
  });
  const hasChildren = node.narrower ? node.narrower.length > 0 : state.mayHaveChildren;
  if (!hasChildren) {
    item.append(el('span', { class: 'vocab-leaf', 'aria-hidden': 'true' }), link);
    return item;
  }
  const branch = el('ul', { id: 'branch-' + ++branchCount, hidden: true });
  const toggle = el('button', {
    type: 'button', class: 'vocab-toggle', 'aria-expanded': 'false', 'aria-controls': branch.id,
    'aria-label': t('tree.expand', { label }),
  });
  let loaded = false;
  toggle.addEventListener('click', async () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    branch.hidden = !open;
    if (!open || loaded) return;
    loaded = true;
    branch.append(el('li', { class: 'muted' }, t('loading')));
    try {
      const narrower = node.narrower || (await api(apiConcept(schemeId, node.id))).narrower || [];
      const children = (await Promise.all(narrower.map((iri) => fetchConcept(iri).then((c) => c || { iri, id: lastSegment(iri), prefLabel: {}, narrower: [] }))))
        .sort((a, b) => (pick(a.prefLabel) || a.id).localeCompare(pick(b.prefLabel) || b.id, lang));
      clear(branch);
      if (!children.length) branch.append(el('li', { class: 'muted' }, t('tree.none')));
      for (const child of children) {
        const where = locateConcept(child.iri);
        branch.append(treeItem(where ? where.scheme : schemeId, child, { ...state, mayHaveChildren: false }));
      }
    } catch (e) {
      loaded = false;
      clear(branch).append(el('li', {}, ...explainError(e)));
    }
  });
  item.append(toggle, link, branch);
  return item;
}

// The scheme's tree: its top concepts, narrower ones on demand.  A scheme
// whose concepts are all top concepts has no branches; a small one has its
// top concepts read at once, so only real branches get a button.
async function conceptTree(scheme, current) {
  const tops = scheme.topConcepts || [];
  const flat = tops.length >= (scheme.concepts || 0);
  let nodes = tops;
  if (!flat && tops.length <= 60) {
    nodes = await Promise.all(tops.map((c) => fetchConcept(c.iri).then((full) => full || c)));
  }
  nodes = [...nodes].sort((a, b) => (pick(a.prefLabel) || a.id).localeCompare(pick(b.prefLabel) || b.id, lang));
  const state = { current, mayHaveChildren: !flat };
  return el('ul', { class: 'tree vocab-tree' + (flat ? ' vocab-flat' : ''), 'aria-label': t('tree.label', { scheme: pick(scheme.title) || scheme.id }) },
    nodes.map((n) => treeItem(scheme.id, n, state)));
}

// ---- the label search -------------------------------------------------------------------

function searchBox(schemeId) {
  const input = el('input', { id: 'concept-search', type: 'search', name: 'q', autocomplete: 'off' });
  const results = el('div', { class: 'vocab-search-results', 'aria-live': 'polite' });
  let controller = null;
  let timer = null;
  const run = async () => {
    const q = input.value.trim();
    if (controller) controller.abort();
    if (!q) {
      clear(results);
      return;
    }
    controller = new AbortController();
    const signal = controller.signal;
    const path = (l) => apiScheme(schemeId) + '/concepts?' + new URLSearchParams({ q, limit: '50', ...(l ? { lang: l } : {}) });
    try {
      let answer = await api(path(lang), { signal });
      let otherLanguages = false;
      if (!answer.total) {
        answer = await api(path(null), { signal });
        otherLanguages = answer.total > 0;
      }
      clear(results);
      if (!answer.total) {
        results.append(el('p', { class: 'muted' }, t('search.nothing', { q })));
        return;
      }
      results.append(el('p', { class: 'muted' }, answer.total === 1 ? t('search.result1') : t('search.results', { count: formatNumber(answer.total) })));
      if (otherLanguages) results.append(el('p', { class: 'muted' }, t('search.otherLanguages')));
      results.append(el('ul', { class: 'vocab-hits' }, answer.concepts.map((c) => {
        const label = pick(c.prefLabel) || c.id;
        return el('li', {}, navLink(vocabHref(schemeId, c.id), label, { class: c.deprecated ? 'deprecated' : null }),
          c.notation ? el('small', {}, ' ', c.notation) : null,
          c.matched && c.matched !== label ? el('small', {}, ' — ', t('search.matched', { label: c.matched })) : null,
          c.deprecated ? [' ', deprecatedMark()] : null);
      })));
    } catch (e) {
      if (e.name === 'AbortError') return;
      clear(results).append(...explainError(e));
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  const form = el('form', {
    class: 'inline vocab-search', role: 'search', onsubmit: (e) => {
      e.preventDefault();
      clearTimeout(timer);
      run();
    },
  }, el('label', { for: 'concept-search' }, t('search.label')), input, el('button', { type: 'submit' }, t('search.button')));
  return el('div', {}, form, results);
}

// ---- view: a scheme ---------------------------------------------------------------------------

function rdfLinks(hrefOf) {
  return el('span', { class: 'formats' }, RDF_FORMATS.map(([format, name]) => el('a', { href: hrefOf(format), type: 'rdf' }, name)));
}

// The left column of the scheme and concept views: search and tree.
async function browseColumn(scheme, current) {
  const column = el('section', { class: 'vocab-browse', 'aria-labelledby': 'browse-heading' },
    el('h2', { id: 'browse-heading' }, t('scheme.browse')), searchBox(scheme.id));
  if (!(scheme.topConcepts || []).length) column.append(el('p', { class: 'muted' }, t('scheme.empty')));
  else column.append(await conceptTree(scheme, current));
  return column;
}

async function showScheme(root, schemeId, flash) {
  await loadSchemes();
  const scheme = await api(apiScheme(schemeId));
  const title = pick(scheme.title) || scheme.id;
  setTitle(title, t('page.title'));
  const content = el('div', { class: 'vocab-content' },
    el('dl', { class: 'fields' },
      el('dt', {}, t('scheme.iri')), el('dd', {}, el('code', {}, scheme.iri)),
      el('dt', {}, t('scheme.count')), el('dd', {}, formatNumber(scheme.concepts || 0)),
      el('dt', {}, t('schemes.origin')), el('dd', {}, scheme.shipped ? t('schemes.shipped') : t('schemes.own')),
      el('dt', {}, t('scheme.download')), el('dd', {}, rdfLinks((f) => apiScheme(scheme.id) + '?format=' + f))),
    flash || null,
    curationSection((box) => createForm(box, scheme)));
  root.append(trail({ href: vocabHref(), text: t('page.title') }, { text: title }), heading(title),
    el('div', { class: 'two-columns vocab-layout' }, await browseColumn(scheme, null), content));
}

// The curation section: the token panel, and the forms when a token is set.
function curationSection(fillForms) {
  const forms = el('div');
  const render = () => {
    clear(forms);
    if (getToken()) fillForms(forms);
    else forms.append(el('p', { class: 'muted' }, t('curate.needToken')));
  };
  render();
  return el('section', { class: 'vocab-curate', 'aria-labelledby': 'curate-heading' },
    el('h2', { id: 'curate-heading' }, t('curate.heading')), tokenPanel('curator', render), forms);
}

function field(id, label, input, help) {
  input.id = id;
  if (help) input.setAttribute('aria-describedby', id + '-help');
  return el('div', { class: 'field' }, el('label', { for: id }, label), input, help ? el('small', { id: id + '-help' }, help) : null);
}

function createForm(box, scheme) {
  const id = el('input', { type: 'text', name: 'id', required: true, autocomplete: 'off' });
  const de = el('input', { type: 'text', name: 'prefLabel-de', lang: 'de' });
  const en = el('input', { type: 'text', name: 'prefLabel-en', lang: 'en' });
  const broader = el('input', { type: 'text', name: 'broader', autocomplete: 'off' });
  const status = el('div', { class: 'vocab-status' });
  const submit = el('button', { type: 'submit' }, t('create.submit'));
  const form = el('form', {
    class: 'vocab-create', 'aria-labelledby': 'create-heading', onsubmit: async (e) => {
      e.preventDefault();
      const prefLabel = {};
      if (de.value.trim()) prefLabel.de = de.value.trim();
      if (en.value.trim()) prefLabel.en = en.value.trim();
      const body = { id: id.value.trim(), prefLabel };
      if (broader.value.trim()) body.broader = splitList(broader.value);
      submit.disabled = true;
      try {
        const created = await api(apiScheme(scheme.id) + '/concepts', { method: 'POST', body, auth: true });
        conceptCache.clear();
        const label = pick(created.prefLabel) || created.id;
        const flash = el('p', { class: 'notice ok', role: 'status' }, t('create.done'), ' ',
          navLink(vocabHref(scheme.id, created.id), label));
        await render({ flash, expand: (body.broader || []).map(lastSegment) });
      } catch (err) {
        showError(status, err);
      } finally {
        submit.disabled = false;
      }
    },
  },
  el('h3', { id: 'create-heading' }, t('create.heading')),
  field('new-id', t('create.id'), id, t('create.idHelp')),
  field('new-pref-de', t('create.prefDe'), de),
  field('new-pref-en', t('create.prefEn'), en),
  field('new-broader', t('create.broader'), broader),
  status, submit);
  box.append(form);
}

// ---- view: a concept ------------------------------------------------------------------------------

function labelsSection(concept) {
  const langs = orderLanguages(LABEL_KINDS.flatMap((k) => Object.keys(concept[k] || {})));
  const values = (kind, l) => {
    const v = (concept[kind] || {})[l];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  const row = (l) => el('tr', { dataset: { lang: l } }, el('th', { scope: 'row' }, languageName(l)),
    LABEL_KINDS.map((k) => el('td', { lang: l === '@none' ? null : l }, values(k, l).join(' · '))));
  const table = (rows) => el('div', { class: 'table-wrap' }, el('table', { class: 'vocab-labels' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('labels.language')), el('th', { scope: 'col' }, t('labels.pref')),
      el('th', { scope: 'col' }, t('labels.alt')), el('th', { scope: 'col' }, t('labels.hidden')))),
    el('tbody', {}, rows.map(row))));
  const main = langs.filter((l) => l === lang || l === 'en' || l === 'de' || l === '@none');
  const more = langs.filter((l) => !main.includes(l));
  return el('section', { 'aria-labelledby': 'labels-heading' }, el('h2', { id: 'labels-heading' }, t('labels.heading')),
    table(main.length ? main : langs.slice(0, 1)),
    more.length && main.length ? el('details', {}, el('summary', {}, t('labels.more', { count: more.length })), table(more)) : null);
}

function notesSection(concept) {
  const items = [];
  for (const kind of NOTE_KINDS) {
    const map = concept[kind] || {};
    for (const l of orderLanguages(Object.keys(map))) {
      for (const text of [].concat(map[l])) {
        items.push(el('dt', {}, t('notes.' + kind), ' (', languageName(l), ')'), el('dd', { lang: l === '@none' ? null : l }, text));
      }
    }
  }
  if (!items.length) return null;
  return el('section', { 'aria-labelledby': 'notes-heading' }, el('h2', { id: 'notes-heading' }, t('notes.heading')), el('dl', { class: 'fields' }, items));
}

function linksSection(concept) {
  const items = [];
  for (const kind of [...EDITABLE_LINKS, ...MAPPING_LINKS]) {
    const iris = concept[kind] || [];
    if (!iris.length) continue;
    items.push(el('dt', {}, t('links.' + kind)),
      el('dd', { dataset: { link: kind } }, el('ul', { class: 'vocab-links' }, iris.map((iri) => el('li', {}, labelledConceptLink(iri))))));
  }
  return el('section', { 'aria-labelledby': 'links-heading' }, el('h2', { id: 'links-heading' }, t('links.heading')),
    items.length ? el('dl', { class: 'fields' }, items) : el('p', { class: 'muted' }, t('links.none')));
}

async function usageSection(schemeId, concept) {
  const section = el('section', { class: 'vocab-usage-section', 'aria-labelledby': 'usage-heading' }, el('h2', { id: 'usage-heading' }, t('usage.heading')));
  try {
    const answer = await api(apiConcept(schemeId, concept.id) + '/datasets?limit=100');
    if (!answer.total) {
      section.append(el('p', { class: 'muted' }, t('usage.none')));
      return section;
    }
    section.append(el('p', {}, answer.total === 1 ? t('usage.count1') : t('usage.count', { count: formatNumber(answer.total) }),
      answer.total > answer.datasets.length ? [' ', t('usage.shown', { shown: answer.datasets.length })] : null),
    datasetList(answer.datasets));
  } catch (e) {
    section.append(...explainError(e));
  }
  return section;
}

function rdfSection(schemeId, concept) {
  const own = concept.iri.startsWith(base) && concept.iri.length > base.length;
  return el('section', { 'aria-labelledby': 'rdf-heading' }, el('h2', { id: 'rdf-heading' }, t('rdf.heading')),
    own ? el('p', {}, t('rdf.concept'), ' ', rdfLinks((f) => localHref(concept.iri) + '?format=' + f))
      : el('p', {}, t('rdf.scheme'), ' ', rdfLinks((f) => apiScheme(schemeId) + '?format=' + f)));
}

// ---- history -----------------------------------------------------------------------------------

const TERM = /^\s*(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)/;

function unescapeLiteral(s) {
  return s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (m, c) => {
    if (c[0] === 'u' || c[0] === 'U') return String.fromCodePoint(parseInt(c.slice(1), 16));
    return { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' }[c] ?? c;
  });
}

// One N-Quads line as { subject, predicate, object: {iri} | {text, lang} }.
function parseQuad(line) {
  const terms = [];
  let rest = line;
  for (let i = 0; i < 3; i++) {
    const m = TERM.exec(rest);
    if (!m) return null;
    terms.push(m[1]);
    rest = rest.slice(m[0].length);
  }
  const iri = (term) => (term.startsWith('<') ? term.slice(1, -1) : term);
  const o = terms[2];
  let object;
  if (o.startsWith('"')) {
    const end = o.lastIndexOf('"');
    const suffix = o.slice(end + 1);
    object = { text: unescapeLiteral(o.slice(1, end)), lang: suffix.startsWith('@') ? suffix.slice(1) : null };
  } else {
    object = { iri: iri(o) };
  }
  return { subject: iri(terms[0]), predicate: iri(terms[1]), object };
}

const predicateName = (iri) => iri.replace(/^.*[/#]/, '');

const PREFIXES = [['skos:', 'http://www.w3.org/2004/02/skos/core#'], ['dct:', 'http://purl.org/dc/terms/'],
  ['rdf:', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'], ['owl:', 'http://www.w3.org/2002/07/owl#']];
function compactIri(iri) {
  for (const [prefix, ns] of PREFIXES) if (iri.startsWith(ns)) return prefix + iri.slice(ns.length);
  return iri;
}

function statementItem(kind, quad, conceptIri) {
  const o = quad.object;
  const value = o.iri ? (locateConcept(o.iri) ? labelledConceptLink(o.iri) : el('code', {}, compactIri(o.iri)))
    : el('q', { lang: o.lang || null }, o.text);
  return el('li', { class: 'vocab-' + kind },
    el('span', { class: 'vocab-change-kind' }, t('history.' + kind)), ' ',
    quad.subject !== conceptIri ? [t('history.on', { subject: lastSegment(quad.subject) }), ' '] : null,
    el('strong', {}, predicateName(quad.predicate)), o.lang ? ` (${o.lang})` : '', ': ', value);
}

// The concept's history, newest first; with a curator token, each change
// can be undone (POST /api/history/{id}/revert), then `reload` shows the
// result.
async function historySection(schemeId, concept, reload) {
  const section = el('section', { class: 'vocab-history', 'aria-labelledby': 'history-heading' }, el('h2', { id: 'history-heading' }, t('history.heading')));
  try {
    const answer = await api(apiConcept(schemeId, concept.id) + '/history?limit=1000');
    const changes = (answer.changes || []).slice().reverse();
    if (!changes.length) {
      section.append(el('p', { class: 'muted' }, t('history.none')));
      return section;
    }
    const list = el('ol', { class: 'vocab-changes', reversed: true });
    for (const change of changes) {
      const statements = [];
      for (const [kind, lines] of [['removed', change.removed || []], ['added', change.added || []]]) {
        for (const line of lines) {
          const quad = parseQuad(line);
          if (!quad || predicateName(quad.predicate) === 'modified') continue;
          statements.push(statementItem(kind, quad, concept.iri));
        }
      }
      const action = t('action.' + change.action) !== 'action.' + change.action ? t('action.' + change.action) : change.action;
      const status = el('div', { class: 'vocab-status' });
      const undo = getToken() ? el('button', {
        type: 'button', class: 'secondary vocab-revert',
        onclick: async () => {
          undo.disabled = true;
          try {
            const done = await api('/api/history/' + change.id + '/revert', { method: 'POST', auth: true });
            await reload(done.change === null ? t('history.nothingToUndo', { id: change.id })
              : t('history.reverted', { id: change.id, change: done.change }));
          } catch (e) {
            undo.disabled = false;
            clear(status).append(...explainError(e));
          }
        },
      }, t('history.revert', { id: change.id })) : null;
      list.append(el('li', { dataset: { change: change.id } },
        el('p', { class: 'vocab-change-head' }, el('strong', {}, t('history.entry', { id: change.id })), ' · ',
          el('time', { datetime: change.at }, formatDate(change.at)), ' · ', t('history.by', { who: change.who || '?' }), ' · ', action,
          change.reverts ? [' · ', t('history.reverts', { id: change.reverts })] : null),
        statements.length ? el('ul', { class: 'vocab-statements' }, statements) : null,
        undo, status));
    }
    section.append(list);
  } catch (e) {
    section.append(...explainError(e));
  }
  return section;
}

// ---- editing: the concept as flat fields ----------------------------------------------------------

// The editable part of a concept as { 'prefLabel.de': 'x', 'altLabel.en':
// ['a', 'b'], 'broader': [...], 'notation': 'n' }: a form's values, a
// concept's and their three-way merge all use this shape.
function flatten(concept) {
  const flat = {};
  for (const kind of [...LABEL_KINDS, ...NOTE_KINDS]) {
    for (const [l, v] of Object.entries(concept[kind] || {})) {
      flat[kind + '.' + l] = kind === 'prefLabel' ? [].concat(v)[0] : [].concat(v);
    }
  }
  for (const kind of EDITABLE_LINKS) flat[kind] = [...(concept[kind] || [])];
  flat.notation = concept.notation || '';
  return flat;
}

// The PUT body: the concept as read, with the flat fields in place of its
// labels, notes, notation and editable links.
function unflatten(flat, concept) {
  const body = {};
  for (const [k, v] of Object.entries(concept)) {
    if (k !== 'usage' && k !== 'scheme') body[k] = v;
  }
  for (const kind of [...LABEL_KINDS, ...NOTE_KINDS]) body[kind] = {};
  for (const [key, value] of Object.entries(flat)) {
    const dot = key.indexOf('.');
    if (dot < 0 || emptyValue(value)) continue;
    const kind = key.slice(0, dot);
    const l = key.slice(dot + 1);
    if (kind === 'prefLabel') {
      body.prefLabel[l] = value;
    } else {
      body[kind][l] = kind === 'definition' || kind === 'scopeNote' ? (value.length === 1 ? value[0] : value) : value;
    }
  }
  for (const kind of EDITABLE_LINKS) body[kind] = flat[kind] || [];
  body.notation = flat.notation ? flat.notation : null;
  return body;
}

const normal = (v) => JSON.stringify(Array.isArray(v) ? v : v === undefined || v === null ? '' : v);
const emptyValue = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length);
const same = (a, b) => (emptyValue(a) && emptyValue(b)) || normal(a) === normal(b);

function splitList(text) {
  return text.split(/[\n,]+/).map((s) => s.trim()).filter(Boolean);
}

// Links shown by id when they are in the concept's own scheme.
function linkText(iris, concept) {
  const prefix = concept.scheme ? concept.scheme + '/' : null;
  return iris.map((iri) => (prefix && iri.startsWith(prefix) && !iri.slice(prefix.length).includes('/') ? iri.slice(prefix.length) : iri)).join('\n');
}

function toIris(list, concept) {
  return list.map((v) => (/^[a-z][a-z0-9+.-]*:/i.test(v) ? v : concept.scheme + '/' + v));
}

// The edit form of `concept`: its labels and notes per language, its
// broader, narrower and related concepts and its notation;
// `onSubmit(fields, statusBox)` gets the flat fields the user submitted.
function editForm(concept, onSubmit) {
  const labelLangs = orderLanguages(['de', 'en', ...LABEL_KINDS.flatMap((k) => Object.keys(concept[k] || {}))]);
  const noteLangs = orderLanguages(['de', 'en', ...NOTE_KINDS.flatMap((k) => Object.keys(concept[k] || {}))]);
  const inputs = {};
  const flat = flatten(concept);
  const langInput = (kind, l) => {
    const key = kind + '.' + l;
    const id = 'edit-' + kind + '-' + l.replace(/[^A-Za-z0-9-]/g, '');
    const multi = kind !== 'prefLabel';
    const value = multi ? (flat[key] || []).join('\n') : flat[key] || '';
    const input = multi ? el('textarea', { rows: kind === 'definition' || kind === 'scopeNote' ? 3 : 2, lang: l === '@none' ? null : l, value })
      : el('input', { type: 'text', lang: l === '@none' ? null : l, value });
    inputs[key] = input;
    const textKey = { prefLabel: 'edit.pref', altLabel: 'edit.alt', hiddenLabel: 'edit.hidden', definition: 'edit.definition', scopeNote: 'edit.scopeNote' }[kind];
    return field(id, t(textKey, { lang: languageName(l) }), input);
  };
  const byLanguage = (kinds, langs) => {
    const first = langs.filter((l) => l === 'de' || l === 'en');
    const others = langs.filter((l) => !first.includes(l));
    return [
      first.map((l) => el('div', { class: 'vocab-lang-group' }, kinds.map((k) => langInput(k, l)))),
      others.length ? el('details', {}, el('summary', {}, t('edit.otherLanguages', { count: others.length })),
        others.map((l) => el('div', { class: 'vocab-lang-group' }, kinds.map((k) => langInput(k, l))))) : null,
    ];
  };
  const linkInputs = EDITABLE_LINKS.map((kind) => {
    const input = el('textarea', { rows: 2, value: linkText(flat[kind], concept), 'aria-describedby': 'edit-links-help' });
    inputs[kind] = input;
    const id = 'edit-' + kind;
    input.id = id;
    return el('div', { class: 'field' }, el('label', { for: id }, t('edit.' + kind)), input);
  });
  const notation = el('input', { type: 'text', value: flat.notation });
  inputs.notation = notation;

  const read = () => {
    const out = {};
    for (const [key, input] of Object.entries(inputs)) {
      if (EDITABLE_LINKS.includes(key)) out[key] = toIris(splitList(input.value), concept);
      else if (key === 'notation' || key.startsWith('prefLabel.')) out[key] = input.value.trim();
      else out[key] = input.value.split('\n').map((s) => s.trim()).filter(Boolean);
    }
    return out;
  };
  const status = el('div', { class: 'vocab-status' });
  const submit = el('button', { type: 'submit' }, t('edit.save'));
  const form = el('form', {
    class: 'vocab-edit', 'aria-labelledby': 'edit-heading', onsubmit: async (e) => {
      e.preventDefault();
      submit.disabled = true;
      clear(status);
      try {
        await onSubmit(read(), status);
      } finally {
        submit.disabled = false;
      }
    },
  },
  el('h3', { id: 'edit-heading' }, t('edit.heading')),
  el('fieldset', {}, el('legend', {}, t('edit.labelsLegend')), byLanguage(LABEL_KINDS, labelLangs)),
  el('fieldset', {}, el('legend', {}, t('edit.notesLegend')), byLanguage(NOTE_KINDS, noteLangs)),
  el('fieldset', {}, el('legend', {}, t('edit.linksLegend')), el('small', { id: 'edit-links-help' }, t('edit.linksHelp')), linkInputs,
    field('edit-notation', t('edit.notation'), notation)),
  el('p', { class: 'muted' }, t('edit.keptNote')),
  status, submit);
  return form;
}

// A field's name for people: "Preferred label (de)".
function fieldName(key) {
  const dot = key.indexOf('.');
  if (dot < 0) return key === 'notation' ? t('edit.notation') : t('edit.' + key);
  return `${t('field.' + key.slice(0, dot))} (${languageName(key.slice(dot + 1))})`;
}

function showValue(v) {
  if (emptyValue(v)) return el('span', { class: 'muted' }, t('conflict.empty'));
  return [].concat(v).join(', ');
}

// ---- view: a concept ---------------------------------------------------------------------------------

async function showConcept(root, schemeId, conceptId, flash) {
  await loadSchemes();
  const meta = {};
  const [scheme, concept] = await Promise.all([api(apiScheme(schemeId)), api(apiConcept(schemeId, conceptId), {}, meta)]);
  let etag = meta.etag;
  const label = pick(concept.prefLabel) || concept.id;
  const schemeTitle = pick(scheme.title) || scheme.id;
  setTitle(label, schemeTitle, t('page.title'));

  const state = el('dd', {}, concept.deprecated ? el('strong', { class: 'vocab-deprecated-state' }, t('concept.deprecatedState')) : t('concept.active'));
  const facts = el('dl', { class: 'fields' },
    el('dt', {}, t('scheme.iri')), el('dd', {}, el('code', {}, concept.iri)),
    concept.notation ? [el('dt', {}, t('concept.notation')), el('dd', {}, concept.notation)] : null,
    el('dt', {}, t('concept.scheme')), el('dd', {}, navLink(vocabHref(scheme.id), schemeTitle)),
    el('dt', {}, t('concept.status')), state,
    (concept.replacedBy || []).length ? [el('dt', {}, t('concept.replacedBy')),
      el('dd', {}, el('ul', { class: 'vocab-links' }, concept.replacedBy.map((iri) => el('li', {}, labelledConceptLink(iri)))))] : null);

  const reload = (message) => render({ flash: message ? el('p', { class: 'notice ok', role: 'status' }, message) : null });

  // Save `mine` (flat fields) over the concept as read with `etag`.
  const save = async (mine, status, original) => {
    const body = unflatten(mine, concept);
    try {
      await api(apiConcept(schemeId, concept.id), { method: 'PUT', body, auth: true, headers: { 'If-Match': etag } });
      conceptCache.clear();
      await reload(t('edit.saved'));
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) await showConflict(status, mine, original);
      else showError(status, e);
    }
  };

  // The 412 answer: explain, compare, offer to reapply the user's changes.
  const showConflict = async (status, mine, original) => {
    const currentMeta = {};
    let current;
    try {
      current = await api(apiConcept(schemeId, concept.id), {}, currentMeta);
    } catch (e) {
      showError(status, e);
      return;
    }
    const theirs = flatten(current);
    const keys = [...new Set([...Object.keys(mine), ...Object.keys(theirs)])];
    const differing = keys.filter((k) => !same(mine[k], theirs[k]));
    const merged = {};
    for (const k of keys) merged[k] = same(mine[k], original[k]) ? theirs[k] : mine[k];
    const reapply = el('button', {
      type: 'button', onclick: async () => {
        reapply.disabled = true;
        Object.assign(concept, current);
        etag = currentMeta.etag;
        await save(merged, status, theirs);
        reapply.disabled = false;
      },
    }, t('conflict.reapply'));
    clear(status).append(el('div', { class: 'notice error vocab-conflict', role: 'alert' },
      el('h4', {}, t('conflict.title')), el('p', {}, t('conflict.explain')),
      differing.length ? el('div', { class: 'table-wrap' }, el('table', {},
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, t('conflict.field')), el('th', { scope: 'col' }, t('conflict.yours')), el('th', { scope: 'col' }, t('conflict.current')))),
        el('tbody', {}, differing.map((k) => el('tr', { dataset: { field: k } }, el('th', { scope: 'row' }, fieldName(k)), el('td', {}, showValue(mine[k])), el('td', {}, showValue(theirs[k]))))))) : null,
      el('p', { class: 'muted' }, t('conflict.reapplyHelp')),
      el('div', { class: 'toolbar' }, reapply,
        el('button', { type: 'button', class: 'secondary', onclick: () => { conceptCache.clear(); reload(); } }, t('conflict.discard')))));
    status.scrollIntoView({ block: 'nearest' });
  };

  const fillForms = (box) => {
    const original = flatten(concept);
    box.append(editForm(concept, async (mine, status) => {
      if (Object.keys({ ...mine, ...original }).every((k) => same(mine[k], original[k]))) {
        clear(status).append(notice(t('edit.unchanged')));
        return;
      }
      await save(mine, status, original);
    }));
    box.append(deprecateForm(schemeId, concept, () => etag, reload));
  };

  const [usage, changes] = await Promise.all([usageSection(schemeId, concept), historySection(schemeId, concept, reload)]);
  const content = el('div', { class: 'vocab-content' },
    facts, flash || null, labelsSection(concept), notesSection(concept), linksSection(concept), usage, rdfSection(schemeId, concept), changes,
    curationSection(fillForms));
  root.append(trail({ href: vocabHref(), text: t('page.title') }, { href: vocabHref(scheme.id), text: schemeTitle }, { text: label }),
    heading(label, concept.deprecated ? [' ', deprecatedMark()] : null),
    el('div', { class: 'two-columns vocab-layout vocab-concept-layout' }, await browseColumn(scheme, concept.id), content));
}

function deprecateForm(schemeId, concept, currentEtag, reload) {
  const label = pick(concept.prefLabel) || concept.id;
  const box = el('section', { class: 'vocab-deprecate', 'aria-labelledby': 'deprecate-heading' }, el('h3', { id: 'deprecate-heading' }, t('deprecate.heading')));
  if (concept.deprecated) {
    box.append(el('p', {}, t('deprecate.already')));
    return box;
  }
  const replacedBy = el('input', { type: 'text', autocomplete: 'off' });
  const status = el('div', { class: 'vocab-status' });
  const confirmBox = el('div', { class: 'vocab-confirm', hidden: true });
  const start = el('button', { type: 'button', class: 'danger', 'aria-expanded': 'false', 'aria-controls': 'deprecate-confirm' }, t('deprecate.start'));
  confirmBox.id = 'deprecate-confirm';
  const send = async (hard) => {
    clear(status);
    const params = new URLSearchParams();
    if (hard) params.set('hard', 'true');
    else if (replacedBy.value.trim()) params.set('replacedBy', replacedBy.value.trim());
    try {
      await api(apiConcept(schemeId, concept.id) + (params.toString() ? '?' + params : ''), { method: 'DELETE', auth: true, headers: { 'If-Match': currentEtag() } });
      conceptCache.clear();
      if (hard) {
        history.pushState(null, '', vocabHref(schemeId));
        await render({ flash: el('p', { class: 'notice ok', role: 'status' }, t('deprecate.removed', { label })) });
      } else {
        await reload(t('deprecate.done'));
      }
    } catch (e) {
      showError(status, e);
    }
  };
  const open = (yes) => {
    confirmBox.hidden = !yes;
    start.setAttribute('aria-expanded', String(yes));
    if (yes) confirmBox.querySelector('button')?.focus();
  };
  start.addEventListener('click', () => open(confirmBox.hidden));
  const usageText = concept.usage ? t('deprecate.usage', { count: concept.usage }) : t('deprecate.unused');
  confirmBox.append(el('p', { role: 'alert' }, t('deprecate.confirm', { label, usage: usageText })),
    el('div', { class: 'toolbar' },
      el('button', { type: 'button', class: 'danger', onclick: () => send(false) }, t('deprecate.yes')),
      concept.usage ? null : el('button', { type: 'button', class: 'secondary', onclick: () => send(true) }, t('deprecate.hard')),
      el('button', { type: 'button', class: 'secondary', onclick: () => { open(false); start.focus(); } }, t('deprecate.cancel'))));
  box.append(el('p', {}, t('deprecate.explain')), field('deprecate-replaced-by', t('deprecate.replacedBy'), replacedBy), start, confirmBox, status);
  return box;
}

// ---- routing --------------------------------------------------------------------------------------

function route() {
  const parts = location.pathname.replace(/\/+$/, '').split('/').slice(2).map((p) => {
    try {
      return decodeURIComponent(p);
    } catch (e) {
      return p;
    }
  });
  return { scheme: parts[0] || null, concept: parts[1] || null };
}

let renderCount = 0;

// Draw the view the address names.  options: { flash (a notice shown in
// the view), expand (concept ids whose branches to open) }.
async function render(options = {}) {
  const mine = ++renderCount;
  const where = route();
  const view = el('div', { class: 'vocab-page' });
  const root = main();
  if (!root.firstChild) root.append(notice(t('loading')));
  try {
    if (where.concept) await showConcept(view, where.scheme, where.concept, options.flash);
    else if (where.scheme) await showScheme(view, where.scheme, options.flash);
    else await showSchemes(view);
  } catch (e) {
    if (mine !== renderCount) return;
    setTitle(t('page.title'));
    view.append(trail({ href: vocabHref(), text: t('page.title') }, { text: where.concept || where.scheme || '' }), ...explainError(e));
  }
  if (mine !== renderCount) return;
  clear(root).append(view);
  for (const id of options.expand || []) {
    view.querySelector(`.vocab-tree li[data-concept="${CSS.escape(id)}"] > .vocab-toggle[aria-expanded="false"]`)?.click();
  }
  if (options.flash) options.flash.scrollIntoView({ block: 'center' });
  else window.scrollTo(0, 0);
}

main().addEventListener('click', (e) => {
  const link = e.target.closest('a[data-nav]');
  if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  history.pushState(null, '', link.getAttribute('href'));
  render().then(() => main().querySelector('h1')?.focus({ preventScroll: true }));
});
window.addEventListener('popstate', () => render());

render();
