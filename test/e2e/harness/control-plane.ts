/**
 * A real, throw-away Kubernetes control plane for end-to-end tests:
 * etcd + kube-apiserver + kube-controller-manager + kube-scheduler, all bound
 * to 127.0.0.1 on free ports, with fresh certificates in a temp dir.
 *
 * Binaries come from test/e2e/controlplane/build.sh (built once from source
 * and cached outside the repo, or taken from KUBEBUILDER_ASSETS).
 *
 * There are no nodes/kubelets: pods are scheduled by nobody's kubelet, but
 * every API object, controller (Deployments -> ReplicaSets -> Pods, Jobs, GC,
 * namespaces, service accounts, ...) and the scheduler behave as in a cluster.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface StartControlPlaneOptions {
  /** Where component logs go. Defaults to $FLUXORA_E2E_LOG_DIR or <tmpDir>/logs (removed by stop()). */
  logDir?: string;
  /** Extra kube-controller-manager flags, e.g. `--kube-api-qps=20` (bench:operator sets the operator's client limits). */
  controllerManagerArgs?: string[];
}

export interface ControlPlane {
  /** Admin kubeconfig (user in group system:masters), certificates embedded. */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  /** Directory holding etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubectl. */
  binDir: string;
  tmpDir: string;
  logDir: string;
  /** Runs kubectl against this control plane (with --kubeconfig). Never rejects on a non-zero exit. */
  kubectl(args: string[], input?: string): Promise<KubectlResult>;
  /** Stops and starts kube-apiserver again, same port, certs and etcd; resolves when /readyz is ok. */
  restartApiServer(): Promise<void>;
  /** Current pids of the processes this control plane runs (one process group each). */
  pids(): Record<string, number>;
  /** Kills every process (whole process groups) and removes tmpDir. Idempotent. */
  stop(): Promise<void>;
  /** JSON-lines audit log of every mutating request (Metadata level: verb, user, userAgent, objectRef). */
  auditLogPath: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
export const BUILD_SCRIPT = path.resolve(here, '../controlplane/build.sh');

const BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'] as const;
const LOG_TAIL_LINES = 40;
const APISERVER_GRACE_MS = 3_000;

// ---------------------------------------------------------------------------
// process bookkeeping shared by every control plane of this Node process
// ---------------------------------------------------------------------------

interface LiveTracker {
  pgids: Set<number>;
  tmpDir: string;
}
const live = new Set<LiveTracker>();
let handlersInstalled = false;

function killGroupSync(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function emergencyCleanup(): void {
  for (const t of live) {
    for (const pgid of t.pgids) killGroupSync(pgid, 'SIGKILL');
    try {
      rmSync(t.tmpDir, { recursive: true, force: true, maxRetries: 3, retryDelay: 50 });
    } catch {
      // the watchdog removes it once this process is gone
    }
  }
  live.clear();
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', emergencyCleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      emergencyCleanup();
      // Nobody else handles it: re-raise with the default disposition so the
      // process still dies of the signal.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

// ---------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------

function run(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        maxBuffer: 256 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 0,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          if (err.killed) {
            resolve({ code: 124, stdout, stderr: `${stderr}\n${cmd} timed out after ${opts.timeoutMs}ms` });
            return;
          }
          reject(new Error(`${cmd} ${args.join(' ')} failed to run: ${err.message}\n${stderr}`));
          return;
        }
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

async function mustRun(cmd: string, args: string[], cwd?: string): Promise<string> {
  const r = await run(cmd, args, { cwd, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

/** Runs build.sh (a no-op when the binaries are cached) and returns the bin dir. */
export async function ensureBinaries(): Promise<string> {
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      // Show build progress (the first build takes a while).
      process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
  if (result.code !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-LOG_TAIL_LINES).join('\n');
    throw new Error(`control-plane build (${BUILD_SCRIPT}) failed with exit code ${result.code}:\n${tail}`);
  }
  const lines = result.stdout.trim().split('\n');
  const dir = lines[lines.length - 1]?.trim();
  if (!dir) throw new Error(`${BUILD_SCRIPT} printed no directory`);
  const binDir = path.join(dir, 'bin');
  for (const b of BINARIES) {
    try {
      accessSync(path.join(binDir, b), constants.X_OK);
    } catch {
      throw new Error(`${BUILD_SCRIPT} reported ${dir} but ${b} is missing from ${binDir}`);
    }
  }
  return binDir;
}

/** Reserves `n` distinct free TCP ports on 127.0.0.1. */
async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => resolve());
      });
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') throw new Error('unexpected server address');
      ports.push(addr.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

async function tail(file: string, lines = LOG_TAIL_LINES): Promise<string> {
  try {
    const text = await readFile(file, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

interface TlsClient {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure?: boolean;
}

function httpsGet(url: string, tls: TlsClient, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      url,
      {
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        rejectUnauthorized: !tls.insecure,
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
    req.on('error', reject);
  });
}

function httpGet(url: string, timeoutMs = 5_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ctrl = AbortSignal.timeout(timeoutMs);
    fetch(url, { signal: ctrl })
      .then(async (res) => resolve({ status: res.status, body: await res.text() }))
      .catch(reject);
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// certificates
// ---------------------------------------------------------------------------

interface Pki {
  caCrt: string;
  caKey: string;
  serverCrt: string;
  serverKey: string;
  adminCrt: string;
  adminKey: string;
  kcmCrt: string;
  kcmKey: string;
  schedCrt: string;
  schedKey: string;
  saKey: string;
  saPub: string;
  frontProxyCaCrt: string;
  frontProxyClientCrt: string;
  frontProxyClientKey: string;
}

async function generatePki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  const p = (f: string) => path.join(dir, f);
  const openssl = (args: string[]) => mustRun('openssl', args, dir);

  const selfSignedCa = (name: string, cn: string) =>
    openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.crt`),
      '-days',
      '3650',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    ]);
  await selfSignedCa('ca', 'fluxora-e2e-ca');
  // Front-proxy (request-header) CA, as kubeadm sets up: lets the delegated
  // authentication of controller-manager, scheduler and aggregated APIs work.
  await selfSignedCa('front-proxy-ca', 'fluxora-e2e-front-proxy-ca');

  const leaf = async (name: string, subj: string, ext: string[], ca = 'ca') => {
    await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subj]);
    await writeFile(p(`${name}.ext`), `${ext.join('\n')}\n`);
    await openssl([
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p(`${ca}.crt`),
      '-CAkey',
      p(`${ca}.key`),
      '-set_serial',
      `0x${randomBytes(12).toString('hex')}`,
      '-days',
      '3650',
      '-sha256',
      '-extfile',
      p(`${name}.ext`),
      '-out',
      p(`${name}.crt`),
    ]);
  };
  const clientExt = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=clientAuth'];

  await leaf('apiserver', '/CN=kube-apiserver', [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1',
  ]);
  await leaf('admin', '/O=system:masters/CN=fluxora-e2e-admin', clientExt);
  await leaf('kube-controller-manager', '/CN=system:kube-controller-manager', clientExt);
  await leaf('kube-scheduler', '/CN=system:kube-scheduler', clientExt);
  await leaf('front-proxy-client', '/CN=front-proxy-client', clientExt, 'front-proxy-ca');

  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('sa.key')]);
  await openssl(['pkey', '-in', p('sa.key'), '-pubout', '-out', p('sa.pub')]);

  return {
    caCrt: p('ca.crt'),
    caKey: p('ca.key'),
    serverCrt: p('apiserver.crt'),
    serverKey: p('apiserver.key'),
    adminCrt: p('admin.crt'),
    adminKey: p('admin.key'),
    kcmCrt: p('kube-controller-manager.crt'),
    kcmKey: p('kube-controller-manager.key'),
    schedCrt: p('kube-scheduler.crt'),
    schedKey: p('kube-scheduler.key'),
    saKey: p('sa.key'),
    saPub: p('sa.pub'),
    frontProxyCaCrt: p('front-proxy-ca.crt'),
    frontProxyClientCrt: p('front-proxy-client.crt'),
    frontProxyClientKey: p('front-proxy-client.key'),
  };
}

async function writeKubeconfig(
  file: string,
  server: string,
  user: string,
  ca: string,
  crt: string,
  key: string,
  embed: boolean,
): Promise<void> {
  const b64 = async (f: string) => (await readFile(f)).toString('base64');
  const caLine = embed ? `certificate-authority-data: ${await b64(ca)}` : `certificate-authority: ${ca}`;
  const crtLine = embed ? `client-certificate-data: ${await b64(crt)}` : `client-certificate: ${crt}`;
  const keyLine = embed ? `client-key-data: ${await b64(key)}` : `client-key: ${key}`;
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fluxora-e2e',
    '  cluster:',
    `    server: ${server}`,
    `    ${caLine}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    ${crtLine}`,
    `    ${keyLine}`,
    'contexts:',
    '- name: fluxora-e2e',
    '  context:',
    '    cluster: fluxora-e2e',
    `    user: ${user}`,
    'current-context: fluxora-e2e',
    '',
  ].join('\n');
  await writeFile(file, yaml, { mode: 0o600 });
}

// ---------------------------------------------------------------------------
// components
// ---------------------------------------------------------------------------

interface Component {
  name: string;
  bin: string;
  args: string[];
  logFile: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  exitInfo?: string;
}

// ---------------------------------------------------------------------------
// startControlPlane
// ---------------------------------------------------------------------------

export async function startControlPlane(opts: StartControlPlaneOptions = {}): Promise<ControlPlane> {
  installExitHandlers();
  const binDir = await ensureBinaries();
  const bin = (b: (typeof BINARIES)[number]) => path.join(binDir, b);

  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'fluxora-e2e-'));
  const tracker: LiveTracker = { pgids: new Set(), tmpDir };
  live.add(tracker);
  const pgidFile = path.join(tmpDir, 'pgids');
  await writeFile(pgidFile, '');

  // A detached watchdog kills everything and removes tmpDir if this Node
  // process dies without running its exit handlers (e.g. SIGKILL).
  const watchdog = spawn(
    'bash',
    [
      '-c',
      `p="$1"; d="$2"
while [ -d "/proc/$p" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$p/status" 2>/dev/null; do sleep 1; done
if [ -f "$d/pgids" ]; then while read -r g; do [ -n "$g" ] && kill -KILL -- "-$g" 2>/dev/null; done < "$d/pgids"; fi
rm -rf "$d"`,
      'fluxora-e2e-watchdog',
      String(process.pid),
      tmpDir,
    ],
    { detached: true, stdio: 'ignore' },
  );
  const watchdogExited = new Promise<void>((resolve) => {
    watchdog.once('exit', () => resolve());
    watchdog.once('error', () => resolve());
  });
  watchdog.unref();
  const watchdogPid = watchdog.pid;
  if (watchdogPid !== undefined) tracker.pgids.add(watchdogPid);

  const logDir = opts.logDir ?? process.env.FLUXORA_E2E_LOG_DIR ?? path.join(tmpDir, 'logs');
  await mkdir(logDir, { recursive: true });

  const components = new Map<string, Component>();
  let stopped = false;

  const startComponent = async (c: Component): Promise<void> => {
    await appendFile(c.logFile, `\n===== ${new Date().toISOString()} starting ${c.bin} ${c.args.join(' ')}\n`);
    const fd = openSync(c.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(c.bin, c.args, { cwd: tmpDir, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid as number));
      child.once('error', reject);
    });
    child.unref();
    c.child = child;
    c.exitInfo = undefined;
    c.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        c.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
        tracker.pgids.delete(pid);
        resolve();
      });
    });
    tracker.pgids.add(pid);
    await appendFile(pgidFile, `${pid}\n`);
  };

  const stopComponent = async (c: Component, graceMs = 10_000): Promise<void> => {
    const child = c.child;
    if (!child || child.pid === undefined || c.exitInfo !== undefined) return;
    const pid = child.pid;
    killGroupSync(pid, 'SIGTERM');
    const done = await Promise.race([c.exited?.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done) {
      killGroupSync(pid, 'SIGKILL');
      await c.exited;
    }
    // Leftovers of the group (none expected: every component is a single process).
    killGroupSync(pid, 'SIGKILL');
  };

  const failure = async (c: Component, what: string): Promise<Error> =>
    new Error(
      `fluxora e2e control plane: ${c.name} ${what}${c.exitInfo ? ` (${c.exitInfo})` : ''}.\n` +
        `Last ${LOG_TAIL_LINES} lines of ${c.logFile}:\n${await tail(c.logFile)}`,
    );

  /** Polls `probe` until it returns true; fails fast if the component exits. */
  const waitFor = async (c: Component, what: string, timeoutMs: number, probe: () => Promise<boolean>) => {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (c.exitInfo !== undefined) throw await failure(c, `died while waiting for ${what}`);
      try {
        if (await probe()) return;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      await sleep(250);
    }
    throw await failure(c, `did not become ready (${what}) within ${timeoutMs / 1000}s${last ? `; last error: ${last}` : ''}`);
  };

  const stopAll = async () => {
    if (stopped) return;
    stopped = true;
    // Reverse start order: scheduler, controller-manager, apiserver, etcd.
    for (const c of [...components.values()].reverse()) {
      await stopComponent(c, c.name === 'kube-apiserver' ? APISERVER_GRACE_MS : 10_000);
    }
    await rm(tmpDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    if (watchdogPid !== undefined) {
      killGroupSync(watchdogPid, 'SIGKILL');
      await Promise.race([watchdogExited, sleep(5_000)]);
    }
    tracker.pgids.clear();
    live.delete(tracker);
  };

  try {
    const pki = await generatePki(path.join(tmpDir, 'pki'));
    const [etcdClient, etcdPeer, apiPort, kcmPort, schedPort] = await freePorts(5);
    const server = `https://127.0.0.1:${apiPort}`;
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const adminTls: TlsClient = {
      ca: readFileSync(pki.caCrt),
      cert: readFileSync(pki.adminCrt),
      key: readFileSync(pki.adminKey),
    };

    const kubeconfigPath = path.join(tmpDir, 'admin.kubeconfig');
    const kcmKubeconfig = path.join(tmpDir, 'kube-controller-manager.kubeconfig');
    const schedKubeconfig = path.join(tmpDir, 'kube-scheduler.kubeconfig');
    await writeKubeconfig(kubeconfigPath, server, 'fluxora-e2e-admin', pki.caCrt, pki.adminCrt, pki.adminKey, true);
    await writeKubeconfig(kcmKubeconfig, server, 'system:kube-controller-manager', pki.caCrt, pki.kcmCrt, pki.kcmKey, false);
    await writeKubeconfig(schedKubeconfig, server, 'system:kube-scheduler', pki.caCrt, pki.schedCrt, pki.schedKey, false);

    const etcdPeerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcd: Component = {
      name: 'etcd',
      bin: bin('etcd'),
      logFile: path.join(logDir, 'etcd.log'),
      args: [
        '--name=fluxora-e2e',
        `--data-dir=${path.join(tmpDir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${etcdPeerUrl}`,
        `--initial-advertise-peer-urls=${etcdPeerUrl}`,
        `--initial-cluster=fluxora-e2e=${etcdPeerUrl}`,
        '--initial-cluster-state=new',
        // Throw-away data: skip fsync, it makes everything much faster on slow disks.
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
    };

    // Metadata-level audit of every mutating request: tests count the writes a client makes.
    const auditPolicy = path.join(tmpDir, 'audit-policy.yaml');
    writeFileSync(
      auditPolicy,
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n    verbs: [create, update, patch, delete, deletecollection]\n  - level: None\n',
    );
    const apiserver: Component = {
      name: 'kube-apiserver',
      bin: bin('kube-apiserver'),
      logFile: path.join(logDir, 'kube-apiserver.log'),
      args: [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${path.join(tmpDir, 'apiserver-certs')}`,
        `--tls-cert-file=${pki.serverCrt}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCrt}`,
        '--authorization-mode=Node,RBAC',
        `--audit-policy-file=${auditPolicy}`,
        `--audit-log-path=${path.join(tmpDir, 'audit.log')}`,
        '--audit-log-format=json',
        '--audit-log-mode=blocking',
        `--requestheader-client-ca-file=${pki.frontProxyCaCrt}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki.frontProxyClientCrt}`,
        `--proxy-client-key-file=${pki.frontProxyClientKey}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        // Endpoints may not hold loopback IPs, so the default "lease" reconciler
        // can only log errors here; the kubernetes Service keeps no endpoints.
        '--endpoint-reconciler-type=none',
        '--allow-privileged=true',
        '--profiling=false',
        '--v=1',
      ],
    };

    const kcm: Component = {
      name: 'kube-controller-manager',
      bin: bin('kube-controller-manager'),
      logFile: path.join(logDir, 'kube-controller-manager.log'),
      args: [
        `--kubeconfig=${kcmKubeconfig}`,
        `--authentication-kubeconfig=${kcmKubeconfig}`,
        `--authorization-kubeconfig=${kcmKubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${kcmPort}`,
        `--cert-dir=${path.join(tmpDir, 'kcm-certs')}`,
        '--controllers=*',
        '--use-service-account-credentials=true',
        `--root-ca-file=${pki.caCrt}`,
        `--service-account-private-key-file=${pki.saKey}`,
        `--cluster-signing-cert-file=${pki.caCrt}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        '--leader-elect=false',
        '--profiling=false',
        '--v=1',
        ...(opts.controllerManagerArgs ?? []),
      ],
    };

    const scheduler: Component = {
      name: 'kube-scheduler',
      bin: bin('kube-scheduler'),
      logFile: path.join(logDir, 'kube-scheduler.log'),
      args: [
        `--kubeconfig=${schedKubeconfig}`,
        `--authentication-kubeconfig=${schedKubeconfig}`,
        `--authorization-kubeconfig=${schedKubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${schedPort}`,
        `--cert-dir=${path.join(tmpDir, 'scheduler-certs')}`,
        '--leader-elect=false',
        '--profiling=false',
        '--v=1',
      ],
    };

    for (const c of [etcd, apiserver, kcm, scheduler]) components.set(c.name, c);

    const apiReady = async () => {
      const r = await httpsGet(`${server}/readyz`, adminTls);
      return r.status === 200 && r.body.trim() === 'ok';
    };

    await startComponent(etcd);
    await waitFor(etcd, `${etcdUrl}/health`, 60_000, async () => {
      const r = await httpGet(`${etcdUrl}/health`);
      return r.status === 200 && /"health":\s*"true"/.test(r.body);
    });

    await startComponent(apiserver);
    await waitFor(apiserver, `${server}/readyz`, 180_000, apiReady);

    await startComponent(kcm);
    await startComponent(scheduler);
    await waitFor(kcm, `https://127.0.0.1:${kcmPort}/healthz`, 120_000, async () => {
      const r = await httpsGet(`https://127.0.0.1:${kcmPort}/healthz`, { insecure: true });
      return r.status === 200 && r.body.trim() === 'ok';
    });
    await waitFor(scheduler, `https://127.0.0.1:${schedPort}/healthz`, 120_000, async () => {
      const r = await httpsGet(`https://127.0.0.1:${schedPort}/healthz`, { insecure: true });
      return r.status === 200 && r.body.trim() === 'ok';
    });

    const kubectlEnv = { ...process.env, KUBECONFIG: kubeconfigPath };
    const cp: ControlPlane = {
      kubeconfigPath,
      auditLogPath: path.join(tmpDir, 'audit.log'),
      server,
      binDir,
      tmpDir,
      logDir,
      kubectl: (args, input) =>
        run(bin('kubectl'), [`--kubeconfig=${kubeconfigPath}`, ...args], {
          input,
          env: kubectlEnv,
          timeoutMs: 300_000,
        }),
      restartApiServer: async () => {
        if (stopped) throw new Error('control plane is stopped');
        // The apiserver stops listening at once on SIGTERM but then waits up to
        // 60s for HTTP/2 watch streams of the controllers: don't wait that long.
        await stopComponent(apiserver, APISERVER_GRACE_MS);
        await startComponent(apiserver);
        await waitFor(apiserver, `${server}/readyz`, 180_000, apiReady);
      },
      pids: () => {
        const out: Record<string, number> = {};
        for (const c of components.values()) {
          if (c.child?.pid !== undefined && c.exitInfo === undefined) out[c.name] = c.child.pid;
        }
        if (watchdogPid !== undefined && !stopped) out['watchdog'] = watchdogPid;
        return out;
      },
      stop: stopAll,
    };
    return cp;
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }
}
