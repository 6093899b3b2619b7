-- Book the answer to a request, atomically: count it from now, hold back on a 429, and lower
-- the window to what Pylon's rate-limit headers say is left. Loaded by
-- pylon_client/_ratelimit/redis.py; times are microseconds of Redis's own clock.
--
-- KEYS[1] log, KEYS[2] hold (see acquire.lua)
-- ARGV: limit, window, member, limited ('1' on a 429), retry after (-1: not said),
--       remaining (-1: not said), reset (-1: not said)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local member = ARGV[3]
local limited = ARGV[4] == '1'
local retry_after = tonumber(ARGV[5])
local remaining = tonumber(ARGV[6])
local reset = tonumber(ARGV[7])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

-- Pylon counts a request when it arrives, after the client started it: counting it from its
-- answer keeps a slow request from sharing a Pylon window with one started a window later.
-- ZADD without XX: a request slower than a window, or one from before a restart, counts again.
redis.call('ZADD', KEYS[1], now, member)

local function effective_now()
  local hold = redis.call('HMGET', KEYS[2], 'until', 'effective', 'recover')
  if hold[1] and now < tonumber(hold[3]) then
    return math.min(limit, tonumber(hold[2])), tonumber(hold[1])
  end
  return limit, hold[1] and tonumber(hold[1]) or 0
end

-- A 429: no slot before the wait Pylon asked for (one even spacing without it), and 80 % of
-- the limit in force until a window after that, as the in-memory limiter does.
if limited then
  local effective, hold_until = effective_now()
  local wait = retry_after
  if wait < 0 then
    wait = math.floor(window / effective)
  end
  effective = math.max(1, math.floor(effective * 0.8))
  hold_until = math.max(hold_until, now + wait)
  local recover = hold_until + window
  redis.call('HSET', KEYS[2], 'until', hold_until, 'effective', effective, 'recover', recover)
  redis.call('PEXPIRE', KEYS[2], math.ceil((recover - now) / 1000) + 1)
end

-- Headers only ever lower the view: room here beyond what Pylon says is left is counted as
-- sent, at a time that leaves the window at Pylon's reset.
if remaining >= 0 then
  local effective = effective_now()
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  local extra = math.min(effective - redis.call('ZCARD', KEYS[1]) - remaining, limit)
  if extra > 0 then
    if reset < 0 or reset > window then
      reset = window
    end
    local at = now - window + reset
    for i = 1, extra do
      redis.call('ZADD', KEYS[1], at, member .. ':h' .. i)
    end
  end
end
redis.call('PEXPIRE', KEYS[1], math.ceil(2 * window / 1000))
return 1
