-- tests/bench/serve_mix.lua: the wrk script of tests/bench/serve.sh.
--
--   wrk -t T -c C -d D --timeout S -s serve_mix.lua http://HOST:PORT -- ARG...
--
-- Every connection sends GET requests in turn from a fixed list (each wrk
-- thread starts at another place in it), one at a time (no pipelining).
-- The arguments build the list:
--   accept=TYPE        the Accept header of every request (default */*)
--   threads=T          wrk's -t, so that the threads start at evenly spread
--                      places of the list (default 1)
--   param=NAME=VALUE   a parameter added to every SPARQL request, e.g.
--                      param=default-graph-uri=https://... (repeatable;
--                      NAME and VALUE are URL-encoded here)
--   paths=FILE         one request each for the lines of FILE, taken as they
--                      are (a path with its query string, already encoded)
--   FILE               any other argument: a SPARQL query file, sent as
--                      GET /sparql?query=<the file, URL-encoded>[&params]
-- done() prints one line
--   RESULT requests=R duration_s=D rps=X p50_ms=A p99_ms=B mean_ms=M
--     max_ms=X connect=E read=E write=E timeout=E status=E non2xx=E codes=200:R,...
-- p50/p99/mean/max come from wrk's latency histogram, which leaves out the
-- requests that took longer than --timeout (those count as timeout errors);
-- status is wrk's own count of answers >= 400.  With SERVE_MIX_STATUS=1 in
-- the environment, the script also counts every answer by its status: non2xx
-- (outside 200-299) and codes; otherwise those two are "-".  That is not the
-- default because a response() function makes wrk copy every body into Lua,
-- which halves the requests/s wrk can drive with big answers (a /catalog page
-- of 100 datasets is about 150 KB) on a small machine.

threads = {} -- read by done() in wrk_report.lua

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

local function urlencode(s)
  return (string.gsub(s, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

local function slurp(name)
  local f = assert(io.open(name, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local requests = {}
local nreq = 0
local next_req = 1
codes = {}
non2xx = 0

function init(args)
  local accept = "*/*"
  local params = ""
  local paths = {}
  local nthreads = 1
  for i = 1, #args do
    local a = args[i]
    if a:sub(1, 7) == "accept=" then
      accept = a:sub(8)
    elseif a:sub(1, 8) == "threads=" then
      nthreads = math.max(1, tonumber(a:sub(9)) or 1)
    elseif a:sub(1, 6) == "param=" then
      local name, value = a:sub(7):match("^([^=]+)=(.*)$")
      assert(name, "param=NAME=VALUE expected: " .. a)
      params = params .. "&" .. urlencode(name) .. "=" .. urlencode(value)
    elseif a:sub(1, 6) == "paths=" then
      for line in io.lines(a:sub(7)) do
        if line ~= "" then table.insert(paths, line) end
      end
    else
      table.insert(paths, "/sparql?query=" .. urlencode(slurp(a)) .. "\0")
    end
  end
  local headers = { Host = wrk.headers["Host"], Accept = accept }
  for _, p in ipairs(paths) do
    -- "\0" marks a SPARQL request, which takes the params
    if p:sub(-1) == "\0" then p = p:sub(1, -2) .. params end
    table.insert(requests, wrk.format("GET", p, headers))
  end
  nreq = #requests
  assert(nreq > 0, "serve_mix.lua: no requests (see its header for the arguments)")
  -- the threads start at evenly spread places of the list
  next_req = math.floor(((tid or 1) - 1) * nreq / nthreads) % nreq + 1
end

function request()
  local r = requests[next_req]
  next_req = next_req % nreq + 1
  return r
end

-- Status counting and done(): shared with the other mix script.
MIX_STATUS_ENV = "SERVE_MIX_STATUS"
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk_report.lua")
