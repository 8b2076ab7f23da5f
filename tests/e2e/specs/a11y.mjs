// a11y.mjs: every page of the web UI, in English and German, at desktop
// and phone width, audited with axe-core (the engine of the browsers'
// accessibility tools) against WCAG 2.1 A and AA: labelled form controls,
// colour contrast, landmarks, names of buttons and links, ARIA use, the
// page language.  Pages are audited as they settle after loading, and
// again with their interactive parts open (facets, suggestions, the
// SPARQL results, a concept's edit form, a run report).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

async function audit(page) {
  await page.evaluate(axeSource); // CDP evaluation: the page's CSP does not apply
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary.split('\n').slice(1).join(' ').trim()}`),
    }));
  }, TAGS);
}

function describe(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} [${v.nodes.join(' | ')}]`).join('; ');
}

export default async function ({ url, tokens, newPage, check }) {
  // Each entry: a name, a path, and what to do once it has loaded.
  const pages = [
    ['search', '', async (p) => { await p.locator('.result').first().waitFor(); }],
    ['search with a query and a facet', '?q=herz&theme=http%3A%2F%2Fpublications.europa.eu%2Fresource%2Fauthority%2Fdata-theme%2FHEAL',
      async (p) => {
        await p.locator('.result').first().waitFor();
        await p.locator('#q').fill('');
        await p.locator('#q').pressSequentially('kard', { delay: 20 });
        await p.locator('#suggestions li').first().waitFor();
      }],
    ['search without results', '?q=zzzqqxyzzy', async (p) => { await p.locator('.results-box .notice').waitFor(); }],
    ['dataset page', 'dataset/athero-kohorte', async () => {}],
    ['catalogue page', 'catalog?format=html', async () => {}],
    ['SPARQL editor with results', 'sparql', async (p) => {
      await p.locator('select').first().selectOption({ index: 1 });
      await p.locator('button', { hasText: /^(Run query|Abfrage ausführen)$/ }).first().click();
      await p.locator('table').first().waitFor();
    }],
    ['vocabularies', 'vocab', async (p) => { await p.locator('main table, main ul').first().waitFor(); }],
    ['concept tree', 'vocab/data-theme', async (p) => { await p.locator('.vocab-tree li').first().waitFor(); }],
    ['concept with the curator form', 'vocab/data-theme/HEAL', async (p) => {
      await p.locator('#token-input').fill(tokens.curator);
      await p.locator('.token button[type="submit"]').click();
      await p.locator('form').nth(1).waitFor();
    }],
    ['harvesting', 'admin', async (p) => { await p.locator('main table').first().waitFor(); }],
    ['a source', 'admin?source=portal', async (p) => { await p.locator('main h1').first().waitFor(); }],
  ];
  for (const locale of ['en-GB', 'de-DE']) {
    for (const [name, path, settle] of pages) {
      const page = await newPage({ locale });
      await page.goto(url + path);
      await settle(page);
      for (const [width, height] of [[1280, 900], [390, 844]]) {
        await page.setViewportSize({ width, height });
        await page.waitForTimeout(100);
        const violations = await audit(page);
        check(violations.length === 0,
          `${name} (${locale}, ${width} px): no WCAG 2.1 A/AA violations${violations.length ? ': ' + describe(violations) : ''}`);
      }
      await page.context().close();
    }
  }
}
