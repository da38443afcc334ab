import { parseRealUid, parseStat } from '../system/parse-proc-pid-files.ts';
import type { ProcFs } from '../system/proc-fs.ts';
import type { ProcessFacts } from './process-facts.ts';

/** USER_HZ, the unit of /proc/<pid>/stat times: 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
/** Enough for systemd -> containerd-shim -> sh -> npm -> node and then some; guards against cycles. */
const MAX_PARENT_CHAIN = 16;

/**
 * What /proc says about one process, or null when it is gone. Facts the kernel hides from us (the
 * exe link of another user's process without root) stay null rather than being guessed.
 */
export function readLinuxProcessFacts(pid: number, fs: ProcFs): ProcessFacts | null {
  const stat = parseStat(fs.readFile(`/proc/${pid}/stat`));
  if (stat === null) return null;
  const argv = readLinuxArgv(pid, fs);
  const uid = parseRealUid(fs.readFile(`/proc/${pid}/status`));
  const cgroup = fs.readFile(`/proc/${pid}/cgroup`) ?? '';
  const unit = findSystemdUnit(cgroup);
  return {
    pid,
    name: stat.name,
    path: readExePath(pid, fs),
    commandLine: argv !== null && argv.length > 0 ? argv.join(' ') : null,
    user: uid === null ? null : findUserName(fs.readFile('/etc/passwd'), uid),
    uid,
    startTime: computeStartTime(stat.startTicks, fs.readFile('/proc/stat')),
    ppid: stat.ppid,
    parentChain: readParentChain(pid, stat.ppid, fs),
    cgroupContainerId: findContainerId(cgroup),
    systemdUnit: unit?.unit ?? null,
    systemdUserUnit: unit?.user ?? false,
    launchdJob: null,
  };
}

/**
 * argv from /proc/<pid>/cmdline (NUL-separated). Empty for kernel threads and zombies; null when
 * the process is gone. A process that rewrote its title (nginx, postgres) shows one spaced string.
 */
export function readLinuxArgv(pid: number, fs: ProcFs): string[] | null {
  const raw = fs.readFile(`/proc/${pid}/cmdline`);
  if (raw === null) return null;
  const argv = raw.split('\0');
  // Trailing NULs: the final terminator, plus padding left by title rewriters.
  while (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
  return argv;
}

function readExePath(pid: number, fs: ProcFs): string | null {
  const link = fs.readLink(`/proc/${pid}/exe`);
  if (link === null || link === '') return null;
  // The binary was replaced or removed after start (a package upgrade): the path is still the answer.
  return link.endsWith(' (deleted)') ? link.slice(0, -' (deleted)'.length) : link;
}

/** A name only when /etc/passwd has one: directory users (LDAP, sssd) stay null rather than wrong. */
function findUserName(passwd: string | null, uid: number): string | null {
  for (const line of (passwd ?? '').split('\n')) {
    const [name, , uidText] = line.split(':');
    if (name !== undefined && name !== '' && uidText === String(uid)) return name;
  }
  return null;
}

/** Start ticks count from boot; `btime` in /proc/stat is the boot time in Unix seconds. */
function computeStartTime(startTicks: number, procStat: string | null): string | null {
  const match = procStat === null ? null : /^btime\s+(\d+)\s*$/m.exec(procStat);
  if (!match) return null;
  const millis = Number(match[1]) * 1000 + (startTicks * 1000) / CLOCK_TICKS_PER_SECOND;
  return new Date(Math.round(millis)).toISOString();
}

/** Nearest parent first, up to and including PID 1 (whose parent is 0), stopping on a cycle. */
function readParentChain(pid: number, ppid: number, fs: ProcFs): ProcessFacts['parentChain'] {
  const chain: ProcessFacts['parentChain'] = [];
  const seen = new Set([pid]);
  let next = ppid;
  while (next > 0 && chain.length < MAX_PARENT_CHAIN && !seen.has(next)) {
    seen.add(next);
    const parent = parseStat(fs.readFile(`/proc/${next}/stat`));
    chain.push({ pid: next, name: parent?.name ?? null });
    // A parent that exited meanwhile ends the walk: its own parent is unknown.
    if (parent === null) break;
    next = parent.ppid;
  }
  return chain;
}

/**
 * A container id in any cgroup line: Docker's cgroupfs driver (`/docker/<id>`), its systemd driver
 * (`/system.slice/docker-<id>.scope`) and containerd under Kubernetes (`cri-containerd-<id>.scope`).
 * This is how a `--network host` container's process is recognised as a container.
 */
function findContainerId(cgroup: string): string | null {
  const match = /(?:\/docker\/|docker-|cri-containerd-)([0-9a-f]{64})(?:\.scope)?(?=\/|\s|$)/m.exec(cgroup);
  return match?.[1] ?? null;
}

/**
 * The systemd service the process runs directly in (`/system.slice/nginx.service` -> nginx.service),
 * read from the unified hierarchy (`0::`), else cgroup v1's `name=systemd` one. Only when the
 * service's cgroup is the process's own: a process in a scope below it (a terminal's
 * `vte-spawn-*.scope` under `user@1000.service`) was not started by that service, and stopping the
 * service would stop far more (the user's whole session). `user@N.service` itself is never a unit
 * to stop. Services under `user@N.service/` are user units (`systemctl --user`).
 */
function findSystemdUnit(cgroup: string): { unit: string; user: boolean } | null {
  const lines = cgroup.split('\n');
  const paths = [
    lines.find((line) => line.startsWith('0::'))?.slice(3),
    lines.find((line) => /^\d+:name=systemd:/.test(line))?.replace(/^\d+:name=systemd:/, ''),
  ];
  for (const path of paths) {
    const segments = (path ?? '').trim().split('/').filter(Boolean);
    const last = segments[segments.length - 1];
    if (last === undefined) continue;
    if (!last.endsWith('.service') || /^user@\d+\.service$/.test(last)) return null;
    return { unit: last, user: segments.some((segment) => /^user@\d+\.service$/.test(segment)) };
  }
  return null;
}
