-- wrk script for bench/coursework_load.py: the writing page's autosave, as the editor sends it.
--
--   wrk -tN -cN -d10s -s bench/load/autosave.lua http://127.0.0.1:PORT -- STUDENTS_FILE
--
-- Run it with as many threads as connections (-tN -cN): a thread then has one request in flight
-- at a time, so response() always answers the request() before it, and each virtual student
-- keeps its own base revision. STUDENTS_FILE has one student per line:
--   host<TAB>submission id<TAB>cookie<TAB>csrf token<TAB>base revision<TAB>text (form-encoded)
-- Thread k (1-based) of N takes lines k, k+N, k+2N...: no student is shared between threads, so
-- a 409 (conflict) means the server and this script disagree about a base revision, which
-- should not happen; the count of each status is reported in "BENCH_RESULT {json}".
--
-- Each save appends a word to the student's text and posts the whole text, base_revision and
-- the writing-process figures, with HX-Request (the editor posts through htmx), the CSRF token
-- in X-CSRFToken and the csrftoken cookie. 200 carries the new revision in X-Revision-Number.

local threads = {}
local WORDS = {"because", "students", "evidence", "therefore", "however", "research", "learning", "school",
               "sleep", "argue", "clearly", "teachers", "morning", "attention", "reason", "finally"}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  local thread_count = tonumber(args[2])
  students = {}
  local line_number = 0
  for line in io.lines(args[1]) do
    line_number = line_number + 1
    if (line_number - 1) % thread_count == thread_number - 1 then
      local host, submission, cookie, token, base, text =
        line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]+)\t([^\t]*)$")
      students[#students + 1] = {
        host = host, path = "/write/" .. submission .. "/autosave", cookie = cookie, token = token,
        base = tonumber(base), text = text,
      }
    end
  end
  if #students == 0 then
    error("thread " .. thread_number .. " has no students")
  end
  current = 0
  statuses = {}
  resynced = 0
end

function request()
  current = current % #students + 1
  local s = students[current]
  local added = (s.text == "" and "" or "+") .. WORDS[s.base % #WORDS + 1]
  s.pending = s.text .. added
  local body = "base_revision=" .. s.base .. "&text=" .. s.pending .. "&reflection=&active_seconds=4&typed_chars="
    .. #added .. "&pasted_chars=0&paste_sizes="
  return wrk.format("POST", s.path, {
    Host = s.host, Cookie = s.cookie, ["X-CSRFToken"] = s.token, ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded", Accept = "text/html", Connection = "close",
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local s = students[current]
  local revision = tonumber(headers["X-Revision-Number"] or headers["x-revision-number"] or "")
  if status == 200 then
    s.text = s.pending
    s.base = revision or (s.base + 1)
  elseif status == 409 and revision then
    -- Someone else saved: the editor would load the latest text; here only the base is taken over.
    s.base = revision
    resynced = resynced + 1
  end
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
