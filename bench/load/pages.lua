-- wrk script for bench/coursework_load.py: GET requests rotating Host, Cookie and path.
--
--   wrk -t2 -c12 -d10s -s bench/load/pages.lua http://127.0.0.1:PORT -- TARGETS_FILE
--
-- TARGETS_FILE has one request per line: host<TAB>path<TAB>cookie. Requests are pre-formatted in
-- init() so request() only returns a string (wrk's Lua cost stays per response, not per build).
-- Each thread starts at a different place in the list, so threads spread over institutions.
-- done() prints one line "BENCH_RESULT {json}" with the latency percentiles (microseconds) and
-- the count of every status code (a 302 to the login page would otherwise count as a success).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  local path_of_targets = args[1]
  prepared = {}
  for line in io.lines(path_of_targets) do
    local host, path, cookie = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    if host then
      prepared[#prepared + 1] = wrk.format("GET", path, {Host = host, Cookie = cookie, Accept = "text/html", Connection = "close"})
    end
  end
  if #prepared == 0 then
    error("no targets in " .. tostring(path_of_targets))
  end
  position = ((thread_number - 1) * 7919) % #prepared
  statuses = {}
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_counts(counts)
  local parts = {}
  for status, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d": %d', status, n)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses") or {}) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, "statuses": %s, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean, json_counts(counts),
    e.connect, e.read, e.write, e.status, e.timeout))
end
