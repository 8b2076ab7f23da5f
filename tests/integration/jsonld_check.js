#!/usr/bin/env node
/*
 * jsonld_check.js: checks the DCAT-AP JSON-LD answers of
 * /api/datasets/{id} (web/serve_jsonld.c) with jsonld.js (the npm package
 * `jsonld`, digitalbazaar), offline.  Run by test_jsonld.c:
 *
 *   node jsonld_check.js --probe
 *       exit 0 if the jsonld package loads, 77 (skip) if not
 *   node jsonld_check.js CONTEXT GRAPH.nt MAX_DEPTH IRI=FILE...
 *       CONTEXT   web/contexts/dcat-ap-3.0.1.jsonld, the shipped context
 *       GRAPH.nt  every triple of the graph the resources are in
 *       MAX_DEPTH MAX_DEPTH of web/serve_jsonld.c
 *       IRI=FILE  an answer (FILE) for the resource IRI
 *
 * For every answer: it is one JSON object whose @context is the official
 * context URL and whose @id is IRI; jsonld.js (safe mode: a key or value
 * that would be dropped is an error) turns it into RDF with the context
 * loaded from CONTEXT (a document loader that refuses every other URL, so
 * nothing is fetched); and those quads are, after canonicalization
 * (RDFC-1.0, so blank node labels do not matter), exactly the quads the
 * answer must hold, computed here from GRAPH.nt by the rule of
 * serve_jsonld.c: the triples whose subject is the resource, one of its
 * dcat:distribution IRIs, or a blank node reached from these through blank
 * nodes, breadth first, at most MAX_DEPTH levels below the resource.
 *
 * The official DCAT-AP 3.0.1 context defines the terms "Xsd:dateTime",
 * "Xsd:decimal", "Xsd:duration", "Xsd:hexBinary" and
 * "Xsd:nonNegativeInteger", which a JSON-LD 1.1 processor rejects (a term
 * in the form of a compact IRI must expand to its own definition; "Xsd" is
 * no prefix, so "Xsd:dateTime" is an absolute IRI with the scheme "xsd").
 * jsonld.js refuses the whole context for them.  The checker reports that,
 * drops every such term from the context it loads, and checks that no
 * answer uses one (serve_jsonld.c never does).
 *
 * Prints "ok   ..." or "FAIL ..." per answer; exits 1 if any failed.
 */
'use strict';

const fs = require('fs');
const path = require('path');

const CONTEXT_URL =
  'https://semiceu.github.io/DCAT-AP/releases/3.0.1/context/dcat-ap.jsonld';
const DCAT_DISTRIBUTION = 'http://www.w3.org/ns/dcat#distribution';

/* The jsonld package: where `make check` installs it (tests/e2e's npm
 * packages), else from the usual module paths (NODE_PATH), else from
 * npm's global root. */
function loadJsonld() {
  try {
    const dir = path.join(__dirname, '..', 'e2e', 'node_modules', 'jsonld');
    return {jsonld: require(dir), dir};
  } catch (e) { /* try node's own search */ }
  try {
    return {jsonld: require('jsonld'), dir: path.dirname(require.resolve('jsonld/package.json'))};
  } catch (e) { /* try the global root */ }
  try {
    const root = require('child_process')
      .execFileSync('npm', ['root', '-g'], {encoding: 'utf8', timeout: 30000,
        stdio: ['ignore', 'pipe', 'ignore']}).trim();
    const dir = path.join(root, 'jsonld');
    return {jsonld: require(dir), dir};
  } catch (e) {
    return null;
  }
}

const loaded = loadJsonld();
if (!loaded) {
  console.log('skip: the npm package jsonld is not installed ' +
              '(make e2e-deps installs it in tests/e2e)');
  process.exit(77);
}
const jsonld = loaded.jsonld;
if (process.argv[2] === '--probe') {
  console.log('note jsonld.js ' +
              require(path.join(loaded.dir, 'package.json')).version +
              ' from ' + loaded.dir);
  process.exit(0);
}

