// search.js: the search page at /, where most researchers meet fairdex.
// A query box with suggestions (/api/suggest), facets with counts and
// labels (several values of one facet are OR, facets are AND), results
// with highlighted snippets, themes, formats and dates, sorting and
// pages, all from /api/datasets.  The URL holds the whole state (q, one
// parameter per facet value, sort, page), so a search can be shared and
// the back button steps through it; the page renders from the URL alone.

import {
  addTexts, api, clear, el, formatDate, formatNumber, lang, localHref, main, marked, notice, t,
} from './common.js';

addTexts({
  en: {
    title: 'Find research datasets',
    intro: 'Search the catalogue by words in German or English; narrow the results with the filters.',
    'q.label': 'Search datasets',
    'q.placeholder': 'e.g. heart failure, Herzinsuffizienz, "blood pressure", cardio*',
    'q.help': 'Words, "quoted phrases", -excluded words and prefix* work.',
    search: 'Search',
    suggestions: 'Suggestions',
    'suggest.keyword': 'keyword',
    'suggest.title': 'dataset',
    'suggest.concept': 'concept',
    filters: 'Filters',
    'facet.theme': 'Theme',
    'facet.publisher': 'Publisher',
    'facet.format': 'Format',
    'facet.license': 'Licence',
    'facet.access_rights': 'Access rights',
    'facet.keyword': 'Keyword',
    'facet.year': 'Year modified',
    'facet.more': 'Show all {n}',
    'facet.less': 'Show fewer',
    'facet.none': 'No values',
    'filter.remove': 'remove this filter',
    'filter.clear': 'Clear all filters',
    sort: 'Sort by',
    'sort.relevance': 'Relevance',
    'sort.modified': 'Last modified',
    'sort.title': 'Title',
    'count.all': '{n} datasets in the catalogue',
    'count.one': '1 dataset found',
    'count.many': '{n} datasets found',
    'count.range': 'showing {from}–{to}',
    'empty.title': 'No datasets match.',
    'empty.hint': 'Try fewer or other words, a word in the other language, or remove filters.',
    'catalogue.empty': 'The catalogue is empty. Load or harvest datasets first (see the README).',
    'result.publisher': 'Publisher',
    'result.modified': 'Modified',
    'result.themes': 'Themes',
    'result.formats': 'Formats',
    pages: 'Pages',
    previous: 'Previous',
    next: 'Next',
    'page.n': 'Page {n}',
    loading: 'Searching…',
    'error.search': 'The search failed.',
  },
  de: {
    title: 'Forschungsdaten finden',
    intro: 'Durchsuchen Sie den Katalog mit deutschen oder englischen Wörtern; grenzen Sie die Treffer mit den Filtern ein.',
    'q.label': 'Datensätze suchen',
    'q.placeholder': 'z. B. Herzinsuffizienz, heart failure, "Blutdruck", kardio*',
    'q.help': 'Wörter, "Phrasen in Anführungszeichen", -ausgeschlossene Wörter und Präfix* sind möglich.',
    search: 'Suchen',
    suggestions: 'Vorschläge',
    'suggest.keyword': 'Schlagwort',
    'suggest.title': 'Datensatz',
    'suggest.concept': 'Begriff',
    filters: 'Filter',
    'facet.theme': 'Thema',
    'facet.publisher': 'Herausgeber',
    'facet.format': 'Format',
    'facet.license': 'Lizenz',
    'facet.access_rights': 'Zugriffsrechte',
    'facet.keyword': 'Schlagwort',
    'facet.year': 'Jahr der Änderung',
    'facet.more': 'Alle {n} zeigen',
    'facet.less': 'Weniger zeigen',
    'facet.none': 'Keine Werte',
    'filter.remove': 'diesen Filter entfernen',
    'filter.clear': 'Alle Filter entfernen',
    sort: 'Sortieren nach',
    'sort.relevance': 'Relevanz',
    'sort.modified': 'Letzte Änderung',
    'sort.title': 'Titel',
    'count.all': '{n} Datensätze im Katalog',
    'count.one': '1 Datensatz gefunden',
    'count.many': '{n} Datensätze gefunden',
    'count.range': 'angezeigt: {from}–{to}',
    'empty.title': 'Keine passenden Datensätze.',
    'empty.hint': 'Versuchen Sie weniger oder andere Wörter, ein Wort in der anderen Sprache, oder entfernen Sie Filter.',
    'catalogue.empty': 'Der Katalog ist leer. Laden oder harvesten Sie zuerst Datensätze (siehe README).',
    'result.publisher': 'Herausgeber',
    'result.modified': 'Geändert',
    'result.themes': 'Themen',
    'result.formats': 'Formate',
    pages: 'Seiten',
    previous: 'Zurück',
    next: 'Weiter',
    'page.n': 'Seite {n}',
    loading: 'Suche läuft…',
    'error.search': 'Die Suche ist fehlgeschlagen.',
  },
});

