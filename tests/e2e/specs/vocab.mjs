// vocab.mjs: the vocabularies page (/vocab, web/ui/vocab.js) in a browser.
// A reader browses the schemes, the data-theme tree, the label search and
// the HEAL concept with its usage; a curator enters the token once,
// renames HEAL's English label and sees the new label in the search
// facets, runs into a concurrent change (412) and reapplies the edit,
// creates concepts in health-category (one narrower than the other, one
// refused with its problems listed), deprecates one, reads the history
// and undoes the deprecation from it.  Also: a wrong token and a reader's
// token are explained, an unknown concept is reported, the tree works
// from the keyboard, and the page speaks German.

export default async function ({ url, db, tokens, newPage, check, shot, cli }) {
  const page = await newPage();
  const waitForTitle = (text) => page.waitForFunction((want) => document.querySelector('main h1')?.textContent.startsWith(want), text);

  // ---- the schemes --------------------------------------------------------
  await page.goto(url + 'vocab');
  await page.waitForSelector('table.vocab-schemes');
  const schemeIds = await page.locator('table.vocab-schemes tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.scheme));
  check(['data-theme', 'file-type', 'licence', 'access-right', 'frequency', 'language', 'health-category'].every((id) => schemeIds.includes(id)),
    `the schemes list shows the shipped vocabularies (${schemeIds.join(', ')})`);
  const themeRow = await page.locator('tr[data-scheme="data-theme"]').innerText();
  check(/Data theme/.test(themeRow) && /\b14\b/.test(themeRow) && /shipped/.test(themeRow),
    `the data-theme row has its English title, 14 concepts and "shipped" (${themeRow.replace(/\s+/g, ' ')})`);
  await shot(page, 'vocab-schemes');

  // ---- the data-theme tree and search --------------------------------------
  await page.locator('tr[data-scheme="data-theme"] a').click();
  await waitForTitle('Data theme');
  check(new URL(page.url()).pathname === '/vocab/data-theme', `the scheme link leads to /vocab/data-theme (${page.url()})`);
  const treeItems = await page.locator('.vocab-tree > li').count();
  check(treeItems === 14, `the tree shows the 14 themes (${treeItems})`);
  await page.fill('#concept-search', 'heal');
  await page.waitForSelector('.vocab-hits a');
  const hits = await page.locator('.vocab-hits a').allInnerTexts();
  check(hits.includes('Health'), `the label search for "heal" finds Health (${hits.join(', ')})`);
  await shot(page, 'vocab-tree');

  // ---- the HEAL concept page ---------------------------------------------------
  await page.locator('.vocab-tree a', { hasText: /^Health$/ }).click();
  await waitForTitle('Health');
  check(new URL(page.url()).pathname === '/vocab/data-theme/HEAL', `the tree links to the concept page (${page.url()})`);
  const labelsRow = await page.locator('.vocab-labels tr[data-lang="de"]').innerText();
  check(/Gesundheit/.test(labelsRow), `the labels table has the German label (${labelsRow})`);
  const usageText = await page.locator('.vocab-usage-section').innerText();
  const usageLinks = await page.locator('.vocab-usage a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  check(/13 datasets/.test(usageText) && usageLinks.length === 13 && usageLinks.includes('/dataset/herzinfarkt-register'),
    `the usage lists the 13 datasets with links to their pages (${usageLinks.length}, e.g. ${usageLinks[0]})`);
  const rdfHref = await page.locator('.formats a', { hasText: 'Turtle' }).last().getAttribute('href');
  check(rdfHref === '/api/vocab/data-theme?format=turtle', `an EU concept links to its vocabulary's Turtle (${rdfHref})`);
  await shot(page, 'vocab-concept');

  // ---- a curator renames HEAL ---------------------------------------------------
  check(await page.locator('form.vocab-edit').count() === 0, 'without a token there is no edit form');
  await page.fill('#token-input', tokens.curator);
  await page.locator('.token button[type="submit"]').click();
  await page.waitForSelector('form.vocab-edit');
  const stored = await page.evaluate(() => ({ session: sessionStorage.getItem('fairdex_token'), local: localStorage.length }));
  check(stored.session === tokens.curator && stored.local === 0, 'the token is kept in sessionStorage only');
  await page.fill('#edit-prefLabel-en', 'Health and care');
  await shot(page, 'vocab-edit');
  await page.locator('form.vocab-edit button[type="submit"]').click();
  await waitForTitle('Health and care');
  check(/Saved/.test(await page.locator('main .notice.ok').innerText()), 'the page says the change was saved');
  const historyText = await page.locator('.vocab-history').innerText();
  check(/e2e-curator/.test(historyText) && /Health and care/.test(historyText) && /removed[\s\S]*Health/i.test(historyText),
    'the history shows who renamed it, the removed and the added label');

  const facets = await (await page.request.get(url + 'api/datasets?lang=en')).json();
  const themeLabels = (facets.facets?.theme || []).map((f) => f.label);
  check(themeLabels.includes('Health and care') && !themeLabels.includes('Health'),
    `the search facets carry the new label (${themeLabels.join(', ')})`);
  const search = await newPage();
  await search.goto(url);
  await search.waitForTimeout(1500);
  if (await search.locator('.facets').count()) {
    await search.waitForFunction(() => /Health and care/.test(document.querySelector('.facets').textContent), null, { timeout: 5000 })
      .catch(() => {});
    check(/Health and care/.test(await search.locator('.facets').innerText()), 'the search page shows the new label in its facets');
  }
  await search.context().close();

  // ---- a change behind the page's back: 412 -------------------------------------------
  const conceptUrl = url + 'api/vocab/data-theme/HEAL';
  const auth = { Authorization: 'Bearer ' + tokens.curator, 'Content-Type': 'application/json' };
  const before = await page.request.get(conceptUrl);
  const other = await before.json();
  other.altLabel = { en: ['Healthcare'] };
  delete other.usage;
  const sideways = await page.request.put(conceptUrl, { headers: { ...auth, 'If-Match': before.headers().etag }, data: JSON.stringify(other) });
  check(sideways.status() === 200, `the change behind the page's back is saved (${sideways.status()})`);
  await page.fill('#edit-prefLabel-de', 'Gesundheit und Pflege');
  await page.locator('form.vocab-edit button[type="submit"]').click();
  await page.waitForSelector('.vocab-conflict');
  const conflictText = await page.locator('.vocab-conflict').innerText();
  check(/changed by someone else after you loaded it/.test(conflictText) && /not saved/.test(conflictText),
    'the conflict is explained in plain words');
  const differing = await page.locator('.vocab-conflict tr[data-field]').evaluateAll((rows) => rows.map((r) => r.dataset.field));
  check(differing.includes('prefLabel.de') && differing.includes('altLabel.en'),
    `the conflict shows the fields that differ from the current version (${differing.join(', ')})`);
  await shot(page, 'vocab-conflict');
  await page.locator('.vocab-conflict button', { hasText: 'Apply my changes' }).click();
  await page.waitForSelector('.vocab-conflict', { state: 'detached' });
  await waitForTitle('Health and care');
  const merged = await (await page.request.get(conceptUrl)).json();
  check(merged.prefLabel.de === 'Gesundheit und Pflege' && (merged.altLabel.en || []).includes('Healthcare') && merged.prefLabel.en === 'Health and care',
    `reapplying keeps both changes (de ${merged.prefLabel.de}, alt ${JSON.stringify(merged.altLabel)})`);

  // ---- creating concepts in health-category ---------------------------------------------
  await page.goto(url + 'vocab/health-category');
  await page.waitForSelector('form.vocab-create');
  check(await page.locator('.vocab-tree').count() === 0, 'the empty health-category scheme has no tree yet');
  await page.fill('#new-id', 'bad id');
  await page.fill('#new-pref-en', 'Broken');
  await page.fill('#new-broader', 'nowhere');
  await page.locator('form.vocab-create button[type="submit"]').click();
  await page.waitForSelector('.vocab-problems li');
  const problems = await page.locator('.vocab-problems li').allInnerTexts();
  check(problems.length >= 2 && problems.some((p) => /^id:/.test(p)) && problems.some((p) => /broader/.test(p)),
    `a refused concept lists every problem (${problems.join(' | ')})`);
  await page.fill('#new-id', 'cvd');
  await page.fill('#new-pref-de', 'Herz-Kreislauf-Erkrankungen');
  await page.fill('#new-pref-en', 'Cardiovascular diseases');
  await page.fill('#new-broader', '');
  await page.locator('form.vocab-create button[type="submit"]').click();
  await page.waitForSelector('.vocab-tree li[data-concept="cvd"]');
  check(/Concept created/.test(await page.locator('main .notice.ok').innerText()), 'the page confirms the new concept');
  await page.fill('#new-id', 'chd');
  await page.fill('#new-pref-de', 'Koronare Herzkrankheit');
  await page.fill('#new-pref-en', 'Coronary heart disease');
  await page.fill('#new-broader', 'cvd');
  await page.locator('form.vocab-create button[type="submit"]').click();
  await page.waitForSelector('.vocab-tree li[data-concept="cvd"] li[data-concept="chd"] a');
  const cvdToggle = page.locator('.vocab-tree li[data-concept="cvd"] > .vocab-toggle');
  check(await cvdToggle.getAttribute('aria-expanded') === 'true', 'the new narrower concept shows in the tree under its broader one');

  // the tree from the keyboard
  await cvdToggle.focus();
  await page.keyboard.press('Enter');
  check(await cvdToggle.getAttribute('aria-expanded') === 'false' && await page.locator('li[data-concept="chd"]').isHidden(),
    'Enter on the focused toggle closes the branch');
  await page.keyboard.press('Space');
  check(await cvdToggle.getAttribute('aria-expanded') === 'true' && await page.locator('li[data-concept="chd"]').isVisible(),
    'Space opens it again');

  // ---- the new concept's page, deprecation, history -----------------------------------------
  await page.locator('li[data-concept="chd"] a').click();
  await waitForTitle('Coronary heart disease');
  const broaderLink = page.locator('dd[data-link="broader"] a');
  check(await broaderLink.getAttribute('href') === '/vocab/health-category/cvd', 'the broader link leads to its concept page');
  const ownTurtle = await page.locator('.formats a', { hasText: 'Turtle' }).last().getAttribute('href');
  check(ownTurtle === '/vocab/health-category/chd?format=turtle', `a concept under the base links to its own RDF (${ownTurtle})`);
  const turtle = await page.request.get(url + ownTurtle.slice(1));
  check(turtle.status() === 200 && (await turtle.text()).includes('Coronary heart disease'), 'its Turtle link answers with the concept');
  await page.locator('button', { hasText: 'Deprecate…' }).click();
  await page.locator('.vocab-confirm button', { hasText: 'Yes, deprecate' }).click();
  await page.waitForSelector('main h1 .vocab-deprecated-chip');
  check(/Deprecated/.test(await page.locator('.vocab-deprecated-state').innerText()), 'the deprecated concept is marked as such');
  const changes = await page.locator('.vocab-changes > li').allInnerTexts();
  check(changes.length === 2 && /deprecated/.test(changes[0]) && /created/.test(changes[1]) && changes.every((c) => /e2e-curator/.test(c)),
    `the history lists the creation and the deprecation, newest first (${changes.length})`);
  await page.locator('.vocab-trail a', { hasText: 'Health categories' }).click();
  await page.waitForSelector('.vocab-tree li[data-concept="cvd"] > .vocab-toggle');
  await page.locator('.vocab-tree li[data-concept="cvd"] > .vocab-toggle').click();
  await page.waitForSelector('li[data-concept="chd"] a');
  check(/\bdeprecated\b/.test(await page.locator('li[data-concept="chd"] a').getAttribute('class') || ''), 'the tree marks the deprecated concept');
  await page.goBack();
  await waitForTitle('Coronary heart disease');
  check(new URL(page.url()).pathname === '/vocab/health-category/chd', 'Back returns to the concept page');

  // ---- undoing a change from the history ----------------------------------------------------
  const undo = page.locator('.vocab-changes > li').first().locator('button.vocab-revert');
  check(/^Undo change \d+$/.test(await undo.innerText()), 'with a curator token, each change has an undo button');
  await undo.click();
  await page.locator('.notice.ok', { hasText: 'is undone' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.vocab-changes > li').length === 3);
  const afterUndo = await page.locator('.vocab-changes > li').allInnerTexts();
  check(/reverted/.test(afterUndo[0]) && /undoes change/.test(afterUndo[0]), 'the undo is the newest change, naming the one it undoes');
  check(await page.locator('main h1 .vocab-deprecated-chip').count() === 0, 'and the concept is no longer deprecated');
  const viaApi = await (await page.request.get(url + 'api/vocab/health-category/chd')).json();
  check(viaApi.deprecated === false, 'the API agrees');
  await shot(page, 'vocab-history');

  // ---- a wrong token is explained -----------------------------------------------------------
  const stranger = await newPage();
  await stranger.goto(url + 'vocab/health-category');
  await stranger.fill('#token-input', 'fdx_not-a-token');
  await stranger.locator('.token button[type="submit"]').click();
  await stranger.fill('#new-id', 'x1');
  await stranger.fill('#new-pref-en', 'X');
  await stranger.locator('form.vocab-create button[type="submit"]').click();
  await stranger.waitForSelector('.vocab-status .notice.error');
  check(/did not accept your token/.test(await stranger.locator('.vocab-status').innerText()), 'a wrong token is explained');
  const readerToken = cli(['--db', db, 'token', 'create', '--name', 'e2e-reader', '--role', 'reader']).trim();
  await stranger.locator('.token button', { hasText: 'Forget token' }).click();
  await stranger.fill('#token-input', readerToken);
  await stranger.locator('.token button[type="submit"]').click();
  await stranger.fill('#new-id', 'x1');
  await stranger.fill('#new-pref-en', 'X');
  await stranger.locator('form.vocab-create button[type="submit"]').click();
  await stranger.waitForFunction(() => /curator or admin role/.test(document.querySelector('.vocab-status')?.textContent || ''), null, { timeout: 5000 }).catch(() => {});
  check(/may not change vocabularies/.test(await stranger.locator('.vocab-status').innerText()), 'a reader token is explained as lacking the curator role');
  await stranger.goto(url + 'vocab/data-theme/NO-SUCH-CONCEPT');
  await stranger.waitForSelector('main .notice.error');
  check(/no such vocabulary or concept/.test(await stranger.locator('main .notice.error').innerText()), 'an unknown concept is reported');
  await stranger.context().close();

  // ---- German --------------------------------------------------------------------------------
  const german = await newPage({ locale: 'de-DE' });
  await german.goto(url + 'vocab/data-theme/HEAL');
  await german.waitForSelector('#labels-heading');
  check(await german.locator('main h1').innerText() === 'Gesundheit und Pflege' && await german.locator('#labels-heading').innerText() === 'Bezeichnungen',
    'the concept page speaks German');
  await german.context().close();
}
