#!/usr/bin/env node
/*
 * jsonld_to_nquads.js: the second opinion for fairdex's JSON-LD reader
 * (catalog/rdf/jsonld_read.c): jsonld.js (the npm package `jsonld`,
 * digitalbazaar), offline.  Run by test_jsonld_read.c:
 *
 *   node jsonld_to_nquads.js --probe
 *       exit 0 if the jsonld package loads, 77 (skip) if not
 *   node jsonld_to_nquads.js --jsonld FILE BASE
 *       FILE (JSON-LD) to RDF by jsonld.js, with BASE as base IRI, printed
 *       as canonical N-Quads (RDFC-1.0 / URDNA2015)
 *   node jsonld_to_nquads.js --canon FILE.nq
 *       the N-Quads in FILE.nq, canonicalized the same way
 *   node jsonld_to_nquads.js --batch MANIFEST
 *       MANIFEST has one line per document: FILE, BASE and OURS separated
 *       by tabs, where OURS is the N-Quads file fairdex wrote, or "!" and
 *       fairdex's error message.  Prints one line per document:
 *         same        both give the same canonical N-Quads
 *         both-error  both refuse the document (jsonld.js's message)
 *         differ      different N-Quads (the first differing lines)
 *         ours-error  fairdex refused, jsonld.js did not
 *         their-error jsonld.js refused, fairdex did not
 *       then a tab, FILE, a tab and the detail.
 *
 * No document is ever fetched: the document loader serves the contexts
 * fairdex ships, exactly as fairdex resolves them (the schema.org
 * approximation below is the one in jsonld_read.c; the DCAT-AP 3.0.1
 * context is catalog/rdf/contexts/dcat-ap-3.0.1.jsonld less its five
 * "Xsd:..." terms, which JSON-LD 1.1 rejects), and refuses every other
 * URL with the same words as fairdex.
 */
'use strict';

const fs = require('fs');
const path = require('path');

/* Where `make check` installs it (tests/e2e's npm packages), else
 * wherever node finds it, else the global root. */
function loadJsonld() {
  try {
    return require(path.join(__dirname, '..', 'e2e', 'node_modules',
                             'jsonld'));
  } catch (e) { /* try node's own search */ }
  try {
    return require('jsonld');
  } catch (e) { /* try the global root */ }
  try {
    const root = require('child_process')
      .execFileSync('npm', ['root', '-g'], {encoding: 'utf8', timeout: 30000,
        stdio: ['ignore', 'pipe', 'ignore']}).trim();
    return require(path.join(root, 'jsonld'));
  } catch (e) {
    return null;
  }
}

const jsonld = loadJsonld();
if (!jsonld) {
  console.log('skip: the npm package jsonld is not installed ' +
              '(make e2e-deps installs it in tests/e2e)');
  process.exit(77);
}

/* Keep in step with schemaorg_context in catalog/rdf/jsonld_read.c. */
const SCHEMAORG = {'@context': {
  '@vocab': 'http://schema.org/',
  'schema': 'http://schema.org/',
  'url': {'@id': 'http://schema.org/url', '@type': '@id'},
  'sameAs': {'@id': 'http://schema.org/sameAs', '@type': '@id'},
  'license': {'@id': 'http://schema.org/license', '@type': '@id'},
  'contentUrl': {'@id': 'http://schema.org/contentUrl', '@type': '@id'},
  'embedUrl': {'@id': 'http://schema.org/embedUrl', '@type': '@id'},
  'additionalType': {'@id': 'http://schema.org/additionalType',
                     '@type': '@id'},
}};
const SCHEMAORG_URLS = [];
for (const scheme of ['https', 'http']) {
  for (const tail of ['', '/', '/docs/jsonldcontext.jsonld',
                      '/docs/jsonldcontext.json']) {
    SCHEMAORG_URLS.push(scheme + '://schema.org' + tail);
  }
}
const DCATAP_URLS = [
  'https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld',
  'http://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld',
];

const iriForm = (term) => !term.startsWith('@') && /(?::[^:])|\//.test(term);
function withoutIriFormTerms(ctx) {
  const out = {};
  for (const [k, v] of Object.entries(ctx)) {
    if (iriForm(k)) {
      continue;
    }
    if (v && typeof v === 'object' && !Array.isArray(v) &&
        v['@context'] && typeof v['@context'] === 'object') {
      out[k] = {...v, '@context': withoutIriFormTerms(v['@context'])};
    } else {
      out[k] = v;
    }
  }
  return out;
}

