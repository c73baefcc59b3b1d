// The shared budget's own keys beside @effect/experimental's bucket, as Lua scripts so each step
// is atomic across collectors. They write the bucket's two keys too (the store keeps its refill
// time at `<key>:refill`, as of @effect/experimental 0.61): a pause or a decrease empties it.
// Times in ARGV are the collectors' Clock; registrations alone use Redis's TIME.

export const SCRIPTS = {
  // KEYS: collectors, bucket, refill, rate, throttle. ARGV: id, ttl, keep, now (Clock), first.
  // The first collector of a budget starts it over: one token (slow start), no lowered rate.
  register: `
local t = redis.call("TIME")
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", now)
if ARGV[5] == "1" and redis.call("ZCARD", KEYS[1]) == 0 then
  redis.call("SET", KEYS[2], 1)
  redis.call("SET", KEYS[3], ARGV[4])
  redis.call("DEL", KEYS[4], KEYS[5])
end
redis.call("ZADD", KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
for i = 1, #KEYS do redis.call("PEXPIRE", KEYS[i], ARGV[3]) end
return redis.call("ZCARD", KEYS[1])`,
  // KEYS: pause, epoch, rate, collectors, bucket, refill. ARGV: now, target, climb, burst, pace, keep.
  // Applies the climb the collector earned since its last call. A full bucket drops the part of a
  // token it has accrued, as ours does: the store keeps it, which lets burst + 1 go within one refill.
  state: `
local now = tonumber(ARGV[1])
local target = tonumber(ARGV[2])
local rate = tonumber(redis.call("GET", KEYS[3]))
if rate and tonumber(ARGV[3]) > 0 then
  rate = rate + tonumber(ARGV[3])
  if rate >= target then
    redis.call("DEL", KEYS[3])
    rate = nil
  else
    redis.call("SET", KEYS[3], string.format("%.17g", rate), "PX", ARGV[6])
  end
end
local burst = tonumber(ARGV[4])
local refill_ms = 1000 / ((rate or target) * tonumber(ARGV[5]))
local current = tonumber(redis.call("GET", KEYS[5]))
local last = tonumber(redis.call("GET", KEYS[6]))
if current and last and now > last and current + math.floor((now - last) / refill_ms) >= burst then
  redis.call("SET", KEYS[5], burst)
  redis.call("SET", KEYS[6], ARGV[1])
end
local t = redis.call("TIME")
local server = t[1] * 1000 + math.floor(t[2] / 1000)
return {
  redis.call("GET", KEYS[1]) or "",
  redis.call("GET", KEYS[2]) or "0",
  rate and string.format("%.17g", rate) or "",
  redis.call("ZCOUNT", KEYS[4], server, "+inf")
}`,
  // KEYS: pause, epoch, bucket, refill. ARGV: until, px, keep.
  // Overlapping pauses extend, never shorten. The bucket comes out of the pause empty and refills
  // from its end; the epoch tells waiters that the token they hold was swept away with it.
  pause: `
local current = tonumber(redis.call("GET", KEYS[1]))
if current and current >= tonumber(ARGV[1]) then return 0 end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
redis.call("INCR", KEYS[2])
redis.call("PEXPIRE", KEYS[2], ARGV[3])
redis.call("SET", KEYS[3], 0)
redis.call("SET", KEYS[4], ARGV[1])
return 1`,
  // KEYS: rate, throttle, bucket, refill. ARGV: now, target, beta, floor, same, recur, adaptive, keep.
  // Returns { new event, decreased, rate }: every collector sees the same 429 event, one decreases.
  throttled: `
local now = tonumber(ARGV[1])
local rate = tonumber(redis.call("GET", KEYS[1])) or tonumber(ARGV[2])
local last = tonumber(redis.call("GET", KEYS[2]))
if last and now - last < tonumber(ARGV[5]) then return { 0, 0, string.format("%.17g", rate) } end
redis.call("SET", KEYS[2], ARGV[1], "PX", ARGV[8])
if ARGV[7] ~= "1" or not last or now - last > tonumber(ARGV[6]) then return { 1, 0, string.format("%.17g", rate) } end
rate = math.max(tonumber(ARGV[4]), rate * tonumber(ARGV[3]))
redis.call("SET", KEYS[1], string.format("%.17g", rate), "PX", ARGV[8])
local current = tonumber(redis.call("GET", KEYS[3]))
if not current or current > 0 then redis.call("SET", KEYS[3], 0) end
local refill = tonumber(redis.call("GET", KEYS[4]))
if not refill or refill < now then redis.call("SET", KEYS[4], ARGV[1]) end
return { 1, 1, string.format("%.17g", rate) }`
} as const

export const KEY_COUNT: Record<keyof typeof SCRIPTS, number> = { register: 5, state: 6, pause: 4, throttled: 4 }
