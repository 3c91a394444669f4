-- Argo CD health of a Fluxora resource (Dataset, FeatureSet, TrainingJob,
-- ModelDeployment, DriftMonitor), read from the kstatus-compatible conditions
-- the operator writes: Healthy when Ready=True for the current generation;
-- Degraded when Stalled=True or Ready=False with a failure reason; Progressing
-- otherwise (including while the operator has not observed the latest spec).
local failures = {
  ProfileFailed = true, ValidationFailed = true, NoProfile = true, TrainingFailed = true,
  TrialsFailed = true, NoResult = true, RolloutFailed = true, CheckFailed = true,
  ServeFailed = true, DriftCheckFailed = true, InvalidSpec = true,
}
local hs = { status = "Progressing", message = "Waiting for the operator" }
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local generation = obj.metadata and obj.metadata.generation
local observed = obj.status.observedGeneration
if generation ~= nil and (observed == nil or observed < generation) then
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation)
  return hs
end
local ready, stalled
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then ready = c end
  if c.type == "Stalled" then stalled = c end
end
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = (stalled.reason or "Stalled") .. ": " .. (stalled.message or "")
  return hs
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or ""
  return hs
end
if ready ~= nil and ready.status == "False" and ready.reason ~= nil and failures[ready.reason] then
  hs.status = "Degraded"
  hs.message = ready.reason .. ": " .. (ready.message or "")
  return hs
end
if ready ~= nil then
  hs.message = (ready.reason or "") .. ": " .. (ready.message or "")
end
return hs