const [contextFile, graphFile, maxDepthArg, ...answers] = process.argv.slice(2);
if (!contextFile || !graphFile || !maxDepthArg || !answers.length) {
  console.error('usage: jsonld_check.js CONTEXT GRAPH.nt MAX_DEPTH IRI=FILE...');
  process.exit(2);
}
const maxDepth = Number(maxDepthArg);

/* Terms in the form of an IRI or compact IRI (jsonld.js's own test). */
const iriForm = (term) => /(?::[^:])|\//.test(term);

/* A copy of context object `ctx` without such terms, at every level;
 * their names are added to `dropped`. */
function withoutIriFormTerms(ctx, dropped) {
  const out = {};
  for (const [k, v] of Object.entries(ctx)) {
    if (!k.startsWith('@') && iriForm(k)) {
      dropped.add(k);
      continue;
    }
    if (v && typeof v === 'object' && !Array.isArray(v) &&
        v['@context'] && typeof v['@context'] === 'object') {
      out[k] = {...v, '@context': withoutIriFormTerms(v['@context'], dropped)};
    } else {
      out[k] = v;
    }
  }
  return out;
}

function loaderFor(contextDoc) {
  return async (url) => {
    if (url !== CONTEXT_URL) {
      throw new Error('the checker loads no document but the context: ' + url);
    }
    return {contextUrl: null, documentUrl: url, document: contextDoc};
  };
}

/* Every string used as a key or a @type value anywhere in `doc`. */
function keysAndTypes(doc, out = new Set()) {
  if (Array.isArray(doc)) {
    doc.forEach((x) => keysAndTypes(x, out));
  } else if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      out.add(k);
      if (k === '@type') {
        [].concat(v).forEach((t) => typeof t === 'string' && out.add(t));
      }
      keysAndTypes(v, out);
    }
  }
  return out;
}

/* N-Triples terms: the parser of rdf-canonize (a dependency of jsonld). */
const NQuads = require(require.resolve('rdf-canonize', {paths: [loaded.dir]})).NQuads;
const termKey = (t) => t.termType + ' ' + t.value;

/* The triples an answer for `root` must hold (N-Quads text). */
function expectedQuads(graph, bySubject, root) {
  const level = new Map([['NamedNode ' + root, 0]]);
  const queue = [{termType: 'NamedNode', value: root}];
  for (let i = 0; i < queue.length; ++i) {
    const d = level.get(termKey(queue[i]));
    if (d >= maxDepth) {
      continue;
    }
    for (const q of bySubject.get(termKey(queue[i])) || []) {
      const o = q.object;
      const dist = d === 0 && q.predicate.value === DCAT_DISTRIBUTION &&
                   o.termType === 'NamedNode';
      if ((o.termType === 'BlankNode' || dist) && !level.has(termKey(o))) {
        level.set(termKey(o), d + 1);
        queue.push(o);
      }
    }
  }
  return graph.filter((q) => level.has(termKey(q.subject)))
    .map(asJsonldJsWrites);
}

/* jsonld.js normalizes two things when it turns JSON-LD into RDF, so the
 * expected quads are normalized the same way before comparing:
 *   - language tags are lower-cased (expand.js; JSON-LD 1.1 allows it,
 *     and RDF 1.1 compares language tags case-insensitively);
 *   - every value typed xsd:double, even a string, is rewritten in the
 *     canonical form "2.0E0" (toRdf.js; JSON-LD 1.1's Object to RDF
 *     Conversion does that to native JSON numbers only, so "2.0" with
 *     @type xsd:double stays "2.0" for a processor that follows it). */
const XSD_DOUBLE = 'http://www.w3.org/2001/XMLSchema#double';
function asJsonldJsWrites(q) {
  const o = q.object;
  if (o.termType !== 'Literal') {
    return q;
  }
  const object = {...o, datatype: {...o.datatype}};
  if (object.language) {
    object.language = object.language.toLowerCase();
  }
  if (object.datatype.value === XSD_DOUBLE) {
    object.value = parseFloat(object.value).toExponential(15)
      .replace(/(\d)0*e\+?/, '$1E');
  }
  return {...q, object};
}

