-- Argo CD health of a quotient.dev License (argocd-cm key
-- resource.customizations.health.quotient.dev_License). It reads only what the operator writes:
-- status.phase, status.runningProjects, status.observedGeneration and the Valid condition.
local hs = {}

local function result(health, message)
  hs.status = health
  hs.message = message
  return hs
end

local status = obj.status
if status == nil or status.phase == nil then
  return result("Progressing", "Waiting for the operator to report the license's status")
end
local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  return result("Progressing", "Waiting for the operator to act on generation " .. generation)
end

-- A quota or pod patch the operator cannot use: projects get the license without that part.
if status.conditions ~= nil then
  for _, c in ipairs(status.conditions) do
    if c.type == "Valid" and c.status == "False" then
      return result("Degraded", (c.reason or "Invalid") .. ": " .. (c.message or ""))
    end
  end
end

local spec = obj.spec or {}
local phase = status.phase
if phase == "Active" then
  local running = 0
  if status.runningProjects ~= nil and status.runningProjects.count ~= nil then
    running = status.runningProjects.count
  end
  local limit = ""
  if spec.runLimit ~= nil then
    limit = " of " .. spec.runLimit
  end
  return result("Healthy", "Active: upgrades " .. running .. limit .. " running projects")
end
if phase == "Pending" then
  return result("Progressing", "Pending: activates at " .. (spec.activates or "a later time"))
end
if phase == "Expired" then
  -- The end of its window, as declared: nothing is broken, it just upgrades nothing now.
  return result("Suspended", "Expired at " .. (spec.expires or "its end")
    .. ": upgrades no project until spec.expires is moved")
end
return result("Unknown", "status.phase " .. phase .. " is not known to this health check")
