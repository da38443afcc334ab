// The world the benchmark measures in: real socket holders, the extra load, the Docker engine.
// Every child process started here is registered, so one `stopAll` ends them all, on success, on
// failure and on SIGINT.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { builtExecutablePath, runtimePin } from '../scripts/sea/build-executables.mjs';
import { cachedRuntimePath, runtimeCacheOf } from '../scripts/sea/fetch-node-runtime.mjs';

const children = new Set();

/** Starts a child and registers it for `stopAll`. */
export function startChild(command, args, options = {}) {
  const child = spawn(command, args, options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.once('error', () => children.delete(child));
  return child;
}

/** Ends every registered child still running (see `stopChildren`); returns how many there were. */
export async function stopAll(graceMs = 3000) {
  return stopChildren([...children], graceMs);
}

/** SIGTERM (and closed stdin), then SIGKILL for any still alive after `graceMs`. */
export async function stopChildren(list, graceMs = 3000) {
  const alive = list.filter((child) => child.exitCode === null && child.signalCode === null);
  const exited = Promise.all(alive.map((child) => new Promise((resolve) => child.once('exit', resolve))));
  for (const child of alive) {
    child.stdin?.end();
    child.kill('SIGTERM');
  }
  const done = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    for (const child of alive)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.race([exited, sleep(graceMs)]);
  }
  return alive.length;
}

/** The interpreter itself, not a pyenv-style shim, so a child's PID is the socket holder's PID. */
export function resolvePython() {
  return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
}

/** Resolves with the first stdout line matching `pattern`; rejects on exit or after `timeoutMs`. */
export function waitForLine(child, pattern, what, timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(
      () => fail(new Error(`${what}: no "${pattern}" within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onData = (chunk) => {
      buffered += chunk;
      const line = buffered.split('\n').find((candidate) => pattern.test(candidate));
      if (line !== undefined) {
        cleanup();
        resolve(line);
      }
    };
    const onExit = (code, signal) =>
      fail(new Error(`${what} exited (${signal ?? code}) before it was ready: ${stderr.trim()}`));
    const onStderr = (chunk) => {
      stderr += chunk;
    };
    function cleanup() {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.stderr?.off('data', onStderr);
      child.off('exit', onExit);
    }
    function fail(error) {
      cleanup();
      reject(error);
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onData);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', onStderr);
    child.once('exit', onExit);
  });
}

/**
 * A TCP listener on 0.0.0.0:port and, in a different process, a UDP socket on the same number:
 * the case where tools without a TCP filter name the wrong process.
 */
export async function startHolders({ python, holderScript, port }) {
  const start = async (extra, what) => {
    const child = startChild(python, [holderScript, '--host', '0.0.0.0', '--port', String(port), ...extra], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForLine(child, /^ready \d+/, what);
    return child;
  };
  const tcp = await start([], 'TCP holder');
  const udp = await start(['--udp'], 'UDP holder');
  return { tcp, udp, tcpPid: tcp.pid, udpPid: udp.pid };
}

/** 5,000 listening sockets in one helper process and 500 sleeping processes. */
export async function startLoad({ python, listenerScript, listeners, processes }) {
  const loader = startChild(python, [listenerScript, '--count', String(listeners)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await waitForLine(loader, /^ready \d+/, 'listener helper', 60000);
  const sleepers = [];
  for (let i = 0; i < processes; i += 1) {
    const child = startChild('sleep', ['600'], { stdio: 'ignore' });
    sleepers.push(child);
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
  }
  return { loader, sleepers, all: [loader, ...sleepers] };
}

/** Every listening TCP socket in /proc/net/tcp{,6}: `{port, inode}` (column 4, "st", 0A is LISTEN). */
export function procListeners() {
  const rows = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A') continue;
      rows.push({ port: parseInt(fields[1]?.split(':').pop() ?? '', 16), inode: fields[9] });
    }
  }
  return rows;
}

/** The number of listening TCP sockets: proof the load is there. */
export function countTcpListeners() {
  return procListeners().length;
}

/** How many processes there are, and how many of them come before `pid` in /proc's order. */
export function processPosition(pid) {
  const pids = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
  return { processes: pids.length, before: pids.filter((other) => other < pid).length };
}

/** Whether a Docker engine answers `GET /_ping` on a unix endpoint within `timeoutMs`. */
export function pingDocker(endpoint, timeoutMs = 2000) {
  return new Promise((resolve) => {
    if (!endpoint.startsWith('unix://')) {
      resolve({ reachable: false, message: `only unix:// endpoints are probed, not ${endpoint}` });
      return;
    }
    const request = http.get(
      { socketPath: endpoint.slice('unix://'.length), path: '/_ping', timeout: timeoutMs },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () =>
          resolve(
            response.statusCode === 200
              ? { reachable: true, message: `answers /_ping (${body.trim()})` }
              : { reachable: false, message: `HTTP ${response.statusCode} on /_ping` },
          ),
        );
      },
    );
    request.on('timeout', () => {
      request.destroy();
      resolve({ reachable: false, message: `no answer within ${timeoutMs} ms` });
    });
    request.on('error', (error) => resolve({ reachable: false, message: `${error.code ?? error.message}` }));
  });
}

