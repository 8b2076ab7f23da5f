-- tests/bench/wrk_report.lua: what the wrk scripts of the benchmarks share
-- (serve_mix.lua, search_mix.lua), loaded by them with dofile: counting
-- answers by status when the environment variable named by the global
-- MIX_STATUS_ENV is "1", and done(), which prints one line:
--   RESULT requests=R duration_s=D rps=X p50_ms=A p99_ms=B mean_ms=M
--     max_ms=X connect=E read=E write=E timeout=E status=E non2xx=E codes=...
-- Each thread's globals `codes` and `non2xx` hold its counts; the
-- global `threads` lists the threads (setup()).

local count_status = os.getenv(MIX_STATUS_ENV) == "1"
if count_status then
  function response(status, headers, body)
    codes[status] = (codes[status] or 0) + 1
    if status < 200 or status > 299 then
      non2xx = non2xx + 1
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  local all = {}
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
    for code, n in pairs(t:get("codes") or {}) do
      all[code] = (all[code] or 0) + n
    end
  end
  local list = {}
  for code, _ in pairs(all) do table.insert(list, code) end
  table.sort(list)
  for i, code in ipairs(list) do list[i] = code .. ":" .. all[code] end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d duration_s=%.3f rps=%.2f p50_ms=%.3f p99_ms=%.3f mean_ms=%.3f max_ms=%.3f " ..
    "connect=%d read=%d write=%d timeout=%d status=%d non2xx=%s codes=%s\n",
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.mean / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.timeout, e.status,
    count_status and tostring(bad) or "-",
    (count_status and #list > 0) and table.concat(list, ",") or "-"))
end
