-- wrk script for bench/run.py; prints one JSON line with the figures it tabulates.
--   wrk -t2 … -s bench/paths.lua URL                 every request for URL
--   wrk -t2 … -s bench/paths.lua URL -- FILE 2       request n of thread t takes
--     line t + 2n of FILE (one path a line), so that no two requests ask the same
--     thing until the file runs out ("wrapped" counts how often it did).
-- Counts 5xx answers apart from other non-2xx ones.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  server_errors, wrapped = 0, 0
  if args[1] then
    paths = {}
    for line in io.lines(args[1]) do paths[#paths + 1] = line end
    step = tonumber(args[2])
    cursor = id
  end
end

function request()
  if not paths then return wrk.request() end
  local path = paths[cursor]
  cursor = cursor + step
  if cursor > #paths then
    cursor = id
    wrapped = wrapped + 1
  end
  return wrk.format(nil, path)
end

function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local failed, wraps = 0, 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("server_errors")
    wraps = wraps + thread:get("wrapped")
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "non_2xx": %d, "server_errors": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status, failed, wraps))
end
