-- Pause the shared window of a prefix for every worker: a worker back from pacing on its own.
-- Loaded by pylon_client/_ratelimit/redis.py (a script, so that every Redis client the limiter
-- may talk through needs to run scripts and nothing else).
--
-- KEYS[1] paused (see acquire.lua)
-- ARGV: the pause in milliseconds
redis.call('SET', KEYS[1], '1', 'PX', tonumber(ARGV[1]))
return 1
