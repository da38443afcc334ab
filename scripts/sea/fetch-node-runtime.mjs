// The pinned Node.js binary for one target (node-runtime.json), downloaded once from the npm
// registry with `npm pack` (so npm's registry settings and proxy apply), checked against the
// pinned integrity, and unpacked into a cache folder. Returns the path of the binary.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

/** A failure the user can act on (no network, a tampered download); the caller prints it. */
export class RuntimeFetchError extends Error {}

export function sha512IntegrityOf(bytes) {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/** The cache of downloaded Node.js binaries in a checkout (gitignored). */
export function runtimeCacheOf(root) {
  return path.join(root, '.cache', 'node-runtimes');
}

/** Where the unpacked binary of a target sits in the cache (there or not). */
export function cachedRuntimePath({ cacheDir, nodeVersion, target }) {
  return path.join(runtimeFolder({ cacheDir, nodeVersion, target }), 'package', ...target.binary.split('/'));
}

function runtimeFolder({ cacheDir, nodeVersion, target }) {
  return path.join(cacheDir, `${target.package}-${nodeVersion}`);
}

export function fetchNodeRuntime({ cacheDir, nodeVersion, target }) {
  const { package: name, integrity, binary } = target;
  const folder = runtimeFolder({ cacheDir, nodeVersion, target });
  const binaryPath = cachedRuntimePath({ cacheDir, nodeVersion, target });
  if (existsSync(binaryPath)) return binaryPath;

  mkdirSync(cacheDir, { recursive: true });
  const tarball = path.join(cacheDir, `${name}-${nodeVersion}.tgz`);
  if (!existsSync(tarball)) {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const packed = spawnSync(
      npm,
      ['pack', `${name}@${nodeVersion}`, '--pack-destination', cacheDir, '--silent'],
      {
        encoding: 'utf8',
        shell: process.platform === 'win32',
        timeout: 600_000,
      },
    );
    if (packed.status !== 0 || !existsSync(tarball)) {
      throw new RuntimeFetchError(
        `could not download ${name}@${nodeVersion} from the npm registry (npm pack exit ${packed.status ?? packed.signal}): ${(packed.stderr || packed.stdout || '').trim().split('\n').pop()}`,
      );
    }
  }
  const actual = sha512IntegrityOf(readFileSync(tarball));
  if (actual !== integrity) {
    rmSync(tarball, { force: true });
    throw new RuntimeFetchError(
      `${name}@${nodeVersion} from the registry is not the pinned file (integrity ${actual}, pinned ${integrity}); it was deleted`,
    );
  }
  const unpacking = `${folder}.partial`;
  rmSync(unpacking, { recursive: true, force: true });
  mkdirSync(unpacking, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', unpacking, `package/${binary}`], {
    encoding: 'utf8',
  });
  if (untar.status !== 0) {
    throw new RuntimeFetchError(`could not unpack ${tarball}: ${(untar.stderr || '').trim()}`);
  }
  rmSync(folder, { recursive: true, force: true });
  renameSync(unpacking, folder);
  return binaryPath;
}
