-- wrk script (bench/http.py): GET the availability API for a random stay.
-- args: hotel code, first arrival (epoch seconds, a UTC midnight), arrival days to choose from, nights, extra query
local threads = {}
local hotel, first, spread, nights, extra

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  hotel, first, spread, nights, extra = args[1], tonumber(args[2]), tonumber(args[3]), tonumber(args[4]), args[5] or ""
  math.randomseed(os.time() * 100 + id)
end

function request()
  local arrival = first + math.random(0, spread - 1) * 86400
  local path = string.format("/api/v1/hotels/%s/availability?check_in=%s&check_out=%s&adults=2%s", hotel,
    os.date("!%Y-%m-%d", arrival), os.date("!%Y-%m-%d", arrival + nights * 86400), extra)
  return wrk.format("GET", path)
end

dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
