-- Requests the paths given after `--` in turn (wrk ... URL -- /a /b ...): several endpoints
-- under one load. The report at the end is wrk_report.lua's, beside this file.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk_report.lua")

local paths, position = {}, 0

init = function(args)
  for _, path in ipairs(args) do
    paths[#paths + 1] = path
  end
end

request = function()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end
