// run.mjs: runs one browser scenario of the fairdex web UI (suite 'e2e').
//
//   node tests/e2e/run.mjs SPEC      (SPEC: a file name under specs/)
//
// It sets up what the scenario needs from scratch: a store loaded with the
// example catalogue (examples/catalog.ttl), a curator and an admin token, a
// loopback fixture server (tests/harvest/fixture_server.py) with a DCAT
// source for the harvest pages, then `fairdex serve` on an ephemeral port
// with that harvest configuration; then headless Debian Chromium, driven
// by playwright-core (no browser download), runs the scenario.  Every
// scenario writes screenshots of the pages it visits, at desktop and phone
// width, into $FAIRDEX_E2E_OUT (default build/tests/e2e-screenshots).
//
// Settings (environment): FAIRDEX (the binary; default build/web/fairdex),
// FAIRDEX_E2E_OUT, FAIRDEX_CHROMIUM (default /usr/bin/chromium),
// FAIRDEX_SHARED_DATA (../shared/data/external; checks that need it say
// they skip without it), FAIRDEX_E2E_REQUIRED=1 (missing tools fail
// instead of skipping).  Exits 0 on success, 77 (meson: skipped) when
// Chromium, Node.js 20 or the npm packages are missing, 1 on a failure.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const SKIP = 77;

const spec = process.argv[2];
if (!spec) {
  console.error('usage: node tests/e2e/run.mjs SPEC');
  process.exit(2);
}
const fairdex = path.resolve(process.env.FAIRDEX || path.join(root, 'build/web/fairdex'));
const outDir = path.resolve(process.env.FAIRDEX_E2E_OUT || path.join(root, 'build/tests/e2e-screenshots'));
const chromiumPath = process.env.FAIRDEX_CHROMIUM || '/usr/bin/chromium';
const sharedData = path.resolve(process.env.FAIRDEX_SHARED_DATA || path.join(root, '../shared/data/external'));

// Missing tools skip the scenario, or fail it where they are required.
function skip(why) {
  if (process.env.FAIRDEX_E2E_REQUIRED === '1') {
    console.log(`not ok - ${why} (FAIRDEX_E2E_REQUIRED=1)`);
    process.exit(1);
  }
  console.log(`SKIP: ${why}`);
  process.exit(SKIP);
}
if (!existsSync(chromiumPath)) {
  skip(`no Chromium at ${chromiumPath} (apt-get install chromium, or set FAIRDEX_CHROMIUM)`);
}
if (Number(process.versions.node.split('.')[0]) < 20) {
  skip(`playwright-core needs Node.js 20 or later; this is ${process.version}`);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  skip('playwright-core is not installed (run `npm ci` in tests/e2e; `make check` does)');
}

// ---- processes ------------------------------------------------------------

const children = [];
const work = mkdtempSync(path.join(tmpdir(), 'fairdex-e2e-'));

function cleanup() {
  for (const c of children) {
    if (c.exitCode === null) c.kill('SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(1));

function cli(args, env = {}) {
  return execFileSync(fairdex, args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// Start a program that prints "listening on URL" as its first line; its
// standard error goes to WORK/NAME.log (shown when the scenario fails).
const logs = [];
function startListening(name, cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const log = path.join(work, name + '.log');
    logs.push(log);
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', openSync(log, 'w')] });
    children.push(child);
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start listening in 20 s`)), 20000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /listening on (\S+)/.exec(line);
      if (m) resolve({ child, url: m[1].replace(/\/?$/, '/') });
      else reject(new Error(`${cmd} printed "${line}" instead of "listening on URL"`));
    });
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code} before listening`)));
  });
}

// The demo's base: the example catalogue's IRIs are under it, so its
// datasets have pages at their own paths (/dataset/...).
const BASE = 'https://fairdex.example.org/';

async function setUp() {
  const db = path.join(work, 'db');
  cli(['--db', db, 'load', path.join(root, 'examples/catalog.ttl')], { FAIRDEX_BASE: BASE });
  const tokens = {
    curator: cli(['--db', db, 'token', 'create', '--name', 'e2e-curator', '--role', 'curator']).trim(),
    admin: cli(['--db', db, 'token', 'create', '--name', 'e2e-admin', '--role', 'admin']).trim(),
  };
  const fixtures = await startListening('fixtures', 'python3', [path.join(root, 'tests/harvest/fixture_server.py'),
    '--root', path.join(root, 'tests/harvest/data'), '--watch-stdin']);
  const config = path.join(work, 'harvest.json');
  writeFileSync(config, JSON.stringify({
    sources: [
      { name: 'portal', type: 'dcat', url: fixtures.url + 'files/dcat/page1.ttl' },
      { name: 'projects', type: 'folder', path: path.join(root, 'tests/harvest/data/folder/echo-study') },
    ],
    defaults: { allow_private_addresses: true, timeout_s: 20 },
  }, null, 2));
  const server = await startListening('fairdex', fairdex, ['--db', db, 'serve', '--listen', '127.0.0.1:0',
    '--base', BASE, '--harvest-config', config]);
  return { db, base: BASE, tokens, fixtures: fixtures.url, url: server.url, server: server.child };
}

// ---- the scenario's tools ---------------------------------------------------------

class Failure extends Error {}
let checks = 0;

function check(ok, what) {
  checks += 1;
  if (!ok) throw new Failure(what);
  console.log(`ok ${checks} - ${what}`);
}

const viewports = {
  desktop: { width: 1280, height: 900 },
  phone: { width: 390, height: 844 },
};

mkdirSync(outDir, { recursive: true });

// Screenshots of `page` as it is, at desktop and at phone width (full
// page), as OUT/NAME-desktop.png and OUT/NAME-phone.png; the viewport is
// restored afterwards.
async function shot(page, name) {
  const before = page.viewportSize();
  for (const [kind, size] of Object.entries(viewports)) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    const file = path.join(outDir, `${name}-${kind}.png`);
    await page.screenshot({ path: file, fullPage: true });
    console.log(`# screenshot ${path.relative(root, file)}`);
  }
  if (before) await page.setViewportSize(before);
}

// ---- run ------------------------------------------------------------------------

const specFile = path.join(here, 'specs', spec);
if (!existsSync(specFile)) {
  console.error(`no scenario ${specFile}`);
  process.exit(2);
}

let browser;
let status = 0;
try {
  const env = await setUp();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  const errors = [];
  // A new page at desktop size in a fresh context (no cookies, no session
  // storage), in the language asked for; script errors fail the scenario.
  const newPage = async (options = {}) => {
    const context = await browser.newContext({
      viewport: viewports.desktop,
      locale: options.locale || 'en-GB',
      extraHTTPHeaders: { 'Accept-Language': options.locale === 'de-DE' ? 'de-DE,de;q=0.9' : 'en-GB,en;q=0.9' },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) errors.push(`${page.url()}: console: ${m.text()}`);
    });
    return page;
  };
  const module = await import(pathToFileURL(specFile).href);
  await module.default({ ...env, browser, newPage, check, shot, cli, sharedData, root, outDir });
  check(errors.length === 0, `no script errors in the pages${errors.length ? ': ' + errors.join('; ') : ''}`);
  console.log(`1..${checks}`);
} catch (e) {
  if (e instanceof Failure) {
    console.log(`not ok ${checks} - ${e.message}`);
  } else {
    console.log(`not ok - ${e.stack || e}`);
  }
  status = 1;
  for (const log of logs) {
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n').slice(-40);
    console.log(`# last lines of ${path.basename(log)}:`);
    for (const line of lines) console.log('#   ' + line);
  }
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.exit(status);
