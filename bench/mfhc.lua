-- wrk script: a Missing From Home Coordinator's traffic against Homeward.
--
--   wrk -c200 -t2 -d30s -s bench/mfhc.lua http://127.0.0.1:PORT -- MODE TOKEN_FILE IDS_DIR THREADS
--
-- MODE is one of
--   read    list episodes (a page of 50) or read one episode, half and half
--   list    the list alone; one   the one episode alone (to tell their costs apart)
--   create  report an episode for a Leeds person never reported before (risk grading,
--           audit, trigger evaluation, outbox in one transaction)
--   return  an episode's life: report it, activate it, record the return (each with
--           If-Match the version the last answer gave)
--   mixed   40% read one, 25% list, 35% a step of an episode's life as above
--   pages   the web pages, signed in by cookie: the MFHC's worklist or an episode's page,
--           half and half (TOKEN_FILE then holds the `homeward-session=…` cookie)
--   floor   GET /health with the same headers: what the service spends on a request that
--           reaches no database (HTTP, routing, its middleware), the floor under every read
-- IDS_DIR holds episodes.txt and fresh.txt (one id a line) written by bench/load. A
-- person is reported once (one disappearance is one episode), so each report takes the
-- next fresh person, each of the THREADS threads every THREADS-th of them.
-- Any answer other than 200/201 is counted and its first few bodies printed.

local mode, token
local episodes, fresh = {}, {}
local next_fresh, stride = 1, 1
-- Episodes this thread reported and has not activated, and activated and not returned:
-- {id, version}.
local reported, active = {}, {}
local mine = {} -- ids this thread reported and has not yet seen active
local shown = 0

local function lines(path)
  local t = {}
  for l in io.lines(path) do
    if #l > 0 then t[#t + 1] = l end
  end
  return t
end

local thread_count = 0
function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
end

function init(args)
  mode = args[1] or "mixed"
  stride = tonumber(args[4] or "1")
  next_fresh = tid or 1
  local f = assert(io.open(args[2]))
  token = f:read("*l")
  f:close()
  episodes = lines(args[3] .. "/episodes.txt")
  fresh = lines(args[3] .. "/fresh.txt")
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
end

local function stamp(seconds_ago)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() - seconds_ago)
end

local function headers(extra)
  local h = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  for k, v in pairs(extra or {}) do h[k] = v end
  return h
end

local function page()
  local h = { ["Cookie"] = token, ["Accept"] = "text/html" }
  if math.random() < 0.5 then return wrk.format("GET", "/worklist", h) end
  return wrk.format("GET", "/episodes/" .. episodes[math.random(#episodes)], h)
end

local function read_one()
  return wrk.format("GET", "/api/v1/episodes/" .. episodes[math.random(#episodes)], headers())
end

local function list()
  return wrk.format("GET", "/api/v1/episodes?limit=50", headers())
end

local function report()
  local person = fresh[next_fresh]
  assert(person, "bench/mfhc.lua: out of fresh persons (raise BENCH_FRESH_PER_PHASE)")
  next_fresh = next_fresh + stride
  local body = string.format(
    '{"person_id":"%s","reported_at":"%s","reported_by":"parent","reporter_details":"Mother, by phone",' ..
    '"last_seen_at":"%s","last_seen_location":"Roundhay Park","missing_from":"home",' ..
    '"circumstances":"Did not come home from school.",' ..
    '"risk":{"level":"medium","rationale":"Age and time of day.","information":"Call from mother."}}',
    person, stamp(3600), stamp(3 * 3600))
  return wrk.format("POST", "/api/v1/episodes", headers(), body)
end

local function activate()
  local e = table.remove(reported, 1)
  return wrk.format("POST", "/api/v1/episodes/" .. e[1] .. "/status",
    headers({ ["If-Match"] = '"' .. e[2] .. '"' }), '{"status":"active"}')
end

local function record_return()
  local e = table.remove(active, 1)
  local body = string.format(
    '{"returned_at":"%s","location":"Home address","how":"found_by_police","found_by":"PC 99",' ..
    '"harm_suffered":false,"markers_seen":[]}', stamp(600))
  return wrk.format("POST", "/api/v1/episodes/" .. e[1] .. "/return",
    headers({ ["If-Match"] = '"' .. e[2] .. '"' }), body)
end

-- The next step of some episode's life: return one, else activate one, else report one.
local function life_step()
  if #active > 0 then return record_return() end
  if #reported > 0 then return activate() end
  return report()
end

function request()
  if mode == "read" then
    if math.random() < 0.5 then return read_one() else return list() end
  elseif mode == "list" then
    return list()
  elseif mode == "one" then
    return read_one()
  elseif mode == "create" then
    return report()
  elseif mode == "pages" then
    return page()
  elseif mode == "floor" then
    return wrk.format("GET", "/health", headers())
  elseif mode == "return" then
    return life_step()
  else
    local r = math.random()
    if r < 0.40 then return read_one()
    elseif r < 0.65 then return list()
    else return life_step() end
  end
end

function response(status, _, body)
  if (status == 200 or status == 201) and (mode == "return" or mode == "mixed") then
    local id = body:match('"id":"([%x%-]+)"')
    local version = body:match('"version":(%d+)')
    if id and version then
      if status == 201 then
        reported[#reported + 1] = { id, version }
        mine[id] = true
      elseif mine[id] and body:sub(1, 7) == '{"id":"' and body:find('"status":"active"', 1, true) then
        -- One episode's answer (a list's starts otherwise), ours, now active.
        active[#active + 1] = { id, version }
        mine[id] = nil
      end
    end
  elseif status ~= 200 and status ~= 201 then
    if shown < 3 then
      shown = shown + 1
      io.stderr:write("unexpected " .. status .. ": " .. body:sub(1, 300) .. "\n")
    end
  end
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f " ..
    "non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
end
