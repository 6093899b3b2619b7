-- Take a slot of one endpoint of one organization, atomically, or say how long to wait.
-- Loaded by pylon_client/_ratelimit/redis.py; times are microseconds of Redis's own clock, so
-- workers on hosts whose clocks differ still share one window.
--
-- KEYS[1] log      ZSET member -> time counted (start, moved to completion by settle.lua)
-- KEYS[2] hold     HASH until, effective, recover: the hold-back of a 429 (see settle.lua)
-- KEYS[3] workers  ZSET worker id -> last seen, for the share each takes when Redis is away
-- KEYS[4] epoch    STRING: an id drawn when this Redis first served this prefix
-- KEYS[5] paused   STRING: present for one window after this Redis lost its data, or after
--                  a worker came back from pacing on its own (see _ratelimit/redis.py)
-- ARGV: limit, window, member, worker, known epoch ('' if none), fresh epoch, recent ('1' if
--       the caller reached Redis less than a window ago: its history still counts)
-- Returns {1, now, workers, epoch} or {0, wait, workers, epoch}.
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local member, worker, known, fresh = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local recent = ARGV[7] == '1'
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local ttl = math.ceil(2 * window / 1000)

-- A missing or different epoch means this Redis lost what it held (a restart without
-- persistence, a flush, a failover to an empty replica). A caller that was here less than a
-- window ago knows requests were sent that the window no longer shows: hold everyone back for a
-- window, so nothing sent before the loss can share a Pylon window with what comes after.
local epoch = redis.call('GET', KEYS[4])
if not epoch then
  epoch = fresh
  redis.call('SET', KEYS[4], epoch, 'PX', ttl)
else
  redis.call('PEXPIRE', KEYS[4], ttl)
end
if recent and known ~= '' and known ~= epoch then
  redis.call('SET', KEYS[5], '1', 'PX', math.ceil(window / 1000))
end

redis.call('ZADD', KEYS[3], now, worker)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 2 * window)
redis.call('PEXPIRE', KEYS[3], ttl)
local workers = redis.call('ZCARD', KEYS[3])

local paused = redis.call('PTTL', KEYS[5])
if paused > 0 then
  return {0, paused * 1000, workers, epoch}
end

local ready = 0
local effective = limit
local hold = redis.call('HMGET', KEYS[2], 'until', 'effective', 'recover')
if hold[1] then
  ready = tonumber(hold[1])
  if now < tonumber(hold[3]) then
    effective = math.min(limit, tonumber(hold[2]))
  end
end

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= effective then
  local kth = redis.call('ZRANGE', KEYS[1], count - effective, count - effective, 'WITHSCORES')
  ready = math.max(ready, tonumber(kth[2]) + window)
end
if ready > now then
  return {0, ready - now, workers, epoch}
end
redis.call('ZADD', KEYS[1], now, member)
redis.call('PEXPIRE', KEYS[1], ttl)
return {1, now, workers, epoch}
