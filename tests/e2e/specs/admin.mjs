// admin.mjs: the harvesting page (/admin, web/ui/admin.js) in a browser.
// The scenario of the issue, "an admin starts a harvest and sees its
// report": the sources portal (DCAT, the fixture server's page1.ttl) and
// projects (a folder) are listed; starting a run without a token, with a
// wrong token and with a curator's token is refused with a message that
// says why, and starts nothing; with the admin token the run starts, the
// page follows it until it ends, and its report shows the counts the API
// reports and links the harvested datasets to their pages.  Also: the
// report's URL works on its own and with the back button, the page in
// German, the phone layout, and the empty state of a server without
// --harvest-config (a second server on a fresh store).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

// A `fairdex serve` without a harvest configuration on a fresh store.
function startPlainServer(root) {
  const fairdex = path.resolve(process.env.FAIRDEX || path.join(root, 'build/web/fairdex'));
  const dir = mkdtempSync(path.join(tmpdir(), 'fairdex-e2e-admin-'));
  return new Promise((resolve, reject) => {
    const child = spawn(fairdex, ['--db', path.join(dir, 'db'), 'serve', '--listen', '127.0.0.1:0'],
      { stdio: ['ignore', 'pipe', 'ignore'] });
    const stop = () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    process.on('exit', stop);
    const timer = setTimeout(() => { stop(); reject(new Error('the plain server did not start in 20 s')); }, 20000);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const m = /listening on (\S+)/.exec(line);
      if (m) resolve({ url: m[1].replace(/\/?$/, '/'), stop });
      else { stop(); reject(new Error(`the plain server printed "${line}"`)); }
    });
  });
}

