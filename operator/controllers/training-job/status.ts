import { failureHealth, type Health, trainingFieldsFromSummary } from '../../../runtime/pipeline/status.ts';
import type { TrainingJobResource } from '../../../runtime/pipeline/resources.ts';
import { readSummary, type TrainSummary, trainSummary, trialSummary } from '../../../runtime/contract/summaries.ts';
import { failureText, type ObservedJob, parseSummary, succeededSummary } from '../shared/observed.ts';

/** LiveProgress is what a running training pod reports on its progress endpoint. */
export interface LiveProgress {
  epoch: number;
  epochs: number;
  loss?: number;
  valLoss?: number;
}

const sig = (v: number | undefined) => (v === undefined ? undefined : Number(v.toPrecision(4)));

/** epochFields are the progress fields and message of a live reading (losses to 4 significant digits). */
function epochFields(live: LiveProgress | undefined): { fields: Record<string, number>; text: string } {
  if (!live) return { fields: {}, text: '' };
  const fields: Record<string, number> = { epoch: live.epoch, epochs: live.epochs };
  if (live.loss !== undefined) fields.loss = sig(live.loss) as number;
  if (live.valLoss !== undefined) fields.valLoss = sig(live.valLoss) as number;
  const val = live.valLoss === undefined ? '' : `, validation loss ${sig(live.valLoss)}`;
  return { fields, text: `epoch ${live.epoch}/${live.epochs}${val}` };
}

/** trialValue is a finished trial's objective value, for the progress line; a trial summary the contract rejects shows no value (the final training reports it). */
function trialValue(message: string | undefined): number | undefined {
  const parsed = parseSummary(message);
  if (!parsed) return undefined;
  try {
    return readSummary(trialSummary, parsed).objective.value;
  } catch {
    return undefined;
  }
}

/**
 * trainingJobStatus builds a TrainingJob's status from its Jobs: trials progress
 * from the Indexed Job, metrics, baseline, coverage and the registered version from
 * the final Job's termination message; a failed pod's message becomes the
 * Stalled condition's message. Job deadlines bound every wait. `live` is the
 * running pod's latest epoch (during tuning: the lowest running trial's).
 */
export function trainingJobStatus(
  tj: TrainingJobResource,
  trials: ObservedJob | undefined,
  train: ObservedJob | undefined,
  live?: LiveProgress,
): { health: Health; fields: Record<string, unknown> } {
  const tuning = tj.spec.tuning;
  const startTime = trials?.startTime ?? train?.startTime;
  const trialFields = tuning && trials ? { trials: { completed: trials.succeeded, total: tuning.trials } } : {};
  if (trials?.failed && !trials.complete && trials.succeeded === 0) {
    return { health: failureHealth('TrialsFailed', failureText(trials)), fields: { phase: 'Failed', jobName: trials.name, startTime, ...trialFields } };
  }
  if (train?.failed) {
    return { health: failureHealth('TrainingFailed', failureText(train)), fields: { phase: 'Failed', jobName: train.name, startTime, ...trialFields } };
  }
  if (train?.complete) {
    const read = succeededSummary(train, trainSummary);
    if (!('summary' in read)) return { health: failureHealth(read.reason, read.message), fields: { phase: 'Failed', jobName: train.name } };
    const summary: TrainSummary = read.summary;
    return {
      health: { state: 'Ready', reason: 'Succeeded', message: `registered ${summary.model.name} version ${summary.model.version}` },
      fields: { ...trainingFieldsFromSummary(summary), phase: 'Succeeded', jobName: train.name, startTime, completionTime: train.completionTime },
    };
  }
  if (tuning && !train) {
    const done = trials?.succeeded ?? 0;
    const values = (trials?.terminated ?? [])
      .map((t) => (t.exitCode === 0 ? trialValue(t.message) : undefined))
      .filter((v): v is number => typeof v === 'number');
    const best = values.length === 0 ? undefined : tuning.objective.goal === 'minimize' ? Math.min(...values) : Math.max(...values);
    const epoch = epochFields(live);
    const bestText = best === undefined ? '' : `, best ${tuning.objective.metric} ${Number(best.toPrecision(6))}`;
    return {
      health: { state: 'Progressing', reason: 'Tuning', message: `${done}/${tuning.trials} trials finished${bestText}${epoch.text ? `; running trial at ${epoch.text}` : ''}` },
      fields: {
        phase: trials ? 'Running' : 'Pending',
        jobName: trials?.name,
        startTime,
        ...trialFields,
        progress: { trial: done, trials: tuning.trials, ...(best === undefined ? {} : { bestMetric: Number(best.toPrecision(6)) }), ...epoch.fields },
      },
    };
  }
  const epoch = epochFields(train ? live : undefined);
  return {
    health: { state: 'Progressing', reason: 'Training', message: `Job ${train?.name ?? '(creating)'} is running${epoch.text ? `: ${epoch.text}` : ''}` },
    fields: { phase: train ? 'Running' : 'Pending', jobName: train?.name, startTime, ...trialFields, ...(epoch.text ? { progress: epoch.fields } : {}) },
  };
}