const FACETS = ['theme', 'publisher', 'format', 'license', 'access_rights', 'keyword', 'year'];
const FACET_SHOWN = 6;
const PER_PAGE = 20;
const SORTS = ['relevance', 'modified', 'title'];

// ---- state <-> URL ---------------------------------------------------------

function readState() {
  const p = new URLSearchParams(location.search);
  const state = { q: p.get('q') || '', sort: p.get('sort') || '', page: Math.max(1, parseInt(p.get('page'), 10) || 1), facets: {} };
  if (!SORTS.includes(state.sort)) state.sort = '';
  for (const f of FACETS) state.facets[f] = p.getAll(f).filter(Boolean);
  return state;
}

function stateQuery(state) {
  const p = new URLSearchParams();
  if (state.q) p.set('q', state.q);
  for (const f of FACETS) for (const v of state.facets[f]) p.append(f, v);
  if (state.sort) p.set('sort', state.sort);
  if (state.page > 1) p.set('page', String(state.page));
  return p;
}

function navigate(state, { replace = false } = {}) {
  const query = stateQuery(state).toString();
  const url = location.pathname + (query ? '?' + query : '');
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render(false);
}

const hasFilters = (state) => FACETS.some((f) => state.facets[f].length > 0);

// ---- the page's fixed parts ----------------------------------------------------

const root = main();
const input = el('input', {
  id: 'q', type: 'search', name: 'q', autocomplete: 'off', spellcheck: 'false',
  placeholder: t('q.placeholder'), role: 'combobox', 'aria-autocomplete': 'list',
  'aria-expanded': 'false', 'aria-controls': 'suggestions', 'aria-describedby': 'q-help',
});
const suggestionList = el('ul', { id: 'suggestions', class: 'suggestions', role: 'listbox', 'aria-label': t('suggestions'), hidden: true });
const sortSelect = el('select', { id: 'sort', name: 'sort' },
  SORTS.map((s) => el('option', { value: s }, t('sort.' + s))));
const form = el('form', { class: 'search-form', role: 'search', action: '/', method: 'get' },
  el('div', { class: 'query' },
    el('label', { for: 'q' }, t('q.label')),
    input, suggestionList,
    el('small', { id: 'q-help' }, t('q.help'))),
  el('button', { type: 'submit' }, t('search')));
const status = el('div', { class: 'results-status', 'aria-live': 'polite' });
const facetsBox = el('aside', { class: 'facets', 'aria-labelledby': 'filters-heading' });
const resultsBox = el('section', { class: 'results-box', 'aria-labelledby': 'results-count' });

root.append(
  el('h1', {}, t('title')),
  el('p', { class: 'muted' }, t('intro')),
  form,
  el('div', { class: 'search-layout' }, facetsBox, el('div', {}, status, resultsBox)));

form.addEventListener('submit', (e) => {
  e.preventDefault();
  closeSuggestions();
  const state = readState();
  state.q = input.value.trim();
  state.page = 1;
  navigate(state);
});

sortSelect.addEventListener('change', () => {
  const state = readState();
  state.sort = sortSelect.value;
  state.page = 1;
  navigate(state);
});

// ---- suggestions (the ARIA combobox pattern) ---------------------------------------