export default async function (ctx) {
  const { url, tokens, check, shot } = ctx;
  const runsOf = async (name) => (await getJson(`${url}api/runs?source=${name}`)).runs;

  // ---- the sources, before any run ----
  const page = await ctx.newPage();
  await page.goto(url + 'admin');
  const portalRow = page.locator('table.sources tr[data-source="portal"]');
  const projectsRow = page.locator('table.sources tr[data-source="projects"]');
  await portalRow.waitFor();
  check(await page.locator('h1').innerText() === 'Harvesting', 'the page is headed "Harvesting"');
  check(await portalRow.locator('th[scope="row"]').innerText().then((s) => s.includes('portal') && s.includes('DCAT')),
    'the row of portal names it and its type DCAT');
  check((await portalRow.innerText()).includes(ctx.fixtures + 'files/dcat/page1.ttl'), 'the row of portal shows its URL');
  check(await projectsRow.count() === 1 && (await projectsRow.innerText()).includes('tests/harvest/data/folder/echo-study'),
    'the row of projects shows its folder');
  check((await portalRow.innerText()).includes('Never run'), 'portal has never run');
  const headers = await page.locator('table.sources thead th').allInnerTexts();
  check(headers.join('|') === 'Source|Harvests from|Schedule|Last run|Added|Updated|Unchanged|Deleted|Failed|Actions',
    `the sources table has its column headers (${headers.join('|')})`);
  const harvestPortal = page.getByRole('button', { name: 'Harvest now (portal)' });
  check(await harvestPortal.isEnabled(), 'the button "Harvest now (portal)" is there and enabled');
  await shot(page, 'admin-sources');

  // ---- refused without a token, with a wrong one, with a curator's ----
  await harvestPortal.click();
  const alert = page.locator('.admin-messages [role="alert"]');
  await alert.waitFor();
  check((await alert.innerText()).includes('needs an admin token'), 'without a token the button asks for an admin token');
  check(await page.evaluate(() => document.activeElement && document.activeElement.id === 'token-input'),
    'without a token the token field gets the focus');
  check((await runsOf('portal')).length === 0, 'without a token no run starts');

  const useToken = async (value) => {
    const forget = page.getByRole('button', { name: 'Forget token' });
    if (await forget.count()) await forget.click();
    await page.fill('#token-input', value);
    await page.getByRole('button', { name: 'Use token' }).click();
  };
  await useToken('fdx_not_a_token');
  await harvestPortal.click();
  await page.waitForFunction(() => /did not accept the token/.test(document.querySelector('.admin-messages')?.textContent || ''));
  check((await alert.innerText()).includes('401') && (await alert.innerText()).includes('not valid'),
    'a wrong token: the page says the server did not accept it, with the 401 and the server\'s message');
  check((await runsOf('portal')).length === 0, 'with a wrong token no run starts');

  await useToken(tokens.curator);
  await harvestPortal.click();
  await page.waitForFunction(() => /not an admin token/.test(document.querySelector('.admin-messages')?.textContent || ''));
  check((await alert.innerText()).includes('role admin'), 'a curator token: the page says starting a run needs role admin');
  check((await runsOf('portal')).length === 0, 'with a curator token no run starts');

  // ---- the admin starts a harvest and sees its report ----
  await useToken(tokens.admin);
  check(await page.locator('.admin-messages').innerText() === '', 'setting a token clears the old message');
  await harvestPortal.click();
  const runningButton = page.locator('button.harvest-now[data-source="portal"]');
  // The row is drawn anew from /api/sources once the server took the run.
  await page.waitForFunction(() => document.querySelector(
    'tr[data-source="portal"] .last-run .run-status-queued, tr[data-source="portal"] .last-run .run-status-running'),
  null, { timeout: 5000 });
  check(await runningButton.isDisabled(), 'while the run is queued or running, the button of portal is disabled');
  const lastRunText = await portalRow.locator('.last-run').innerText();
  check(/Queued|Running/.test(lastRunText), `the row of portal says it is queued or running (${lastRunText})`);
  await shot(page, 'admin-running');

  const ended = page.locator('.admin-messages .notice', { hasText: 'has ended' });
  await ended.waitFor({ timeout: 30000 });
  const runs = await runsOf('portal');
  check(runs.length === 1 && runs[0].status === 'complete', 'the API has one complete run of portal');
  const run = runs[0];
  check(run.added > 0, `the run added datasets (${run.added} by the API)`);
  check((await ended.innerText()).includes(`The run ${run.id} of portal has ended: Complete. ${run.added} added`),
    'the page announces the end of the run with its number, status and counts');
  check(await harvestPortal.isEnabled(), 'after the run the button is enabled again');
  const rowCounts = {};
  for (const key of ['added', 'updated', 'unchanged', 'deleted', 'failed']) {
    rowCounts[key] = Number(await portalRow.locator(`td.count-${key}`).innerText());
  }
  check(['added', 'updated', 'unchanged', 'deleted', 'failed'].every((k) => rowCounts[k] === run[k]),
    `the row of portal shows the run's counts (${JSON.stringify(rowCounts)})`);

  await ended.getByRole('link', { name: `Show the report of run ${run.id}` }).click();
  await page.waitForURL(`**/admin?run=${run.id}`);
  check(new URL(page.url()).search === `?run=${run.id}`, 'the report has its own URL (?run=ID)');
  await page.locator('.run-counts').waitFor();
  check((await page.locator('h1').innerText()) === `Harvest run ${run.id} of portal`, 'the report is headed with its run and source');
  for (const key of ['added', 'updated', 'unchanged', 'deleted', 'failed', 'pages']) {
    const shown = Number(await page.locator(`.run-counts li[data-count="${key}"] .count-value`).innerText());
    check(shown === run[key], `the report shows ${key} = ${run[key]} as the API does`);
  }
  check((await page.locator('.run-status-line').innerText()).includes('Complete'), 'the report shows the status Complete');
  check(await page.locator(`dd time[datetime="${run.started}"]`).count() === 1 && await page.locator(`dd time[datetime="${run.finished}"]`).count() >= 1,
    'the report shows start and end');
  check((await page.locator('.run-errors').innerText()).includes('No record or page failed'), 'the report says no record failed');

  const datasetLinks = page.locator('.dataset-list a');
  await datasetLinks.first().waitFor();
  check(await datasetLinks.count() === run.added + run.updated,
    `the report links the ${run.added + run.updated} datasets this run added (${await datasetLinks.count()} links)`);
  await shot(page, 'admin-report');
  const firstTitle = await datasetLinks.first().innerText();
  const [response] = await Promise.all([page.waitForNavigation(), datasetLinks.first().click()]);
  check(response && response.status() === 200, `the dataset link leads to a page (${page.url()})`);
  check((await page.locator('h1').innerText()).includes(firstTitle), `the dataset page is that of "${firstTitle}"`);
  await page.goBack();
  await page.locator('.run-counts').waitFor();
  check(new URL(page.url()).search === `?run=${run.id}`, 'the back button returns to the report');

  await page.getByRole('link', { name: 'portal', exact: true }).first().click();
  await page.waitForURL('**/admin?source=portal');
  await page.locator('table.runs').waitFor();
  check(await page.locator(`table.runs tr[data-run="${run.id}"]`).count() === 1, 'the runs of portal list the run');
  await page.goBack();
  await page.locator('.run-counts').waitFor();
  check(new URL(page.url()).search === `?run=${run.id}`, 'back from the runs of portal: the report again');

  // The report's URL on its own, in a fresh browser.
  const direct = await ctx.newPage();
  await direct.goto(`${url}admin?run=${run.id}`);
  await direct.locator('.run-counts').waitFor();
  check(Number(await direct.locator('.run-counts li[data-count="added"] .count-value').innerText()) === run.added,
    'the report\'s URL opened on its own shows the same counts');
  await direct.goto(`${url}admin?run=999999`);
  await direct.locator('.admin-view [role="alert"]').waitFor();
  check((await direct.locator('.admin-view [role="alert"]').innerText()) === 'There is no run 999999.', 'an unknown run says there is none');

  // Phone width: nothing wider than the screen.
  await direct.goto(url + 'admin');
  await direct.locator('table.sources').waitFor();
  await direct.setViewportSize({ width: 390, height: 844 });
  const overflow = await direct.evaluate(() => document.documentElement.scrollWidth);
  check(overflow <= 390, `at 390 px the sources page does not scroll sideways (${overflow} px)`);

  // ---- in German ----
  const german = await ctx.newPage({ locale: 'de-DE' });
  await german.goto(url + 'admin');
  await german.locator('table.sources').waitFor();
  check(await german.getByRole('button', { name: 'Jetzt einsammeln (portal)' }).count() === 1, 'in German: "Jetzt einsammeln (portal)"');
  check((await german.locator('table.sources thead').innerText()).includes('Letzter Lauf'), 'in German: the column "Letzter Lauf"');

  // ---- a server without --harvest-config ----
  const plain = await startPlainServer(ctx.root);
  try {
    const empty = await ctx.newPage();
    await empty.goto(plain.url + 'admin');
    const state = empty.locator('.empty-state');
    await state.waitFor();
    check((await state.innerText()).includes('--harvest-config'), 'without a harvest configuration the page says how to configure one');
    check(await empty.locator('table.sources').count() === 0, 'without a harvest configuration there is no sources table');
    await shot(empty, 'admin-empty');
  } finally {
    plain.stop();
  }
}
