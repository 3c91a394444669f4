import { runPipeline } from '../runtime/run/run.ts';
import type { Serving } from '../runtime/roles/serve.ts';
import { type Command, UsageError } from './command.ts';

function curlExamples(servers: Serving[], apiKeys: Map<string, string>, inputs: Map<string, number>, stateDir: string): string {
  const lines: string[] = [];
  for (const s of servers) {
    const key = apiKeys.get(s.deploymentName);
    const auth = key ? ` -H 'authorization: Bearer ${key}'` : '';
    const width = inputs.get(s.deploymentName) ?? 1;
    const row = Array.from({ length: width }, () => 0);
    lines.push(
      `# ${s.deploymentName}: model ${s.model.name} v${s.model.version}`,
      `curl -s ${s.url}/v2/health/ready`,
      `curl -s ${s.url}/v2/models/${s.model.name}${auth}`,
      `curl -s ${s.url}/v2/models/${s.model.name}/infer${auth} -H 'content-type: application/json' \\`,
      `  -d '{"id":"1","inputs":[{"name":"features","shape":[1,${width}],"datatype":"FP32","data":${JSON.stringify(row)}}]}'`,
      `curl -s ${s.url}/v1/forecast${auth} -H 'content-type: application/json' -d @${stateDir}/forecast-request-${s.deploymentName}.json`,
      `curl -s ${s.url}/v1/timeseries/forecast${auth} -H 'content-type: application/json' -d @${stateDir}/timeseries-request-${s.deploymentName}.json`,
      `curl -s ${s.url}/metrics | grep fluxora_`,
    );
  }
  return lines.join('\n');
}

/** runCommand is `fluxora run -f PATH`: the whole pipeline on this machine. */
export const runCommand: Command = {
  name: 'run',
  summary: 'Run manifests on this machine: profile, train, serve and check drift, no cluster needed',
  help: `Usage: fluxora run -f PATH [--serve [--port N] [--console-port N | --no-console]] [-o table|json] [--state-dir DIR] [--fresh]

Validates the manifests in PATH (a file or directory) with the same schemas the
cluster uses, resolves their references, and runs the same role code the
operator runs in pods, in dependency order: profiles each Dataset, resolves
FeatureSets, trains each TrainingJob (tuning trials in parallel processes),
serves each ModelDeployment on localhost, replays recent rows of the data
through it as forecast requests, and runs each DriftMonitor. It ends with a
status table (or a JSON List) and exits 1 if any resource is not Ready.

With no database configured (FLUXORA_DATABASE_URL), an embedded PostgreSQL is
started under the state directory and kept, so registered models and versions
persist between runs. API keys come from Secret manifests in PATH or are
generated for the run.

With --serve, the web console (resources live, training curves and backtests,
forecasts with intervals against observed load, drift scores, the registry) is
served from the start of the run on --console-port; its URL is printed with a
token for the run (the deployments' API keys are accepted too).

Options:
  -f, --filename PATH   manifests to run (file or directory)
  --serve               keep the inference servers running and print example requests
  --port N              first port to serve on (default 8080; 0 picks free ports)
  --console-port N      port of the web console with --serve (default 8090; 0 picks a free port)
  --no-console          do not serve the web console
  --host H              address to listen on (default 127.0.0.1)
  -o, --output FORMAT   table (default) or json
  --state-dir DIR       state directory (default .fluxora)
  --fresh               empty the state directory first (the local model registry with it)
  --replay N            forecast requests replayed before drift checks (default 250)
  -h, --help            show this help`,
  options: {
    filename: { type: 'string', short: 'f' },
    serve: { type: 'boolean' },
    port: { type: 'string' },
    'console-port': { type: 'string' },
    'no-console': { type: 'boolean' },
    host: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'state-dir': { type: 'string' },
    fresh: { type: 'boolean' },
    replay: { type: 'string' },
  },
  async run(values) {
    const path = values.filename as string | undefined;
    if (!path) throw new UsageError('-f PATH is required');
    const output = (values.output as string | undefined) ?? 'table';
    if (output !== 'table' && output !== 'json') throw new UsageError(`-o must be table or json, got "${output}"`);
    const port = Number((values.port as string | undefined) ?? (values.serve ? 8080 : 0));
    const replay = Number((values.replay as string | undefined) ?? 250);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, got "${values.port}"`);
    if (!Number.isInteger(replay) || replay < 0) throw new UsageError(`--replay must be a count, got "${values.replay}"`);
    const consolePort = Number((values['console-port'] as string | undefined) ?? 8090);
    if (!Number.isInteger(consolePort) || consolePort < 0 || consolePort > 65535) throw new UsageError(`--console-port must be a port number, got "${values['console-port']}"`);
    if (values['console-port'] !== undefined && (values['no-console'] || !values.serve)) throw new UsageError('--console-port needs --serve and no --no-console');
    const stateDir = (values['state-dir'] as string | undefined) ?? '.fluxora';
    const result = await runPipeline({
      path,
      stateDir,
      fresh: Boolean(values.fresh),
      serve: Boolean(values.serve),
      port,
      host: (values.host as string | undefined) ?? '127.0.0.1',
      output,
      replay,
      consolePort: values.serve && !values['no-console'] ? consolePort : undefined,
      env: process.env,
    });
    if (!values.serve || result.servers.length === 0) {
      await result.close();
      return result.exitCode;
    }
    const inputs = new Map<string, number>();
    for (const s of result.servers) {
      const res = await fetch(`${s.url}/v2/models/${s.model.name}`, {
        headers: result.apiKeys.has(s.deploymentName) ? { authorization: `Bearer ${result.apiKeys.get(s.deploymentName)}` } : {},
      });
      const meta = (await res.json()) as { inputs?: { shape: number[] }[] };
      inputs.set(s.deploymentName, meta.inputs?.[0]?.shape?.[1] ?? 1);
    }
    await printForecast(result.servers[0], result.apiKeys.get(result.servers[0].deploymentName), stateDir);
    const consoleLine = result.console ? `\nWeb console: ${result.console.url}/#token=${result.console.token}\n` : '';
    process.stdout.write(`${consoleLine}\nServing. Try:\n\n${curlExamples(result.servers, result.apiKeys, inputs, stateDir)}\n\nPress Ctrl-C to stop.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    process.stderr.write('Draining...\n');
    await result.close();
    return result.exitCode;
  },
};

/** printForecast asks the first server to forecast the last horizon of the data from the history before it, and prints it. */
async function printForecast(s: Serving, key: string | undefined, stateDir: string): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  const body = await readFile(`${stateDir}/forecast-request-${s.deploymentName}.json`, 'utf8').catch(() => undefined);
  if (!body) return;
  const res = await fetch(`${s.url}/v1/forecast`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body,
  });
  if (!res.ok) return;
  const f = (await res.json()) as { coverage: number; forecasts: { timestamp: string; value: number; lower: number; upper: number }[] };
  const rows = f.forecasts.map((p) => `  ${p.timestamp}  ${p.value.toFixed(1).padStart(9)}  [${p.lower.toFixed(1)}, ${p.upper.toFixed(1)}]`);
  process.stdout.write(`\nForecast of ${s.model.name} v${s.model.version} for the data's last ${f.forecasts.length} steps, from the history before them (${Math.round(f.coverage * 100)}% intervals):\n\n${rows.join('\n')}\n`);
}
