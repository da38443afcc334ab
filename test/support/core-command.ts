// How the tests run the core: `node dist/tapo-port.cjs` by default, or the single executable
// named by TAPO_TEST_CORE (npm test's second pass, scripts/run-tests.mjs, runs the integration
// tests and the real-core Pester suite that way): one switch, every test that starts the core.
import { cpSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const bundlePath = path.join(import.meta.dirname, '..', '..', 'dist', 'tapo-port.cjs');

/** The single executable under test, or null when the tests run the bundle with Node. */
export function coreExecutable(): string | null {
  const executable = process.env.TAPO_TEST_CORE;
  if (executable === undefined || executable === '') return null;
  if (!existsSync(executable)) throw new Error(`TAPO_TEST_CORE ${executable} does not exist`);
  return executable;
}

/** The words that run the core: the executable alone, or Node and the bundle (default: the snapshot). */
export function coreCommand(bundle?: string): string[] {
  const executable = coreExecutable();
  if (executable !== null) return [executable];
  return [process.execPath, bundle ?? snapshotBundle()];
}

/**
 * The built bundle, copied once per test process: others rebuild dist/ while tests run, and a
 * bundle that disappears or changes half-way through a test would fail it for no reason of its
 * own. The copy is taken from the dist/ as it is when the first test file asks for it (npm run
 * build right before the run), and removed when the process exits. TAPO_TEST_BUNDLE=<path of a
 * tapo-port.cjs> runs the tests against that bundle instead.
 */
let snapshot: string | null = null;
export function snapshotBundle(): string {
  if (snapshot !== null) return snapshot;
  // Another build to run against (a candidate fix built elsewhere), used as it is.
  const override = process.env.TAPO_TEST_BUNDLE;
  if (override !== undefined && override !== '') {
    if (!existsSync(override)) throw new Error(`TAPO_TEST_BUNDLE ${override} does not exist`);
    snapshot = override;
    return snapshot;
  }
  const dist = path.dirname(bundlePath);
  const deadline = Date.now() + 60_000;
  // A build in progress empties dist/ for a moment: wait until the bundle is there and settled.
  for (;;) {
    try {
      const size = statSync(bundlePath).size;
      if (size > 0 && existsSync(path.join(dist, 'docker-engine.cjs'))) {
        const dir = mkdtempSync(path.join(tmpdir(), 'tapo-bundle-'));
        cpSync(dist, dir, { recursive: true });
        if (statSync(path.join(dir, 'tapo-port.cjs')).size === size) {
          snapshot = path.join(dir, 'tapo-port.cjs');
          process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
          return snapshot;
        }
        rmSync(dir, { recursive: true, force: true });
      }
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`${bundlePath} is missing: run npm run build first`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}