let suggestTimer = 0;
let suggestAbort = null;
let suggestions = [];
let active = -1;

function closeSuggestions() {
  suggestionList.hidden = true;
  input.setAttribute('aria-expanded', 'false');
  input.removeAttribute('aria-activedescendant');
  active = -1;
}

function highlight(i) {
  active = i;
  [...suggestionList.children].forEach((li, k) => li.setAttribute('aria-selected', String(k === i)));
  if (i >= 0) input.setAttribute('aria-activedescendant', 'suggestion-' + i);
  else input.removeAttribute('aria-activedescendant');
}

function choose(s) {
  closeSuggestions();
  if (s.type === 'title' && s.iri) {
    location.href = localHref(s.iri);
    return;
  }
  input.value = s.text.includes(' ') ? '"' + s.text + '"' : s.text;
  form.requestSubmit();
}

async function suggest() {
  const text = input.value.trim();
  if (suggestAbort) suggestAbort.abort();
  if (text.length < 2) {
    closeSuggestions();
    return;
  }
  suggestAbort = new AbortController();
  try {
    const answer = await api('/api/suggest?' + new URLSearchParams({ q: text, limit: '8', lang }), { signal: suggestAbort.signal });
    suggestions = answer.suggestions || [];
  } catch (e) {
    suggestions = [];
  }
  clear(suggestionList);
  suggestions.forEach((s, i) => {
    suggestionList.append(el('li', {
      id: 'suggestion-' + i, role: 'option', 'aria-selected': 'false',
      onmousedown: (e) => { e.preventDefault(); choose(s); },
    }, s.text, el('small', {}, t('suggest.' + s.type))));
  });
  const open = suggestions.length > 0 && document.activeElement === input;
  suggestionList.hidden = !open;
  input.setAttribute('aria-expanded', String(open));
  active = -1;
}

input.addEventListener('input', () => {
  clearTimeout(suggestTimer);
  suggestTimer = setTimeout(suggest, 150);
});
input.addEventListener('blur', () => setTimeout(closeSuggestions, 100));
input.addEventListener('keydown', (e) => {
  if (suggestionList.hidden) return;
  if (e.key === 'ArrowDown') {
    e.preventDefault();
    highlight((active + 1) % suggestions.length);
  } else if (e.key === 'ArrowUp') {
    e.preventDefault();
    highlight(active <= 0 ? suggestions.length - 1 : active - 1);
  } else if (e.key === 'Enter' && active >= 0) {
    e.preventDefault();
    choose(suggestions[active]);
  } else if (e.key === 'Escape') {
    closeSuggestions();
  }
});

// ---- facets -----------------------------------------------------------------------

const expanded = {}; // facet -> shown or not (the user's choice survives renders)
const showAll = {};
const narrow = window.matchMedia('(max-width: 52em)');

function facetLabel(facet, value, answer) {
  const entry = (answer.facets[facet] || []).find((e) => e.value === value);
  return (entry && entry.label) || value;
}

let lastAnswer = null;

// Phone width: the facets start collapsed; desktop: the first three open.
narrow.addEventListener('change', () => {
  for (const f of Object.keys(expanded)) delete expanded[f];
  if (lastAnswer) renderFacets(readState(), lastAnswer);
});