let dcatap = null;
function dcatapContext() {
  if (!dcatap) {
    const file = path.join(__dirname, '..', '..', 'catalog', 'rdf',
                           'contexts', 'dcat-ap-3.0.1.jsonld');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    dcatap = {'@context': withoutIriFormTerms(doc['@context'])};
  }
  return dcatap;
}

async function documentLoader(url) {
  if (SCHEMAORG_URLS.includes(url)) {
    return {contextUrl: null, documentUrl: url,
            document: JSON.parse(JSON.stringify(SCHEMAORG))};
  }
  if (DCATAP_URLS.includes(url)) {
    return {contextUrl: null, documentUrl: url,
            document: JSON.parse(JSON.stringify(dcatapContext()))};
  }
  throw new Error('context URL ' + url +
                  ' is not shipped; fairdex never fetches contexts');
}

const canonOptions = {algorithm: 'URDNA2015', format: 'application/n-quads',
                      safe: false,
                      maxDeepIterations: 10000};

async function fromJsonld(file, base) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  return jsonld.canonize(doc, {...canonOptions, base, documentLoader});
}

async function fromNquads(file) {
  return jsonld.canonize(fs.readFileSync(file, 'utf8'),
                         {...canonOptions,
                          inputFormat: 'application/n-quads'});
}

function message(e) {
  let m = e && e.message ? e.message : String(e);
  let c = e && e.details && e.details.cause;
  while (c) {
    m += ' (' + (c.message || String(c)) + ')';
    c = c.details && c.details.cause;
  }
  return m.replace(/\s+/g, ' ');
}

function firstDifference(a, b) {
  const la = new Set(a.split('\n').filter((l) => l));
  const lb = new Set(b.split('\n').filter((l) => l));
  const onlyA = [...la].filter((l) => !lb.has(l));
  const onlyB = [...lb].filter((l) => !la.has(l));
  return `jsonld.js only: ${onlyA.length} [${onlyA.slice(0, 2).join(' | ')}]` +
         ` fairdex only: ${onlyB.length} [${onlyB.slice(0, 2).join(' | ')}]`;
}

async function batch(manifest) {
  const lines = fs.readFileSync(manifest, 'utf8').split('\n')
    .filter((l) => l.length);
  for (const line of lines) {
    const [file, base, ours] = line.split('\t');
    let theirs = null, theirErr = null, our = null;
    try {
      theirs = await fromJsonld(file, base);
    } catch (e) {
      theirErr = message(e);
    }
    const ourErr = ours.startsWith('!') ? ours.slice(1) : null;
    if (!ourErr) {
      try {
        our = await fromNquads(ours);
      } catch (e) {
        console.log(`differ\t${file}\tjsonld.js cannot read fairdex's ` +
                    `N-Quads: ${message(e)}`);
        continue;
      }
    }
    if (ourErr && theirErr) {
      console.log(`both-error\t${file}\t${theirErr} / fairdex: ${ourErr}`);
    } else if (ourErr) {
      console.log(`ours-error\t${file}\t${ourErr}`);
    } else if (theirErr) {
      console.log(`their-error\t${file}\t${theirErr}`);
    } else if (our === theirs) {
      console.log(`same\t${file}\t${theirs.split('\n').length - 1} quads`);
    } else {
      console.log(`differ\t${file}\t${firstDifference(theirs, our)}`);
    }
  }
}

(async () => {
  const [mode, a, b] = process.argv.slice(2);
  try {
    if (mode === '--probe') {
      console.log('note jsonld.js ' + (jsonld.version || '') + ' loaded');
    } else if (mode === '--jsonld' && a) {
      process.stdout.write(await fromJsonld(a, b || 'file:///document'));
    } else if (mode === '--canon' && a) {
      process.stdout.write(await fromNquads(a));
    } else if (mode === '--batch' && a) {
      await batch(a);
    } else {
      console.error('usage: jsonld_to_nquads.js --probe | --jsonld FILE ' +
                    '[BASE] | --canon FILE.nq | --batch MANIFEST');
      process.exit(2);
    }
  } catch (e) {
    console.error('error: ' + message(e));
    process.exit(3);
  }
})();
