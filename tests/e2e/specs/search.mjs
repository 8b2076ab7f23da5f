// search.mjs: the search page at / in a browser, as a researcher uses it:
// the whole catalogue first, suggestions while typing, a search with
// highlighted words, a facet, the back button, the empty and error
// states, then from a result to its dataset page and on to its Turtle.
// The numbers the page shows are compared with the API's own answers.

export default async function ({ url, newPage, check, shot }) {
  const page = await newPage();
  const apiJson = async (path) => (await page.request.get(url + path)).json();

  // The whole catalogue, newest first.
  const all = await apiJson('api/datasets?per_page=1&lang=en');
  await page.goto(url);
  await page.locator('.result').first().waitFor();
  const heading = await page.locator('#results-count').innerText();
  check(heading.includes(String(all.total)), `the start page counts the whole catalogue (${heading}; API: ${all.total})`);
  check(await page.locator('.result').count() === Math.min(all.total, 20), 'it lists the first page of datasets');
  const healthFacet = page.locator('.facet[data-facet="theme"] label', { hasText: 'Health' });
  check(await healthFacet.count() === 1, 'the theme facet shows vocabulary labels (Health)');
  const themeCount = await healthFacet.locator('.count').innerText();
  const apiHealth = all.facets.theme.find((f) => f.label === 'Health');
  check(apiHealth && themeCount === String(apiHealth.count), `facet counts are the API's (${themeCount})`);
  await shot(page, 'search-start');

  // Suggestions while typing, keyboard-usable.
  await page.locator('#q').fill('');
  await page.locator('#q').pressSequentially('herz', { delay: 30 });
  await page.locator('#suggestions li').first().waitFor();
  check(await page.locator('#q').getAttribute('aria-expanded') === 'true', 'the query box announces its open suggestion list');
  const options = await page.locator('#suggestions li').allInnerTexts();
  check(options.some((o) => /^Herz/i.test(o)), `suggestions complete the prefix (${options.slice(0, 3).join(' | ')})`);
  await shot(page, 'search-suggestions');
  await page.keyboard.press('ArrowDown');
  check(await page.locator('#suggestions li[aria-selected="true"]').count() === 1, 'arrow keys move through the suggestions');
  await page.keyboard.press('Escape');
  check(await page.locator('#suggestions').isHidden(), 'Escape closes the suggestions');

  // A search: words are highlighted; the URL holds the query.
  await page.locator('#q').fill('cardiovascular');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\?q=cardiovascular/);
  await page.locator('.result mark').first().waitFor();
  const found = await apiJson('api/datasets?q=cardiovascular&per_page=1&lang=en');
  const searchHeading = await page.locator('#results-count').innerText();
  check(searchHeading.includes(`${found.total} datasets found`), `the result count is the API's (${searchHeading})`);
  check((await page.locator('.result mark').first().innerText()).toLowerCase().startsWith('cardiovascular'),
    'matched words are marked in titles or snippets');

  // A facet narrows the results and goes into the URL.
  const facet = page.locator('.facet[data-facet="format"] li').first();
  const facetLabel = await facet.locator('.facet-value').innerText();
  const facetCount = Number(await facet.locator('.count').innerText());
  await facet.locator('input').check();
  await page.waitForURL(/format=/);
  await page.locator('.active-filters').waitFor();
  const narrowed = await page.locator('#results-count').innerText();
  check(narrowed.includes(facetCount === 1 ? '1 dataset found' : `${facetCount} datasets found`),
    `choosing format ${facetLabel} leaves its ${facetCount} datasets (${narrowed})`);
  check((await page.locator('.active-filters').innerText()).includes(facetLabel), 'the chosen value is shown as a removable filter');
  check(await page.locator(`.facet[data-facet="format"] input:checked`).count() === 1, 'its box stays checked');
  await shot(page, 'search-facet');

  // The back button returns to the search without the facet.
  await page.goBack();
  await page.waitForURL((u) => !u.search.includes('format='));
  await page.locator('.active-filters').waitFor({ state: 'detached' });
  check((await page.locator('#results-count').innerText()) === searchHeading, 'Back restores the previous results');

  // A shared URL renders the same state from scratch.
  const shared = await newPage();
  await shared.goto(url + '?q=cardiovascular&sort=title');
  await shared.locator('.result').first().waitFor();
  check(await shared.locator('#sort').inputValue() === 'title' && await shared.locator('#q').inputValue() === 'cardiovascular',
    'a shared URL restores query and sort');
  const titles = await shared.locator('.result h3').allInnerTexts();
  const sorted = [...titles].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }));
  check(titles.join('|') === sorted.join('|'), 'sort by title orders the results by title');

  // Nothing found, and an error, say what happened.
  await page.goto(url + '?q=zzzqqxyzzy');
  await page.locator('.results-box .notice').waitFor();
  check((await page.locator('.results-box .notice').innerText()).includes('No datasets match'), 'a search without results says so');
  await shot(page, 'search-empty');
  await page.goto(url + '?page=999');
  await page.locator('.notice.error').waitFor();
  check((await page.locator('.notice.error').innerText()).includes('400'), 'a page beyond the end shows the server\'s error');

  // From a result to its dataset page, and on to its Turtle.
  await page.goto(url + '?q=cardiovascular');
  const first = page.locator('.result h3 a').first();
  const title = await first.innerText();
  const href = await first.getAttribute('href');
  check(href.startsWith('/dataset/'), `a result links to the dataset's own page (${href})`);
  await first.click();
  await page.waitForURL((u) => u.pathname === href);
  check((await page.locator('h1').innerText()) === title, 'the dataset page has the title of the result');
  const turtle = page.locator('a', { hasText: 'Turtle' }).first();
  const turtleHref = await turtle.getAttribute('href');
  check(turtleHref === href + '?format=turtle', `the Turtle link is the page's own path with ?format= (${turtleHref})`);
  const answer = await page.request.get(new URL(turtleHref, url).href);
  check(answer.ok() && answer.headers()['content-type'].startsWith('text/turtle'), 'the Turtle link answers Turtle');
  check((await answer.text()).includes('dcat:Dataset'), 'the Turtle describes a dcat:Dataset');

  // German: labels and texts follow the language switch.
  await page.goto(url);
  await page.locator('.lang button[data-lang="de"]').click();
  await page.waitForFunction(() => document.documentElement.lang === 'de');
  await page.locator('.result').first().waitFor();
  check((await page.locator('#results-count').innerText()).includes('Datensätze im Katalog'), 'the switch turns the page German');
  check(await page.locator('.facet[data-facet="theme"] label', { hasText: 'Gesundheit' }).count() === 1,
    'facet labels come in German');
  await shot(page, 'search-de');
}
