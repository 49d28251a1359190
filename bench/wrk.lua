-- Taito's wrk script (bench/wrk.py runs it): what each request carries, what counts as a good
-- answer, and one JSON line of results at the end.
--
-- Arguments after "--": mode, expected text, file, run id.
--   get     the URL's method and path, no body (GET /healthz);
--   walk    POST each line of the file once, in order (each thread takes every n-th line): one
--           presentation per line, each with its own single-use nonce; a thread that runs out
--           stops and the run is reported as exhausted (never a nonce sent twice);
--   repeat  POST the file's content every time with a fresh Idempotency-Key (run id, thread,
--           counter), so that every request issues a new credential;
--   collect POST without a body and append every 2xx answer's body as a line to the file
--           "<file>.<thread>" (obtaining nonces through the API, many at a time).
-- An answer is good when it is 2xx and its body contains the expected text (empty: any body).

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  mode, expect, file, run = args[1], args[2] or "", args[3], args[4] or "run"
  nthreads = tonumber(args[5] or "1")
  statuses, wrong, exhausted, sample, counter = {}, 0, 0, "", 0
  bodies = {}
  if mode ~= "get" then
    wrk.method = "POST"
  end
  if mode == "walk" then
    local line_no = 0
    for line in io.lines(file) do
      if line_no % nthreads == tid then
        bodies[#bodies + 1] = line
      end
      line_no = line_no + 1
    end
  elseif mode == "repeat" then
    local handle = assert(io.open(file, "rb"))
    body = handle:read("*a")
    handle:close()
  elseif mode == "collect" then
    out = assert(io.open(file .. "." .. tid, "w"))
    out:setvbuf("line")
  end
end

function request()
  counter = counter + 1
  if mode == "walk" then
    local next_body = bodies[counter]
    if next_body == nil then
      exhausted = 1
      wrk.thread:stop()
      -- Sent at most once per thread after it stops, never read: harmless and without a nonce.
      return wrk.format("GET", "/healthz", {})
    end
    return wrk.format(nil, nil, nil, next_body)
  elseif mode == "repeat" then
    wrk.headers["Idempotency-Key"] = string.format("%s-%d-%d", run, tid, counter)
    return wrk.format(nil, nil, nil, body)
  end
  return wrk.format(nil, nil, nil, nil)
end

function response(status, headers, answer)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  local good = status >= 200 and status < 300
  if good and expect ~= "" and not string.find(answer or "", expect, 1, true) then
    wrong = wrong + 1
    good = false
  end
  if good and mode == "collect" then
    out:write(answer, "\n")
  end
  if not good and sample == "" then
    sample = key .. " " .. string.sub(answer or "", 1, 300)
  end
end

local function quoted(text)
  local escaped = text:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end)
  return '"' .. escaped .. '"'
end

function done(summary, latency, requests)
  local codes, bad, empty, first = {}, 0, 0, ""
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      codes[code] = (codes[code] or 0) + count
    end
    bad = bad + thread:get("wrong")
    empty = empty + thread:get("exhausted")
    if first == "" then
      first = thread:get("sample")
    end
  end
  local parts = {}
  for code, count in pairs(codes) do
    parts[#parts + 1] = string.format('"%s":%d', code, count)
  end
  local e = summary.errors
  io.write(string.format(
    'TAITO_WRK {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},'
      .. '"statuses":{%s},"wrong":%d,"exhausted_threads":%d,"sample":%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout,
    table.concat(parts, ","), bad, empty, quoted(first)
  ))
end
