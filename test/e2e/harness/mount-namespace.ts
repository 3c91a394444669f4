/**
 * Mounts at absolute paths that programs read directly, the way a container
 * sees them: the service-account volume at
 * /var/run/secrets/kubernetes.io/serviceaccount, which
 * @kubernetes/client-node's loadFromCluster (like client-go's
 * rest.InClusterConfig) opens by that path and which no argument or
 * variable names, so the agent's path rewriting cannot reach it.
 *
 * A container with such mounts runs in a private mount namespace:
 * `unshare -m --propagation private sh mounts.sh`, where the script covers
 * the run directory (`readlink -f /var/run`, /run on current systems) with
 * a tmpfs that holds the host's entries again (directories and files bind
 * mounted, symlinks copied: sockets and a resolv.conf pointing into /run
 * keep working) except `secrets`, bind-mounts each volume's local directory
 * at its path below it, read-only as the kubelet mounts projected volumes,
 * and then `exec`s the container's command. unshare and sh exec in place,
 * so the process the agent spawned is the container's process: same pid and
 * process group, its signals, exit code and termination message. Nothing
 * changes on the host; the mounts vanish with the namespace's last process.
 *
 * This needs root (CAP_SYS_ADMIN), or else unprivileged user namespaces
 * (`unshare -r -m`). Where neither works, mountNamespaceSupport() says why,
 * and the pod worker reports the container as CreateContainerError with that
 * reason instead of running it without its credentials.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * START_FAILURE starts the termination message of a container whose mounts
 * could not be set up or whose executable does not exist (exit code 128,
 * reported as StartError, as without the namespace).
 */
export const START_FAILURE = 'fluxora test node: container start failed';

/** ISOLATED_MOUNT_ROOTS are the mount paths (and everything below them) that need a mount namespace. */
export const ISOLATED_MOUNT_ROOTS = ['/var/run/secrets', '/run/secrets'];

/** NamespaceMount is one volume bind-mounted at its container path inside the namespace. */
export interface NamespaceMount {
  /** The container path, e.g. /var/run/secrets/kubernetes.io/serviceaccount. */
  mountPath: string;
  /** The volume's local directory (or subPath) on the host. */
  local: string;
}

/** needsMountNamespace tells whether a container path can only be served by a real mount. */
export function needsMountNamespace(mountPath: string): boolean {
  return ISOLATED_MOUNT_ROOTS.some((root) => mountPath === root || mountPath.startsWith(`${root}/`));
}

/** relativeToRun turns /var/run/x or /run/x into x (both are the run directory on the host). */
function relativeToRun(mountPath: string): string {
  for (const prefix of ['/var/run/', '/run/']) if (mountPath.startsWith(prefix)) return mountPath.slice(prefix.length);
  throw new Error(`mount path ${mountPath} is not below /var/run or /run`);
}

// mounts.sh. $1: a host directory (empty) that the host's run directory is bound to;
// $2: the termination-message file (the reason of a failed set-up);
// then pairs of (path below the run directory, local directory), `--`, argv.
const SCRIPT = `
# A signal during the set-up reaches the helpers too (one process group): note
# it, let sh reap them (an orphan would be a zombie of the host's init, alive
# to kill -0), then die of it.
signalled=
trap 'signalled=TERM' TERM
trap 'signalled=INT' INT
trap 'signalled=HUP' HUP
die_if_signalled() { trap - TERM INT HUP; [ -z "$signalled" ] || kill -s "$signalled" $$; }
fail() { die_if_signalled; printf '${START_FAILURE}: %s\\n' "$1" | tee "$term" >&2; exit 128; }
hostrun=$1; term=$2; shift 2
run=$(readlink -f /var/run) || fail "readlink /var/run"
mount --rbind "$run" "$hostrun" || fail "bind $run"
mount -t tmpfs -o mode=0755 fluxora-run "$run" || fail "tmpfs on $run"
for e in "$hostrun"/* "$hostrun"/.[!.]* "$hostrun"/..?*; do
  [ -e "$e" ] || [ -L "$e" ] || continue
  n=\${e##*/}
  [ "$n" = secrets ] && continue
  if [ -L "$e" ]; then cp -P "$e" "$run/$n" || fail "copy $run/$n"
  elif [ -d "$e" ]; then mkdir -p "$run/$n" && mount --rbind "$e" "$run/$n" || fail "bind $run/$n"
  else : > "$run/$n" && mount --bind "$e" "$run/$n" || fail "bind $run/$n"
  fi
done
while [ "$1" != -- ]; do
  mkdir -p "$run/$1" && mount --bind "$2" "$run/$1" && mount -o remount,bind,ro "$run/$1" || fail "bind $2 at $run/$1"
  shift 2
done
shift
command -v -- "$1" >/dev/null 2>&1 || fail "exec $1: ENOENT (no such executable)"
die_if_signalled
exec "$@"
`;

