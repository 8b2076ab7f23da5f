// dataset.mjs: the server-rendered dataset pages.  Every dataset of the
// example catalogue: its page carries schema.org JSON-LD that passes the
// Google Dataset Search shapes (science-on-schema's googleRequired.ttl, and
// of googleRecommended.ttl every property the dataset has data for), read
// from ../shared/data/external (that part skips, saying so, without it).
// One page in a browser with JavaScript off: every DCAT-AP field of the
// example, the distributions with their links, the format links; the same
// page in German; a harvested dataset's provenance; and a dataset that is
// not there.

import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import jsonld from 'jsonld';
import N3 from 'n3';
import SHACLValidator from 'rdf-validate-shacl';

// The schema.org context, reduced to what expansion needs here: every term
// in the schema.org vocabulary (http://schema.org/, as the shapes and the
// official context have it).  Nothing is fetched from the network.
const SCHEMA_CONTEXT = { '@context': { '@vocab': 'http://schema.org/' } };
const documentLoader = async (url) => {
  if (/^https?:\/\/schema\.org\/?$/.test(url)) {
    return { contextUrl: null, documentUrl: url, document: SCHEMA_CONTEXT };
  }
  throw new Error(`the test loads no documents from the network (${url})`);
};

async function toStore(json) {
  const nquads = await jsonld.toRDF(json, { format: 'application/n-quads', documentLoader });
  const store = new N3.Store();
  store.addQuads(new N3.Parser({ format: 'N-Quads' }).parse(nquads));
  return store;
}

function shapes(file) {
  const store = new N3.Store();
  store.addQuads(new N3.Parser({ format: 'Turtle' }).parse(readFileSync(file, 'utf8')));
  return store;
}

function jsonLdOf(html) {
  const m = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html);
  return m ? JSON.parse(m[1]) : null;
}

// googleRecommended.ttl's property → the friendly JSON's field that has
// the data for it (a dataset without the data cannot be blamed).
const RECOMMENDED_FROM = {
  'http://schema.org/url': 'iri',
  'http://schema.org/identifier': 'identifiers',
  'http://schema.org/keywords': 'keywords',
  'http://schema.org/license': 'license',
  'http://schema.org/creator': 'publisher',
  'http://schema.org/version': 'version',
  'http://schema.org/temporalCoverage': 'temporal',
  'http://schema.org/spatialCoverage': 'spatial',
};

const has = (v) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0);

