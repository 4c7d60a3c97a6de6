-- Argo CD health of a quotient.dev Project (argocd-cm key
-- resource.customizations.health.quotient.dev_Project). It reads only what the operator writes:
-- status.phase, status.message, status.observedGeneration and the conditions.
local hs = {}

local function condition(status, type)
  if status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function result(health, message)
  hs.status = health
  hs.message = message
  return hs
end

local status = obj.status
if status == nil or status.phase == nil then
  return result("Progressing", "Waiting for the operator to report the project's status")
end
-- A status written for an older spec says nothing about the spec Argo CD just applied.
local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  return result("Progressing", "Waiting for the operator to act on generation " .. generation)
end

local phase = status.phase
local message = status.message or phase
-- Conditions that no waiting resolves: an admin (or a newer operator) has to act.
local ready = condition(status, "Ready")
if ready ~= nil and ready.status == "False"
    and (ready.reason == "ProjectIdInUse" or ready.reason == "SpecInvalid" or ready.reason == "ReconcileError") then
  return result("Degraded", ready.reason .. ": " .. (ready.message or message))
end

if phase == "Running" or phase == "Succeeded" then
  return result("Healthy", message)
end
if phase == "WaitingForResources" then
  local admitted = condition(status, "QuotaAdmitted")
  if admitted ~= nil and admitted.reason == "NeverFits" then
    -- Bigger than the limit even when nothing else runs: no amount of waiting starts it.
    return result("Degraded", message)
  end
  return result("Progressing", message)
end
if phase == "Starting" or phase == "Stopping" then
  return result("Progressing", message)
end
if phase == "Failed" then
  return result("Degraded", message)
end
if phase == "Stopped" then
  local desired = "Running"
  if obj.spec ~= nil and obj.spec.desiredState ~= nil then
    desired = obj.spec.desiredState
  end
  if desired == "Stopped" then
    -- What the manifest declares: the stop is the healthy state.
    return result("Healthy", message)
  end
  -- Declared Running but stopped by a timer (idle, GPU idle, max duration): asleep, not broken;
  -- activity starts it again.
  return result("Suspended", message)
end
return result("Unknown", "status.phase " .. phase .. " is not known to this health check")