/** True when both TCP and UDP can bind 0.0.0.0:port right now. */
async function bothBind(port) {
  const tcp = await new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });
  if (!tcp) return false;
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: '0.0.0.0', exclusive: true }, () => socket.close(() => resolve(true)));
  });
}

/** The first port from `from` up that is free for TCP and UDP. */
export async function pickPort(from, tries = 200) {
  for (let port = from; port < Math.min(65536, from + tries); port += 1) {
    if (await bothBind(port)) return port;
  }
  throw new Error(`no port free for both TCP and UDP in ${from}-${from + tries - 1}`);
}

/** The kernel's ephemeral range, where the load's 5,000 sockets land. */
export function ephemeralRange() {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    return { low: Number(low), high: Number(high) };
  } catch {
    return null;
  }
}

/**
 * A private copy of dist/ (beside a node_modules link, so requires resolve as from the work tree):
 * a rebuild during the run (`npm test` empties dist/) must not break or change what is timed.
 */
export function snapshotDist(root) {
  const base = mkdtempSync(path.join(os.tmpdir(), 'tapo-bench-'));
  cpSync(path.join(root, 'dist'), path.join(base, 'dist'), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(base, 'node_modules'), 'dir');
  const cliPath = path.join(base, 'dist', 'tapo-port.cjs');
  const sha256 = createHash('sha256').update(readFileSync(cliPath)).digest('hex');
  // The single executable (npm run package) and the Node it is made of, when both are there: the
  // executable's own floor is that Node's `node -e 0`, not the Node that runs the bundle.
  const executable = builtExecutablePath(path.join(base, 'dist', 'sea'), 'linux-x64');
  const { nodeVersion } = runtimePin;
  const runtimeNode = cachedRuntimePath({
    cacheDir: runtimeCacheOf(root),
    nodeVersion,
    target: runtimePin.targets['linux-x64'],
  });
  const form =
    existsSync(executable) && existsSync(runtimeNode) ? { executable, runtimeNode, nodeVersion } : null;
  return { cliPath, sha256, executable: form, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** The commit and the uncommitted files that went into the build, for the results file. */
export function describeSource(root) {
  const git = (args) => {
    try {
      return execFileSync('git', ['-C', root, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      return null;
    }
  };
  const status = git(['status', '--porcelain', '--', 'src', 'scripts/build.mjs', 'package.json']);
  return {
    commit: git(['rev-parse', 'HEAD'])?.trim() ?? null,
    uncommitted: status === null ? null : status.split('\n').filter((line) => line.trim() !== ''),
  };
}
