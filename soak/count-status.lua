-- wrk script: counts responses whose status is not 2xx (wrk's own "Non-2xx or 3xx" lets 3xx pass),
-- and alternates two upstream paths (the emulator's System view and its health check).
local threads = {}
local paths = { "/api/v3/admin/system/", "/-/health/live/" }

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  n = 0
end

function request()
  n = n + 1
  return wrk.format("GET", paths[(n % 2) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + t:get("bad")
  end
  io.write(string.format("soak-non2xx %d\n", total))
end
