import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const holderScript = path.join(import.meta.dirname, '..', 'fixtures', 'holders', 'hold_port.py');

export interface HolderOptions {
  host: string;
  port: number;
  udp?: boolean;
  reusePort?: boolean;
  dualStack?: boolean;
  /** Run as this uid (tests run as root in CI). */
  uid?: number;
  /** argv[0] of the holder, to give it a hostile command line. */
  argv0?: string;
  /** An extra argument the holder ignores, to put anything into its command line. */
  tag?: string;
  /** The Python executable to run (a symlink with a hostile name gives a hostile process name). */
  python?: string;
}

export interface Holder {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** Starts a real Python socket holder and resolves once it listens. */
export function startHolder(options: HolderOptions): Promise<Holder> {
  const args = [holderScript, '--host', options.host, '--port', String(options.port)];
  if (options.udp) args.push('--udp');
  if (options.reusePort) args.push('--reuseport');
  if (options.dualStack) args.push('--dual-stack');
  if (options.tag !== undefined) args.push('--tag', options.tag);
  const child = spawn(options.python ?? 'python3', args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
    ...(options.argv0 !== undefined ? { argv0: options.argv0 } : {}),
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`holder exited with ${code}: ${stderr}`)));
    child.stdout?.once('data', () => {
      child.removeAllListeners('exit');
      resolve({
        child,
        pid: child.pid ?? -1,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}

/** A port nobody uses right now, from the kernel (bind to 0), in a high range. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '::', port: 0, ipv6Only: false }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
