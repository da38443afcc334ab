// Holders for the stop tests that startHolder does not cover: one that ignores SIGTERM, and one
// whose parent restarts it. Every process started here is killed by killAll().
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const holdersDir = path.join(import.meta.dirname, '..', 'fixtures', 'holders');
const started = new Set<ChildProcess>();
const extraPids = new Set<number>();

/** hold_port.py with --ignore-sigterm (and optionally SO_REUSEPORT); resolves once it listens. */
export async function startStubbornHolder(host: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    'python3',
    [path.join(holdersDir, 'hold_port.py'), '--host', host, '--port', String(port), '--ignore-sigterm'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.add(child);
  await firstLine(child);
  return child;
}

/** respawn_parent.py: resolves with the parent and the first child's PID; later children are collected. */
export async function startRespawningHolder(
  host: string,
  port: number,
): Promise<{ parent: ChildProcess; firstChild: number; children: number[] }> {
  const parent = spawn(
    'python3',
    [path.join(holdersDir, 'respawn_parent.py'), '5', '--host', host, '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.add(parent);
  const children: number[] = [];
  let buffer = '';
  parent.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (const match of buffer.matchAll(/child (\d+)\n/g)) {
      const pid = Number(match[1]);
      if (!children.includes(pid)) children.push(pid);
      extraPids.add(pid);
    }
  });
  const firstChild = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      if (children[0] !== undefined) {
        clearInterval(timer);
        resolve(children[0]);
      }
    }, 10);
    parent.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`respawn parent exited with ${code}`));
    });
  });
  return { parent, firstChild, children };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills every process these helpers started (parents first, so nothing is respawned). */
export async function killAll(): Promise<void> {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const pid of extraPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  started.clear();
  extraPids.clear();
}

function firstLine(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}: ${stderr}`)));
    child.stdout?.once('data', () => {
      child.removeAllListeners('exit');
      resolve();
    });
  });
}
