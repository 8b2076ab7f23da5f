// sparql.mjs: the browser scenario of the SPARQL page (/sparql).  It runs
// an example query and checks the results table (rows, IRIs linked to
// local pages, prefixed names), the timing and the download links (one is
// fetched); a broken query shows its line and column and moves the editor's
// caret there; a CONSTRUCT shows Turtle; an ASK a yes; the query survives a
// reload and the back button through the URL fragment; the editor's keys
// (Tab, Ctrl+Enter) work; the German page speaks German.

export default async function (ctx) {
  const { url, newPage, check, shot } = ctx;
  const page = await newPage();
  await page.goto(url + 'sparql');

  // ---- the editor and the examples ----
  const editor = page.getByLabel('Query', { exact: true });
  await editor.waitFor();
  check(await editor.evaluate((node) => node.tagName === 'TEXTAREA'), 'the editor is a textarea labelled "Query"');
  const exampleSelect = page.getByLabel('Example queries');
  const exampleCount = await exampleSelect.locator('option').count();
  check(exampleCount >= 9, `the example list has the placeholder and at least 8 examples (${exampleCount} options)`);

  await exampleSelect.selectOption({ label: 'Datasets with their publishers' });
  const publishersQuery = await editor.inputValue();
  check(/PREFIX dcat: <http:\/\/www\.w3\.org\/ns\/dcat#>/.test(publishersQuery) && /dct:publisher/.test(publishersQuery),
    'choosing an example puts its query, with the standard prefixes, into the editor');

  await page.getByRole('button', { name: 'Run query' }).click();
  const table = page.locator('#sparql-output table');
  await table.waitFor();
  const rows = await table.locator('tbody tr').count();
  check(rows === 12, `the publishers example gives a table of the 12 datasets (${rows} rows)`);
  const headers = await table.locator('thead th').allTextContents();
  check(headers.join(' ') === '# ?dataset ?title ?publisher ?name', `the table's columns are the query's variables (${headers.join(' ')})`);
  const caption = await table.locator('caption').textContent();
  check(/12 rows/.test(caption), `the table has a caption with the row count (${caption})`);

  const statusText = await page.locator('#sparql-status').textContent();
  check(/^12 rows in \d+ ms$/.test(statusText.trim()), `the status gives rows and the time in ms ("${statusText.trim()}")`);
  check(await page.locator('#sparql-status').getAttribute('role') === 'status', 'the timing line is a status region');

  const firstLink = table.locator('tbody tr').first().locator('td a').first();
  const linkHref = await firstLink.getAttribute('href');
  const linkTitle = await firstLink.getAttribute('title');
  check(/^\/dataset\/[\w-]+$/.test(linkHref) && linkTitle === 'https://fairdex.example.org' + linkHref,
    `a dataset IRI links to its local page (${linkHref}, title ${linkTitle})`);
  const datasetPage = await page.request.get(url + linkHref.slice(1), { headers: { Accept: 'text/html' } });
  check(datasetPage.status() === 200, `the linked local page answers 200 (${datasetPage.status()})`);
  const literalNotes = await table.locator('tbody tr').first().locator('.term-note').allTextContents();
  check(literalNotes.includes('@en'), `literals show their language tag subtly (${literalNotes.join(', ')})`);

  // ---- downloads ----
  const downloadFormats = await page.locator('#sparql-downloads a').evaluateAll((links) =>
    links.map((a) => new URL(a.href).searchParams.get('format')));
  check(downloadFormats.join(',') === 'json,xml,csv,tsv', `a SELECT offers downloads as json, xml, csv, tsv (${downloadFormats})`);
  const csvHref = await page.locator('#sparql-downloads a[data-format="csv"]').getAttribute('href');
  check(new URLSearchParams(csvHref.split('?')[1]).get('query') === publishersQuery, 'the CSV link carries the query');
  check(await page.locator('#sparql-downloads a[data-format="csv"]').getAttribute('download') === 'query-results.csv',
    'the CSV link downloads as query-results.csv');
  const csv = await page.request.get(url + csvHref.slice(1));
  const csvText = await csv.text();
  check(csv.status() === 200 && /^text\/csv/.test(csv.headers()['content-type']),
    `the CSV download is text/csv (${csv.status()} ${csv.headers()['content-type']})`);
  const csvLines = csvText.trim().split(/\r?\n/);
  check(csvLines[0] === 'dataset,title,publisher,name' && csvLines.length === 13,
    `the CSV has the variables as its first line and 12 rows (${csvLines[0]}; ${csvLines.length} lines)`);
  const downloadEvent = page.waitForEvent('download');
  await page.locator('#sparql-downloads a[data-format="tsv"]').click();
  const tsvDownload = await downloadEvent;
  check(tsvDownload.suggestedFilename() === 'query-results.tsv', `clicking TSV downloads a file (${tsvDownload.suggestedFilename()})`);

  await shot(page, 'sparql-results');

  // ---- the URL fragment: reload and back ----
  const fragment = new URLSearchParams(new URL(page.url()).hash.slice(1)).get('query');
  check(fragment === publishersQuery, 'the query that ran is in the URL fragment');
  await page.reload();
  await table.waitFor();
  check(await editor.inputValue() === publishersQuery, 'after a reload the editor holds the query from the fragment');
  check(await table.locator('tbody tr').count() === 12, 'after a reload the query runs again');
  check(await exampleSelect.inputValue() !== '', 'after a reload the example list shows which example it is');

  // ---- a syntax error ----
  const broken = 'PREFIX dct: <http://purl.org/dc/terms/>\nSELECT ?title\nWHERE {\n  ?dataset dct:title ?title .\n  FILTER(\n}';
  await editor.fill(broken);
  await editor.press('Control+Enter');
  const error = page.locator('#sparql-error .notice.error');
  await error.waitFor();
  const errorText = await error.textContent();
  check(/line 6, column 1/.test(errorText) && /Line 6, column 1:/.test(errorText),
    `the error shows the server's message with its line and column ("${errorText.slice(0, 90)}…")`);
  check(await page.locator('#sparql-error').getAttribute('role') === 'alert', 'the error is an alert');
  check(await page.locator('#sparql-output table').count() === 0 && await page.locator('#sparql-downloads a').count() === 0,
    'after an error no old table or downloads are left');
  const markedLine = await page.locator('.sparql-error-line').textContent();
  check(markedLine === '6 | }\n    ^', `the offending line is shown with a caret under the column (${JSON.stringify(markedLine)})`);
  const caret = await editor.evaluate((node) => node.selectionStart);
  check(caret === broken.lastIndexOf('}'), `the editor's caret moves to line 6, column 1 (offset ${caret})`);

  // A column further right, after a non-ASCII character.
  await editor.fill('SELECT * WHERE { ?s ?p "Würzburg" . FILTER( }');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForFunction(() => /column 45/.test(document.querySelector('#sparql-error')?.textContent || ''));
  const caretLine = (await page.locator('.sparql-error-line').textContent()).split('\n');
  check(caretLine[1].indexOf('^') === caretLine[0].indexOf('}'), `the caret sits under the '}' of column 45 (${JSON.stringify(caretLine)})`);
  await page.getByRole('button', { name: 'Show the position in the editor' }).click();
  const selected = await editor.evaluate((node) => [document.activeElement === node, node.value.slice(node.selectionStart, node.selectionEnd)]);
  check(selected[0] && selected[1] === '}', `"Show the position" focuses the editor with the '}' selected (${selected})`);
  await shot(page, 'sparql-error');

  // ---- the back button returns to the previous query ----
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('#sparql-query').value.includes('FILTER(\n}'));
  await page.locator('#sparql-error .notice.error').waitFor();
  check(/line 6, column 1/.test(await page.locator('#sparql-error').textContent()), 'the back button brings back the previous query and runs it');

  // ---- CONSTRUCT shows Turtle, with graph download formats ----
  await exampleSelect.selectOption({ label: 'CONSTRUCT: one dataset with its distributions' });
  await page.getByRole('button', { name: 'Run query' }).click();
  const triples = page.locator('pre.sparql-triples');
  await triples.waitFor();
  const triplesText = await triples.textContent();
  check(/^<https:\/\/fairdex\.example\.org\/dataset\/kardio-mrt> /m.test(triplesText) && /dcat:distribution/.test(triplesText),
    'a CONSTRUCT shows the graph as Turtle, the triples first');
  const prefixes = page.locator('details.sparql-prefixes');
  const prefixesText = await prefixes.textContent();
  check(await prefixes.getAttribute('open') === null && /^\d+ prefix declarations/.test(prefixesText) &&
    /@prefix dcat: <http:\/\/www\.w3\.org\/ns\/dcat#> \./.test(prefixesText),
  'the Turtle\'s prefix declarations are folded away, and complete');
  check(/^Graph of \d+ lines of Turtle in \d+ ms$/.test((await page.locator('#sparql-status').textContent()).trim()),
    'a CONSTRUCT has its timing too');
  await shot(page, 'sparql-construct');
  const graphFormats = await page.locator('#sparql-downloads [data-format]').evaluateAll((nodes) => nodes.map((n) => n.dataset.format));
  check(graphFormats.join(',') === 'turtle,ntriples,rdfxml,jsonld', `a CONSTRUCT offers turtle, ntriples, rdfxml, jsonld (${graphFormats})`);
  const jsonldHref = await page.locator('#sparql-downloads a[data-format="jsonld"]').getAttribute('href');
  const jsonld = await page.request.get(url + jsonldHref.slice(1));
  check(/^application\/ld\+json/.test(jsonld.headers()['content-type']) && JSON.stringify(await jsonld.json()).includes('kardio-mrt'),
    `the JSON-LD download is JSON-LD of the dataset (${jsonld.headers()['content-type']})`);

  // ---- ASK answers yes ----
  await exampleSelect.selectOption({ index: 5 });
  check(/^\s*ASK\b/m.test(await editor.inputValue()), 'the fifth example is the ASK');
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.locator('.sparql-answer').waitFor();
  check((await page.locator('.sparql-answer-value').textContent()) === 'Yes', 'the ASK example answers Yes');

  // ---- IRIs outside the catalogue: prefixed names linking to /resource; typed literals ----
  await exampleSelect.selectOption({ label: 'Datasets by theme, with counts' });
  await page.getByRole('button', { name: 'Run query' }).click();
  await page.waitForFunction(() => document.querySelector('#sparql-output thead')?.textContent.includes('?datasets'));
  const themeLink = table.locator('tbody tr').first().locator('td a');
  check(await themeLink.textContent() === 'eu-theme:HEAL' &&
    await themeLink.getAttribute('href') === '/resource?iri=' + encodeURIComponent('http://publications.europa.eu/resource/authority/data-theme/HEAL'),
  `a vocabulary IRI shows as a prefixed name linking to /resource (${await themeLink.textContent()})`);
  const countCell = (await table.locator('tbody tr').first().locator('td').last().textContent()).trim();
  check(/^\d+\^\^xsd:integer$/.test(countCell), `a count shows its datatype as a note (${countCell})`);

  // ---- a long query downloads by POST ----
  const longQuery = 'SELECT ?s WHERE { ?s a <http://www.w3.org/ns/dcat#Dataset> }\n' + '# padding\n'.repeat(250);
  await editor.fill(longQuery);
  await editor.press('Control+Enter');
  await table.waitFor();
  check(await page.locator('#sparql-downloads a').count() === 0 && await page.locator('#sparql-downloads button[data-format="csv"]').count() === 1,
    'a query too long for a link offers download buttons instead');
  const postDownloadEvent = page.waitForEvent('download');
  await page.locator('#sparql-downloads button[data-format="csv"]').click();
  const postDownload = await postDownloadEvent;
  const postPath = await postDownload.path();
  const { readFileSync } = await import('node:fs');
  const postLines = readFileSync(postPath, 'utf8').trim().split(/\r?\n/);
  check(postDownload.suggestedFilename() === 'query-results.csv' && postLines[0] === 's' && postLines.length === 13,
    `the long query's CSV arrives by POST (${postDownload.suggestedFilename()}, ${postLines.length} lines)`);

  // ---- the editor's keys ----
  await editor.fill('SELECT');
  await editor.press('End');
  await editor.press('Tab');
  check(await editor.inputValue() === 'SELECT  ' && await editor.evaluate((node) => document.activeElement === node),
    'Tab inserts two spaces and keeps the focus in the editor');
  await editor.press('Escape');
  await editor.press('Tab');
  check(await page.evaluate(() => document.activeElement.id !== 'sparql-query'), 'Esc then Tab leaves the editor');

  // ---- in German ----
  const de = await newPage({ locale: 'de-DE' });
  await de.goto(url + 'sparql#' + new URLSearchParams({ query: 'SELECT ?s WHERE { ?s a <http://www.w3.org/ns/dcat#Catalog> }' }));
  await de.getByLabel('Abfrage', { exact: true }).waitFor();
  check(await de.getByLabel('Beispielabfragen').count() === 1 && await de.getByRole('button', { name: 'Abfrage ausführen' }).count() === 1,
    'the German page labels the examples and the Run button in German');
  await de.locator('#sparql-output table').waitFor();
  const deStatus = (await de.locator('#sparql-status').textContent()).trim();
  check(/^1 Zeile in \d+ ms$/.test(deStatus), `the German status counts in German ("${deStatus}")`);
  await de.getByLabel('Beispielabfragen').selectOption({ label: 'Datensätze nach Thema, mit Anzahl' });
  check((await de.getByLabel('Abfrage', { exact: true }).inputValue()).includes('"de"'), 'the German examples ask for German labels');
}
