-- wrk script for the Masthead benchmark.
--
-- wrk ... -s bench/lua/paths.lua URL -- PATHS_FILE
--
-- PATHS_FILE holds one request a line: "PATH", or "PATH<TAB>ETAG" to send the
-- request with If-None-Match: ETAG. Each request picks a random line. done()
-- prints one parseable line: WRK_RESULT {json}. wrk counts a status >= 400 as an
-- error (errors.status); connect/read/write/timeout errors are counted apart.

local paths = {}
local etags = {}

function init(args)
  local name = args[1]
  if name == nil then
    error("usage: wrk ... -s paths.lua URL -- PATHS_FILE")
  end
  local file = assert(io.open(name, "r"))
  for line in file:lines() do
    local path, etag = line:match("^([^\t]+)\t?(.*)$")
    if path ~= nil then
      paths[#paths + 1] = path
      etags[#etags + 1] = etag
    end
  end
  file:close()
  if #paths == 0 then
    error("no paths in " .. name)
  end
  math.randomseed(os.time())
end

function request()
  local i = math.random(#paths)
  local etag = etags[i]
  if etag ~= nil and etag ~= "" then
    return wrk.format("GET", paths[i], { ["If-None-Match"] = etag })
  end
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,'
      .. '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean
  ))
end