/**
 * inMountNamespace wraps argv so that it runs with mounts bound at their
 * container paths, with the unshare flags mountNamespaceSupport found. It
 * writes the set-up script (`mounts.sh`) and an empty `host-run` directory
 * (the namespace binds the host's run directory to it) into containerDir;
 * `terminationFile` receives the reason when the set-up fails (exit code
 * 128).
 */
export async function inMountNamespace(
  argv: string[],
  mounts: NamespaceMount[],
  containerDir: string,
  terminationFile: string,
  unshareFlags: string[] = ['-m'],
): Promise<string[]> {
  const script = path.join(containerDir, 'mounts.sh');
  const hostRunDir = path.join(containerDir, 'host-run');
  await mkdir(hostRunDir, { recursive: true, mode: 0o755 });
  await writeFile(script, SCRIPT, { mode: 0o644 });
  const pairs = mounts.flatMap((m) => [relativeToRun(m.mountPath), m.local]);
  return ['unshare', ...unshareFlags, '--propagation', 'private', 'sh', script, hostRunDir, terminationFile, ...pairs, '--', ...argv];
}

/**
 * inContainerMounts makes a host command (exec probe, preStop hook) see the
 * mounts of the container process pid, entering its user namespace first
 * when it has one (`unshare -r`).
 */
export function inContainerMounts(pid: number, argv: string[], userNamespace: boolean): string[] {
  return ['nsenter', ...(userNamespace ? [`--user=/proc/${pid}/ns/user`, '--preserve-credentials'] : []), `--mount=/proc/${pid}/ns/mnt`, '--', ...argv];
}

/** MountNamespaceSupport says how this host makes a private mount namespace, or why it cannot. */
export type MountNamespaceSupport = { unshareFlags: string[] } | { reason: string };

let support: Promise<MountNamespaceSupport> | undefined;

const tryUnshare = (flags: string[]) =>
  new Promise<string | undefined>((resolve) => {
    execFile('unshare', [...flags, '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs fluxora-probe /mnt'], { timeout: 10_000 }, (err, _stdout, stderr) =>
      resolve(err ? (stderr || err.message).trim() : undefined),
    );
  });

/**
 * mountNamespaceSupport finds, once per process, the unshare flags that give
 * a private mount namespace here: `-m` as root (CAP_SYS_ADMIN), else `-r -m`
 * (a user namespace mapping the current user to root, where the kernel
 * allows unprivileged user namespaces; the process then sees itself as uid
 * 0). Otherwise it says why neither works.
 */
export function mountNamespaceSupport(): Promise<MountNamespaceSupport> {
  support ??= (async () => {
    const asRoot = await tryUnshare(['-m']);
    if (asRoot === undefined) return { unshareFlags: ['-m'] };
    const inUserNs = await tryUnshare(['-r', '-m']);
    if (inUserNs === undefined) return { unshareFlags: ['-r', '-m'] };
    return { reason: `a private mount namespace is not available here: unshare -m: ${asRoot}; unshare -r -m: ${inUserNs}` };
  })();
  return support;
}