export default async function ({ url, base, tokens, browser, newPage, check, shot, sharedData }) {
  const page = await newPage();
  const datasets = (await (await page.request.get(url + 'api/datasets?per_page=100')).json()).results;
  check(datasets.length >= 10, `the example catalogue has its datasets (${datasets.length})`);

  // ---- schema.org JSON-LD against the Google Dataset shapes ----
  const shapeDir = path.join(sharedData, 'schemaorg-dataset-science-on-schema/validation/shapegraphs');
  const pages = [];
  for (const d of datasets) {
    const local = new URL(d.iri.replace(base, url)).href;
    const answer = await page.request.get(local, { headers: { Accept: 'text/html' } });
    pages.push({ d, html: await answer.text(), status: answer.status() });
  }
  check(pages.every((p) => p.status === 200), 'every dataset has a page at its own path');
  const embedded = pages.map((p) => ({ ...p, json: jsonLdOf(p.html) }));
  check(embedded.every((p) => p.json && p.json['@type'] === 'Dataset' && p.json['@context'] === 'https://schema.org/'),
    'every page embeds a schema.org Dataset as application/ld+json');
  if (!existsSync(shapeDir)) {
    console.log(`# skip: the schema.org shape check needs ${shapeDir} (FAIRDEX_SHARED_DATA)`);
  } else {
    const required = new SHACLValidator(shapes(path.join(shapeDir, 'googleRequired.ttl')));
    const recommended = new SHACLValidator(shapes(path.join(shapeDir, 'googleRecommended.ttl')));
    const failures = [];
    const gaps = [];
    for (const p of embedded) {
      const data = await toStore(p.json);
      const report = await required.validate(data);
      for (const r of report.results) failures.push(`${p.d.id}: ${r.path?.value} ${r.message.map((m) => m.value).join(' ')}`);
      const details = await (await page.request.get(url + 'api/datasets/' + encodeURIComponent(p.d.id))).json();
      for (const r of (await recommended.validate(data)).results) {
        const field = RECOMMENDED_FROM[r.path?.value];
        if (field && has(details[field])) gaps.push(`${p.d.id}: ${r.path.value} (${r.message.map((m) => m.value).join(' ')})`);
      }
    }
    check(failures.length === 0, `every page passes googleRequired.ttl (name, description of 50–5000 characters, url)${failures.length ? ': ' + failures.join('; ') : ''}`);
    check(gaps.length === 0, `googleRecommended.ttl: every recommended property the dataset has data for is there${gaps.length ? ': ' + gaps.join('; ') : ''}`);
  }

  // ---- one page, without JavaScript ----
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const plain = await context.newPage();
  const athero = datasets.find((d) => d.iri.endsWith('/dataset/athero-kohorte'));
  check(athero, 'the example has the atherosclerosis cohort');
  const path0 = '/dataset/athero-kohorte';
  await plain.goto(new URL(path0, url).href);
  check((await plain.locator('h1').innerText()) === athero.title, 'the page is titled with the dataset title');
  const labels = await plain.locator('dl.fields dt').allInnerTexts();
  for (const field of ['Publisher', 'Contact', 'Keywords', 'Themes', 'Access rights', 'Temporal coverage',
    'Spatial coverage', 'Issued', 'Modified', 'Identifiers', 'Other identifiers', 'Version', 'Languages',
    'Landing page', 'Provenance statement', 'Health categories', 'Applicable legislation']) {
    check(labels.includes(field), `without JavaScript the page shows ${field}`);
  }
  const temporal = plain.locator('dt', { hasText: 'Temporal coverage' }).locator('xpath=following-sibling::dd[1]');
  check((await temporal.innerText()).includes('2019-01-01 – 2024-06-30'), 'the temporal coverage is its period');
  const rows = plain.locator('table').first().locator('tbody tr');
  check(await rows.count() === 2, 'both distributions are listed');
  const accessLink = rows.first().locator('td').nth(2).locator('a');
  check((await accessLink.getAttribute('href')).startsWith('https://'), 'a distribution links to its access URL');
  check((await rows.first().locator('td').nth(5).innerText()).endsWith('MB'), 'its size is readable (MB)');
  for (const [label, type] of [['Turtle', 'text/turtle'], ['JSON-LD', 'application/ld+json'], ['RDF/XML', 'application/rdf+xml']]) {
    const href = await plain.locator('p.formats a', { hasText: label }).getAttribute('href');
    const answer = await plain.request.get(new URL(href, url).href);
    check(href === `${path0}?format=${label === 'Turtle' ? 'turtle' : label === 'JSON-LD' ? 'jsonld' : 'rdfxml'}` &&
      answer.headers()['content-type'].startsWith(type), `the ${label} link answers ${type}`);
  }
  await shot(plain, 'dataset-page');
  await context.close();

  // ---- the same page in German ----
  const german = await newPage({ locale: 'de-DE' });
  await german.goto(new URL(path0, url).href);
  const germanLabels = await german.locator('dl.fields dt').allInnerTexts();
  check(germanLabels.includes('Herausgeber') && germanLabels.includes('Zeitliche Abdeckung'),
    'Accept-Language: de gives German field names');
  check((await german.locator('h1').innerText()).startsWith('Münchner'), 'and the German title');
  await shot(german, 'dataset-page-de');

  // ---- a harvested dataset: where it came from ----
  const started = await page.request.post(url + 'api/sources/portal/harvest', { headers: { Authorization: 'Bearer ' + tokens.admin } });
  check(started.status() === 202, 'an admin starts a harvest of the fixture portal');
  let run = null;
  for (let i = 0; i < 100 && !(run && run.status !== 'running'); i += 1) {
    run = (await (await page.request.get(url + 'api/runs?source=portal')).json()).runs[0] || null;
    if (!run || run.status === 'running') await page.waitForTimeout(200);
  }
  check(run && run.status === 'complete' && run.added > 0, `the harvest completes (${run && run.status}, ${run && run.added} added)`);
  const harvested = (await (await page.request.get(url + 'api/datasets?per_page=100')).json()).results
    .find((d) => !d.iri.startsWith(base));
  check(harvested, 'a harvested dataset is searchable');
  const hpage = await newPage();
  await hpage.goto(url + 'resource?iri=' + encodeURIComponent(harvested.iri));
  const prov = hpage.locator('section', { has: hpage.locator('h2', { hasText: 'Provenance' }) });
  check(await prov.count() === 1, 'its page has a provenance section');
  const provText = await prov.innerText();
  check(provText.includes('Harvested from') && provText.includes('/files/dcat/page1.ttl'), 'naming the source document');
  check(provText.includes('Harvested at') && /\d{4}-\d{2}-\d{2}/.test(provText), 'and when it was harvested');
  check(await prov.locator('a[href^="/record/"]').count() >= 1, 'with a link to its catalogue record');
  await shot(hpage, 'dataset-harvested');

  // ---- a dataset that is not there: an error page with the site around it ----
  const missing = await newPage();
  const answer404 = await missing.goto(url + 'dataset/no-such-dataset');
  check(answer404.status() === 404, 'an unknown dataset answers 404');
  check(await missing.locator('header.site nav a[href="/"]').count() === 1 &&
    (await missing.locator('main h1').innerText()) === '404 Not Found',
  'its page says so inside the site, with the way back to search');
}
