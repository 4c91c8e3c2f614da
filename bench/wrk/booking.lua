-- wrk script (bench/http.py): POST a booking with the test card for a random stay at the demo hotel.
-- args: API key, first arrival (epoch seconds, a UTC midnight), arrival days to choose from
local threads = {}
local key, first, spread
local room_types = {"DELUXE-KING", "STANDARD-QUEEN", "JUNIOR-SUITE"}
local plans = {"BAR", "AAA"}
local serial = 0

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  key, first, spread = args[1], tonumber(args[2]), tonumber(args[3])
  math.randomseed(os.time() * 100 + id)
end

function request()
  serial = serial + 1
  local arrival = first + math.random(0, spread - 1) * 86400
  local nights = math.random(1, 3)
  local body = string.format(
    '{"hotel":"NYC","room_type":"%s","rate_plan":"%s","check_in":"%s","check_out":"%s","adults":2,' ..
    '"guest":{"first_name":"Bench","last_name":"Guest","email":"bench-%d-%d@example.com"},' ..
    '"payment":{"card_number":"4242424242424242","exp_month":12,"exp_year":2035,"cvc":"123"}}',
    room_types[math.random(#room_types)], plans[math.random(#plans)], os.date("!%Y-%m-%d", arrival),
    os.date("!%Y-%m-%d", arrival + nights * 86400), id, serial)
  local headers = {["Content-Type"] = "application/json", ["X-Api-Key"] = key,
                   ["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), id, serial)}
  return wrk.format("POST", "/api/v1/bookings", headers, body)
end

dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
