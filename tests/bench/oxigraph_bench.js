// tests/bench/oxigraph_bench.js: the Oxigraph side of tests/bench/query.sh.
//
//   node oxigraph_bench.js MODULE_DIR DATA.nt QUERY_DIR RUNS TIMEOUT_S [RESULT_DIR]
//
// Loads DATA.nt (N-Triples) into an in-memory Oxigraph store (the npm package
// `oxigraph`, found under MODULE_DIR/node_modules), then runs every *.rq file
// of QUERY_DIR (in name order) once untimed and RUNS times timed.  Each query
// is run with results_format "tsv", so that Oxigraph serialises its results
// like the other engines do; the time is measured in-process around
// store.query() (no process start, no HTTP), with process.hrtime.  The
// result of the untimed run goes to RESULT_DIR/QUERY.tsv when given.
//
// store.query() is synchronous, so the store lives in a worker thread: when a
// run takes longer than TIMEOUT_S seconds, the main thread terminates the
// worker, records a timeout, and starts a new worker (which loads the data
// again) for the next query.
//
// Output on stdout, one line per run, tab-separated (flushed per line, so a
// run cut off by an outer timeout keeps what it finished):
//   load    -       TRIPLES  MS     ok
//   QUERY   RUN     ROWS     MS     ok|error|timeout   [MESSAGE]
// RUN is "warm" for the untimed run, else 1..RUNS; ROWS counts the result
// lines after the TSV header.
'use strict';

const fs = require('fs');
const path = require('path');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');

function ms(start) {
  return (Number(process.hrtime.bigint() - start) / 1e6).toFixed(3);
}

if (!isMainThread) {
  // The worker: load, then answer {text} messages with {rows, ms} or {error}.
  const oxigraph = require(path.resolve(workerData.moduleDir, 'node_modules', 'oxigraph'));
  // The file in 16 MiB chunks: a single string of a big catalogue would come
  // near V8's string length limit.
  function* chunks(file) {
    const fd = fs.openSync(file, 'r');
    try {
      const size = 16 << 20;
      for (;;) {
        const buf = Buffer.allocUnsafe(size);
        const n = fs.readSync(fd, buf, 0, size, null);
        if (n <= 0) break;
        yield new Uint8Array(buf.buffer, buf.byteOffset, n);
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  function countRows(tsv) {
    if (typeof tsv !== 'string') return -1;
    let lines = 0;
    for (let i = tsv.indexOf('\n'); i !== -1; i = tsv.indexOf('\n', i + 1)) ++lines;
    if (tsv.length && !tsv.endsWith('\n')) ++lines;
    return lines - 1; // the header
  }
  const store = new oxigraph.Store();
  const t = process.hrtime.bigint();
  store.load(chunks(workerData.dataFile), { format: 'application/n-triples', no_transaction: true });
  parentPort.postMessage({ loaded: true, size: store.size, ms: ms(t) });
  parentPort.on('message', (m) => {
    const t0 = process.hrtime.bigint();
    try {
      const out = store.query(m.text, { results_format: 'tsv' });
      const elapsed = ms(t0);
      if (m.save) fs.writeFileSync(m.save, out);
      parentPort.postMessage({ rows: countRows(out), ms: elapsed });
    } catch (e) {
      const elapsed = ms(t0);
      parentPort.postMessage({
        error: String((e && e.message) || e).replace(/\s+/g, ' ').slice(0, 300),
        ms: elapsed,
      });
    }
  });
  return;
}

const [moduleDir, dataFile, queryDir, runsArg, timeoutArg, resultDir] = process.argv.slice(2);
if (!moduleDir || !dataFile || !queryDir || !runsArg || !timeoutArg) {
  process.stderr.write(
    'usage: node oxigraph_bench.js MODULE_DIR DATA.nt QUERY_DIR RUNS TIMEOUT_S [RESULT_DIR]\n');
  process.exit(2);
}
const runs = parseInt(runsArg, 10);
const timeoutMs = parseFloat(timeoutArg) * 1000;

function emit(fields) {
  fs.writeSync(1, fields.join('\t') + '\n');
}

// A worker with the data loaded; resolves to {worker, next(msg)}.
function startWorker() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: { moduleDir, dataFile } });
    let pending = null;
    worker.on('message', (m) => {
      if (m.loaded) {
        resolve({ worker, size: m.size, ms: m.ms, ask });
      } else if (pending) {
        const p = pending;
        pending = null;
        p(m);
      }
    });
    worker.on('error', (e) => {
      if (pending) {
        const p = pending;
        pending = null;
        p({ error: 'worker: ' + String((e && e.message) || e), ms: '-' });
      } else {
        reject(e);
      }
    });
    // One request, with the timeout: {rows, ms} | {error, ms} | {timeout}.
    function ask(msg) {
      return new Promise((res) => {
        const timer = setTimeout(() => {
          pending = null;
          worker.terminate();
          res({ timeout: true });
        }, timeoutMs);
        pending = (m) => {
          clearTimeout(timer);
          res(m);
        };
        worker.postMessage(msg);
      });
    }
  });
}

(async () => {
  let w = await startWorker();
  emit(['load', '-', String(w.size), w.ms, 'ok']);
  const files = fs.readdirSync(queryDir).filter((f) => f.endsWith('.rq')).sort();
  for (const f of files) {
    const name = f.slice(0, -3);
    const text = fs.readFileSync(path.join(queryDir, f), 'utf8');
    for (let r = 0; r <= runs; ++r) {
      const label = r === 0 ? 'warm' : String(r);
      const save = r === 0 && resultDir ? path.join(resultDir, name + '.tsv') : null;
      const m = await w.ask({ text, save });
      if (m.timeout) {
        emit([name, label, '-', String(timeoutMs.toFixed(3)), 'timeout', `over ${timeoutMs / 1000} s`]);
        process.stderr.write(`oxigraph_bench: ${name} timed out; reloading the store\n`);
        w = await startWorker();
        break;
      }
      if (m.error !== undefined) {
        emit([name, label, '-', m.ms, 'error', m.error]);
        break; // an error will not go away in the timed runs
      }
      emit([name, label, String(m.rows), m.ms, 'ok']);
    }
  }
  await w.worker.terminate();
})().catch((e) => {
  process.stderr.write(`oxigraph_bench: ${(e && e.stack) || e}\n`);
  process.exit(1);
});