function renderFacets(state, answer) {
  lastAnswer = answer;
  clear(facetsBox);
  facetsBox.append(el('h2', { id: 'filters-heading' }, t('filters')));
  FACETS.forEach((facet, index) => {
    const entries = [...(answer.facets[facet] || [])];
    for (const v of state.facets[facet]) { // a chosen value stays visible
      if (!entries.some((e) => e.value === v)) entries.push({ value: v, label: v, count: 0 });
    }
    if (!(facet in expanded)) expanded[facet] = !narrow.matches && (index < 3 || state.facets[facet].length > 0);
    const listId = 'facet-' + facet;
    const toggle = el('button', {
      type: 'button', class: 'facet-toggle', 'aria-expanded': String(expanded[facet]), 'aria-controls': listId,
      onclick: () => {
        expanded[facet] = !expanded[facet];
        toggle.setAttribute('aria-expanded', String(expanded[facet]));
        list.hidden = !expanded[facet];
        more.hidden = !expanded[facet] || entries.length <= FACET_SHOWN;
      },
    }, t('facet.' + facet), state.facets[facet].length ? ` (${state.facets[facet].length})` : '');
    const shown = showAll[facet] ? entries : entries.slice(0, FACET_SHOWN);
    const list = el('ul', { id: listId, hidden: !expanded[facet], 'aria-label': t('facet.' + facet) },
      shown.length ? shown.map((entry, i) => {
        const id = `f-${facet}-${i}`;
        const checked = state.facets[facet].includes(entry.value);
        return el('li', {},
          el('label', { for: id },
            el('input', {
              type: 'checkbox', id, checked, value: entry.value,
              onchange: (e) => {
                const next = readState();
                const values = next.facets[facet];
                if (e.target.checked) values.push(entry.value);
                else next.facets[facet] = values.filter((v) => v !== entry.value);
                next.page = 1;
                navigate(next);
              },
            }),
            el('span', { class: 'facet-value', title: entry.value }, entry.label || entry.value),
            el('span', { class: 'count' }, formatNumber(entry.count))));
      }) : el('li', { class: 'muted' }, t('facet.none')));
    const more = el('button', {
      type: 'button', class: 'more', hidden: !expanded[facet] || entries.length <= FACET_SHOWN,
      onclick: () => {
        showAll[facet] = !showAll[facet];
        renderFacets(readState(), answer);
        document.getElementById(listId)?.querySelector('input')?.focus();
      },
    }, showAll[facet] ? t('facet.less') : t('facet.more', { n: entries.length }));
    facetsBox.append(el('div', { class: 'facet', dataset: { facet } }, toggle, list, more));
  });
}

function renderActiveFilters(state, answer) {
  const chips = [];
  for (const f of FACETS) {
    for (const v of state.facets[f]) {
      const label = facetLabel(f, v, answer);
      // Named by its visible text first (WCAG 2.5.3), then what it does.
      chips.push(el('button', {
        type: 'button',
        onclick: () => {
          const next = readState();
          next.facets[f] = next.facets[f].filter((x) => x !== v);
          next.page = 1;
          navigate(next);
        },
      }, `${t('facet.' + f)}: ${label}`, el('span', { 'aria-hidden': 'true' }, ' ×'),
      el('span', { class: 'visually-hidden' }, ` (${t('filter.remove')})`)));
    }
  }
  if (chips.length > 1) {
    chips.push(el('button', {
      type: 'button', class: 'secondary',
      onclick: () => {
        const next = readState();
        for (const f of FACETS) next.facets[f] = [];
        next.page = 1;
        navigate(next);
      },
    }, t('filter.clear')));
  }
  return chips.length ? el('div', { class: 'active-filters' }, chips) : null;
}

// ---- results ------------------------------------------------------------------------

function renderResult(r) {
  const themes = r.themes || [];
  const formats = r.formats || [];
  return el('li', { class: 'result' },
    el('h3', {}, el('a', { href: localHref(r.iri) }, r.title || r.iri)),
    r.snippet ? el('p', { class: 'snippet' }, marked(r.snippet)) : null,
    el('div', { class: 'meta' },
      r.publisher && (r.publisher.label || r.publisher.iri)
        ? el('span', {}, el('span', { class: 'visually-hidden' }, t('result.publisher') + ': '), r.publisher.label || r.publisher.iri)
        : null,
      r.modified ? el('span', {}, t('result.modified') + ': ', el('time', { datetime: r.modified }, formatDate(r.modified))) : null),
    themes.length ? el('ul', { class: 'chips themes', 'aria-label': t('result.themes') },
      themes.map((th) => el('li', { title: th.iri }, th.label || th.iri))) : null,
    formats.length ? el('ul', { class: 'chips formats', 'aria-label': t('result.formats') },
      formats.map((f) => el('li', { title: f.iri || f }, (f && f.label) || f.iri || f))) : null);
}

