import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeRoleConfig, type TrainConfig } from '../contract/config.ts';

const CLI = fileURLToPath(new URL('../../bin/fluxora.mjs', import.meta.url));

/** TrialProgress is one progress event parsed from a trial process's structured log. */
export interface TrialProgress {
  trial: number;
  epoch?: number;
  epochs?: number;
  loss?: number;
  done?: boolean;
  value?: number;
}

/**
 * runTrialsInProcesses runs a TrainingJob's tuning trials as `fluxora train
 * --trial N` child processes, `parallelism` at a time: the same command an
 * Indexed Job's pods run. It parses their JSON logs for progress and rejects with
 * the first failure's last log line once all running trials ended.
 */
export async function runTrialsInProcesses(
  config: TrainConfig,
  opts: { stateDir: string; env: Record<string, string | undefined>; onProgress: (p: TrialProgress) => void },
): Promise<{ failed: { trial: number; message: string }[] }> {
  const tuning = config.trainingJob.spec.tuning;
  if (!tuning) return { failed: [] };
  const file = join(opts.stateDir, `train-${config.trainingJob.namespace}-${config.trainingJob.name}.json`);
  await writeFile(file, serializeRoleConfig(config));
  const failed: { trial: number; message: string }[] = [];
  let next = 0;
  const runOne = (trial: number) =>
    new Promise<void>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'train', '--config', file, '--trial', String(trial), '--progress-port', '0'], {
        env: { ...opts.env, FLUXORA_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let lastError = '';
      let buffered = '';
      child.stdout.resume();
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        buffered += chunk;
        let nl = buffered.indexOf('\n');
        while (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          nl = buffered.indexOf('\n');
          try {
            const rec = JSON.parse(line) as Record<string, unknown>;
            if (rec.msg === 'Epoch finished') opts.onProgress({ trial, epoch: rec.epoch as number, epochs: rec.epochs as number, loss: rec.loss as number });
            else if (rec.msg === 'Trial finished') opts.onProgress({ trial, done: true, value: rec.value as number });
            if ((rec.level as number) >= 50) lastError = String(rec.msg);
          } catch {
            if (line.trim()) lastError = line.trim();
          }
        }
      });
      child.on('close', (code) => {
        if (code !== 0) failed.push({ trial, message: lastError || `exit code ${code}` });
        resolve();
      });
    });
  const worker = async () => {
    while (next < tuning.trials) await runOne(next++);
  };
  await Promise.all(Array.from({ length: Math.min(tuning.parallelism, tuning.trials) }, worker));
  return { failed };
}
