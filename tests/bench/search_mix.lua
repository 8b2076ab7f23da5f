-- tests/bench/search_mix.lua: the wrk script of tests/bench/search.sh.
--
--   wrk -t T -c C -d D --timeout S -s search_mix.lua http://HOST:PORT -- ARG...
--
-- Every connection sends GET requests in turn from a fixed list of paths
-- (GET /api/datasets?q=...&theme=...&sort=...&page=..., which search.sh
-- generates: keyword queries, keyword + one facet filter, facet-only
-- browsing, the empty query, sort=modified, page 2), one at a time (no
-- pipelining); each wrk thread starts at another place in the list.
-- Arguments:
--   paths=FILE     the requests: one path with its query string per line,
--                  already URL-encoded; a line "CLASS<TAB>PATH" is taken
--                  as PATH (search.sh's lists carry the request class)
--   accept=TYPE    the Accept header (default application/json)
--   threads=T      wrk's -t, so that the threads start at evenly spread
--                  places of the list (default 1)
-- done() prints one line, as tests/bench/serve_mix.lua does:
--   RESULT requests=R duration_s=D rps=X p50_ms=A p99_ms=B mean_ms=M
--     max_ms=X connect=E read=E write=E timeout=E status=E non2xx=E codes=...
-- p50/p99/mean/max come from wrk's latency histogram (requests slower than
-- --timeout are left out and count as timeout errors); status is wrk's own
-- count of answers >= 400.  With SEARCH_MIX_STATUS=1 in the environment
-- the script also counts every answer by status (non2xx, codes), at the
-- cost of copying every body into Lua (an /api/datasets answer with all
-- facets is 10-20 KB), which slows wrk down on a small machine; otherwise
-- those two are "-".

threads = {} -- read by done() in wrk_report.lua

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local requests = {}
local nreq = 0
local next_req = 1
codes = {}
non2xx = 0

function init(args)
  local accept = "application/json"
  local nthreads = 1
  local paths = {}
  for i = 1, #args do
    local a = args[i]
    if a:sub(1, 7) == "accept=" then
      accept = a:sub(8)
    elseif a:sub(1, 8) == "threads=" then
      nthreads = math.max(1, tonumber(a:sub(9)) or 1)
    elseif a:sub(1, 6) == "paths=" then
      for line in io.lines(a:sub(7)) do
        local p = line:match("\t(.*)$") or line
        if p ~= "" then table.insert(paths, p) end
      end
    else
      error("search_mix.lua: unknown argument " .. a)
    end
  end
  local headers = { Host = wrk.headers["Host"], Accept = accept }
  for _, p in ipairs(paths) do
    table.insert(requests, wrk.format("GET", p, headers))
  end
  nreq = #requests
  assert(nreq > 0, "search_mix.lua: no requests (paths=FILE)")
  next_req = math.floor(((tid or 1) - 1) * nreq / nthreads) % nreq + 1
end

function request()
  local r = requests[next_req]
  next_req = next_req % nreq + 1
  return r
end

-- Status counting and done(): shared with the other mix script.
MIX_STATUS_ENV = "SEARCH_MIX_STATUS"
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_report.lua")