function renderPager(state, total) {
  const pages = Math.ceil(total / PER_PAGE);
  if (pages <= 1) return null;
  const link = (n, text, attrs = {}) => {
    const next = { ...state, page: n };
    return el('a', {
      href: '?' + stateQuery(next).toString(), ...attrs,
      onclick: (e) => { e.preventDefault(); navigate(next); root.focus(); },
    }, text);
  };
  const items = [];
  if (state.page > 1) items.push(link(state.page - 1, '‹ ' + t('previous'), { rel: 'prev' }));
  const from = Math.max(1, state.page - 3);
  const to = Math.min(pages, state.page + 3);
  if (from > 1) items.push(link(1, '1', { 'aria-label': t('page.n', { n: 1 }) }), from > 2 ? '…' : null);
  for (let n = from; n <= to; n += 1) {
    items.push(n === state.page
      ? el('span', { 'aria-current': 'page' }, String(n))
      : link(n, String(n), { 'aria-label': t('page.n', { n }) }));
  }
  if (to < pages) items.push(to < pages - 1 ? '…' : null, link(pages, String(pages), { 'aria-label': t('page.n', { n: pages }) }));
  if (state.page < pages) items.push(link(state.page + 1, t('next') + ' ›', { rel: 'next' }));
  return el('nav', { class: 'pager', 'aria-label': t('pages') }, items);
}

function countText(state, total) {
  if (!state.q && !hasFilters(state)) return t('count.all', { n: formatNumber(total) });
  return total === 1 ? t('count.one') : t('count.many', { n: formatNumber(total) });
}

// ---- rendering from the URL --------------------------------------------------------------

let searchAbort = null;

async function render(first) {
  const state = readState();
  input.value = state.q;
  const sort = state.sort || (state.q ? 'relevance' : 'modified');
  sortSelect.value = sort;
  const params = stateQuery({ ...state, page: state.page, sort });
  params.set('per_page', String(PER_PAGE));
  params.set('lang', lang);
  if (searchAbort) searchAbort.abort();
  searchAbort = new AbortController();
  clear(status).append(notice(t('loading')));
  resultsBox.setAttribute('aria-busy', 'true');
  let answer;
  try {
    answer = await api('/api/datasets?' + params.toString(), { signal: searchAbort.signal });
  } catch (e) {
    if (e.name === 'AbortError') return;
    resultsBox.removeAttribute('aria-busy');
    clear(status).append(notice(t('error.search') + ' ' + e.message, 'error'));
    clear(resultsBox);
    if (!facetsBox.firstChild) clear(facetsBox);
    return;
  }
  resultsBox.removeAttribute('aria-busy');
  document.title = (state.q ? state.q + ' – ' : '') + t('title') + ' – fairdex';
  renderFacets(state, answer);
  clear(status);
  clear(resultsBox);
  const total = answer.total || 0;
  const first_ = (state.page - 1) * PER_PAGE + 1;
  resultsBox.append(el('div', { class: 'results-head' },
    el('h2', { id: 'results-count' }, countText(state, total),
      total > PER_PAGE ? el('small', {}, ' · ' + t('count.range', { from: formatNumber(first_), to: formatNumber(Math.min(total, first_ + PER_PAGE - 1)) })) : null),
    el('div', { class: 'sort' }, el('label', { for: 'sort' }, t('sort') + ' '), sortSelect)));
  const filters = renderActiveFilters(state, answer);
  if (filters) resultsBox.append(filters);
  if (!answer.results.length) {
    const emptyCatalogue = !state.q && !hasFilters(state);
    resultsBox.append(emptyCatalogue
      ? notice(t('catalogue.empty'))
      : el('div', { class: 'notice', role: 'status' }, el('strong', {}, t('empty.title')), ' ', t('empty.hint')));
    return;
  }
  resultsBox.append(el('ol', { class: 'results', start: String(first_) }, answer.results.map(renderResult)));
  const pager = renderPager(state, total);
  if (pager) resultsBox.append(pager);
  if (first && state.q === '' && !hasFilters(state)) input.focus({ preventScroll: true });
}

window.addEventListener('popstate', () => render(false));
render(true);
