-- wrk script of scripts/bench-api: every request picks a streamer and one of its viewers at
-- random. BENCH_MODE is leaderboard, user or points; BENCH_STREAMERS and BENCH_USERS describe
-- the seeded file (streamer n is `bench<n>`, its viewers have the ids (n-1)*users+1 ..
-- n*users, its admin key is `bench-key-<n>`).
local mode = os.getenv("BENCH_MODE")
local streamers = tonumber(os.getenv("BENCH_STREAMERS"))
local users = tonumber(os.getenv("BENCH_USERS"))
local threads = {}
local counter = 0

setup = function(thread)
    counter = counter + 1
    thread:set("seed", counter)
    table.insert(threads, thread)
end

init = function()
    math.randomseed(os.time() * 1000 + seed)
    failures = 0
end

request = function()
    local n = math.random(streamers)
    local id = (n - 1) * users + math.random(users)
    if mode == "leaderboard" then
        return wrk.format("GET", "/bench" .. n .. "/api/leaderboard?limit=50")
    elseif mode == "user" then
        return wrk.format("GET", "/bench" .. n .. "/api/users/" .. id)
    else
        return wrk.format("POST", "/bench" .. n .. "/api/users/" .. id .. "/points", {
            ["Authorization"] = "Bearer bench-key-" .. n,
            ["Content-Type"] = "application/json",
        }, '{"amount": 5, "source": "chat", "description": "bench"}')
    end
end

response = function(status)
    if status ~= 200 then
        failures = failures + 1
    end
end

done = function(summary, latency, requests)
    local failed = 0
    for _, t in ipairs(threads) do
        failed = failed + t:get("failures")
    end
    local seconds = summary.duration / 1e6
    io.write(string.format(
        "RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f failed=%d errors=%d\n",
        summary.requests, summary.requests / seconds,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
        failed, summary.errors.connect + summary.errors.read + summary.errors.write
            + summary.errors.timeout))
end
