-- Put back the requests one worker sent while Redis was away, so the window shows them.
-- Loaded by pylon_client/_ratelimit/redis.py; times are microseconds of Redis's own clock.
--
-- KEYS[1] log (see acquire.lua)
-- ARGV: window, then pairs of member and age (how long ago the request completed)
local window = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
for i = 2, #ARGV, 2 do
  local age = tonumber(ARGV[i + 1])
  if age < window then
    redis.call('ZADD', KEYS[1], 'NX', now - age, ARGV[i])
  end
end
redis.call('PEXPIRE', KEYS[1], math.ceil(2 * window / 1000))
return 1