/* The edge cases hold symmetric blank nodes (a cycle, a self-loop), which
 * need more than the default work limit of rdf-canonize; the graphs are
 * small. */
const canonizeOptions = {algorithm: 'RDFC-1.0', maxDeepIterations: 10000};

function lines(nquads) {
  return nquads.split('\n').filter((l) => l.length);
}

(async () => {
  const official = JSON.parse(fs.readFileSync(contextFile, 'utf8'));
  if (!official['@context'] || typeof official['@context'] !== 'object') {
    console.log('FAIL ' + contextFile + ' has no @context object');
    process.exit(1);
  }
  /* Does jsonld.js take the official context as it is? */
  try {
    await jsonld.expand({'@context': CONTEXT_URL, '@id': 'urn:x:probe',
      'title': 'x'}, {documentLoader: loaderFor(official)});
    console.log('note jsonld.js accepts the official context as it is');
  } catch (e) {
    console.log('note jsonld.js rejects the official context as it is: ' +
                e.message + (e.details && e.details.code ?
                  ' (' + e.details.code + ')' : ''));
  }
  const dropped = new Set();
  const patched = {...official,
    '@context': withoutIriFormTerms(official['@context'], dropped)};
  if (dropped.size) {
    console.log('note checking with the context less the terms in the form ' +
                'of an IRI: ' + [...dropped].join(', '));
  }
  const documentLoader = loaderFor(patched);

  const graph = NQuads.parse(fs.readFileSync(graphFile, 'utf8'));
  const bySubject = new Map();
  for (const q of graph) {
    const k = termKey(q.subject);
    if (!bySubject.has(k)) {
      bySubject.set(k, []);
    }
    bySubject.get(k).push(q);
  }

  let failed = 0;
  const fail = (what) => {
    console.log('FAIL ' + what);
    failed++;
  };
  for (const arg of answers) {
    const eq = arg.lastIndexOf('=');
    const root = arg.slice(0, eq);
    const file = arg.slice(eq + 1);
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      fail(root + ': not JSON: ' + e.message);
      continue;
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
      fail(root + ': the answer is not one JSON object');
      continue;
    }
    if (doc['@context'] !== CONTEXT_URL) {
      fail(root + ': @context is ' + JSON.stringify(doc['@context']));
      continue;
    }
    if (doc['@id'] !== root) {
      fail(root + ': @id is ' + JSON.stringify(doc['@id']));
      continue;
    }
    const used = [...keysAndTypes(doc)].filter((k) => dropped.has(k));
    if (used.length) {
      fail(root + ': uses the terms ' + used.join(', '));
      continue;
    }
    let got;
    let want;
    try {
      got = await jsonld.canonize(doc, {documentLoader, safe: true,
        format: 'application/n-quads', canonizeOptions});
    } catch (e) {
      fail(root + ': jsonld.js cannot turn the answer into RDF: ' +
           e.message + (e.details ? ' ' + JSON.stringify(e.details).slice(0, 600) : ''));
      continue;
    }
    const expected = expectedQuads(graph, bySubject, root);
    want = await jsonld.canonize(
      expected.map((q) => NQuads.serializeQuad(q)).join(''),
      {inputFormat: 'application/n-quads', format: 'application/n-quads',
        canonizeOptions});
    const g = new Set(lines(got));
    const w = new Set(lines(want));
    const missing = [...w].filter((l) => !g.has(l));
    const extra = [...g].filter((l) => !w.has(l));
    if (missing.length || extra.length || g.size !== expected.length) {
      fail(root + ': ' + g.size + ' quads, expected ' + expected.length +
           '; missing ' + missing.length + ', extra ' + extra.length);
      missing.slice(0, 8).forEach((l) => console.log('     missing ' + l));
      extra.slice(0, 8).forEach((l) => console.log('     extra   ' + l));
      continue;
    }
    console.log('ok   ' + root + ': expands to its ' + expected.length +
                ' quads');
  }
  console.log(failed ? failed + ' of ' + answers.length + ' answers failed'
                     : 'all ' + answers.length + ' answers expand to their quads');
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log('FAIL ' + (e && e.stack || e));
  process.exit(1);
});
