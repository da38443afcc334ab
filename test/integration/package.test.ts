// npm run package: the module folder a user copies into $env:PSModulePath. It must hold the module,
// its views and the core where the module looks for it, and that core must run from there alone,
// without the repository's node_modules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
// @ts-expect-error: a plain .mjs build script, no types
import * as sea from '../../scripts/sea/build-executables.mjs';
// @ts-expect-error: a plain .mjs build script, no types
import * as runtimes from '../../scripts/sea/fetch-node-runtime.mjs';
// @ts-expect-error: a plain .mjs build script, no types
import * as pe from '../../scripts/sea/pe-file.mjs';
import { findStringLiterals, parsePowerShell } from '../support/powershell-parser.ts';
import { assertMatchesSchema } from '../support/schema.ts';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const packageScript = path.join(repoRoot, 'scripts', 'package.mjs');
const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
};
const scratch = mkdtempSync(path.join(tmpdir(), 'tapo-package-'));
const out = path.join(scratch, 'out');
const moduleDir = path.join(out, 'TapoDashboard');
const pin = sea.runtimePin as {
  nodeVersion: string;
  targets: Record<string, { executable: string; package: string; binary: string }>;
};
/** The single executables are built on Linux x64 and Windows x64 (scripts/sea/build-executables.mjs). */
const buildsExecutables = sea.hostTarget() !== null;
const SEA_FUSE = sea.SEA_FUSE as string;

/** Skips a test of the executables, loudly, where they are not built (macOS, ARM). */
function skippedWithoutExecutables(t: TestContext): boolean {
  if (buildsExecutables) return false;
  process.stderr.write(
    `\nSKIPPED: single executables are not built on ${process.platform}-${process.arch}\n\n`,
  );
  t.skip('single executables are not built on this platform');
  return true;
}

interface BuildInfo {
  version: string;
  executables: {
    target: string;
    file: string;
    node: string;
    version: string;
    bytes: number;
    sha256: string;
    codeCache: boolean;
    signature: string;
  }[];
}

/** Every file of powershell/: the manifest, the loader, the views and the files it dot-sources. */
const MODULE_FILES = readdirSync(path.join(repoRoot, 'powershell')).sort();
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Node with nothing from this repository in reach: cwd outside it, no NODE_PATH. */
function runNode(args: string[], cwd = scratch) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  return spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
}

/** Every file under `dir`, relative, `/`-separated, sorted. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('npm run package (scripts/package.mjs)', () => {
  let packaged: ReturnType<typeof runNode>;
  before(() => {
    // A leftover of an earlier package must not survive into the new one.
    mkdirSync(path.join(moduleDir, 'core'), { recursive: true });
    writeFileSync(path.join(moduleDir, 'core', 'stale.cjs'), '');
    packaged = runNode([packageScript, '--out', out]);
  });

  it('succeeds and names the module folder it made', () => {
    assert.equal(packaged.status, 0, packaged.stderr);
    assert.equal(packaged.stdout.trim(), moduleDir);
  });

  it('holds the module, its views, the core with its Docker client, ps-list helpers and INSTALL.txt', () => {
    const files = listFiles(moduleDir);
    for (const required of [
      'INSTALL.txt',
      'TapoDashboard.Format.ps1xml',
      'TapoDashboard.psd1',
      'TapoDashboard.psm1',
      'core/docker-engine.cjs',
      'core/tapo-port.cjs',
      'core/vendor/fastlist-0.3.0-x64.exe',
      'core/vendor/fastlist-0.3.0-x86.exe',
      'start_dashboard.ps1',
    ]) {
      assert.ok(files.includes(required), `${required} missing from ${files.join(', ')}`);
    }
    const expected = new Set([
      ...readdirSync(path.join(repoRoot, 'dist', 'vendor')).map((file) => `core/vendor/${file}`),
      ...['tapo-port.cjs', 'docker-engine.cjs'].flatMap((file) =>
        [file, `${file}.map`]
          .filter((name) => existsSync(path.join(repoRoot, 'dist', name)))
          .map((name) => `core/${name}`),
      ),
      'INSTALL.txt',
      'core/build-info.json',
      ...(buildsExecutables ? Object.values(pin.targets).map((target) => `core/${target.executable}`) : []),
      ...MODULE_FILES,
      'start_dashboard.ps1',
    ]);
    assert.deepEqual(files, [...expected].sort());
  });

  it('copies the module files unchanged', () => {
    for (const file of MODULE_FILES) {
      assert.ok(
        readFileSync(path.join(moduleDir, file)).equals(
          readFileSync(path.join(repoRoot, 'powershell', file)),
        ),
        `${file} differs from powershell/${file}`,
      );
    }
  });

  it('puts the core where the module looks first (core\\tapo-port.cjs next to the psm1)', () => {
    const { tree } = parsePowerShell(readFileSync(path.join(moduleDir, 'CoreCall.ps1'), 'utf8'));
    const corePaths = findStringLiterals(tree)
      .map((literal) => literal.value)
      .filter((value) => /^core[\\/]tapo-port\.cjs$/.test(value));
    tree.delete();
    assert.equal(corePaths.length, 1, 'the module names core\\tapo-port.cjs once');
    assert.ok(existsSync(path.join(moduleDir, ...(corePaths[0] as string).split(/[\\/]/))));
  });

  it('says how to install it for Windows PowerShell 5.1 and PowerShell 7, in ASCII', () => {
    const text = readFileSync(path.join(moduleDir, 'INSTALL.txt'), 'utf8');
    assert.match(text, /^[\x20-\x7e\r\n]*$/);
    assert.ok(text.includes('$HOME\\Documents\\WindowsPowerShell\\Modules'));
    assert.ok(text.includes('$HOME\\Documents\\PowerShell\\Modules'));
    assert.ok(text.includes('$env:PSModulePath'));
    assert.ok(text.includes('Import-Module TapoDashboard'));
    assert.ok(text.includes(version));
  });

  it("gives a core of package.json's version, which is the module's ModuleVersion", () => {
    const run = runNode([path.join(moduleDir, 'core', 'tapo-port.cjs'), '--version']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), version);
    const manifest = readFileSync(path.join(moduleDir, 'TapoDashboard.psd1'), 'utf8');
    assert.match(manifest, new RegExp(`ModuleVersion\\s*=\\s*'${version.replace(/\./g, '\\.')}'`));
  });

  it('runs check from the packaged folder alone (no node_modules in reach)', async () => {
    const port = await freePort();
    const run = runNode([
      path.join(moduleDir, 'core', 'tapo-port.cjs'),
      'check',
      '--port',
      String(port),
      '--json',
    ]);
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const document = JSON.parse(run.stdout) as {
      kind: string;
      ok: boolean;
      data: { port: number; status: string };
    };
    assertMatchesSchema(document);
    assert.equal(document.kind, 'PortCheck');
    assert.equal(document.data.port, port);
    assert.equal(document.data.status, 'free');
  });

  it('loads its Docker client from the packaged folder too (core/docker-engine.cjs)', async () => {
    // A local endpoint with no engine behind it: the core must load the client to find that out.
    const socket = path.join(scratch, 'no-docker-here.sock');
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', DOCKER_HOST: `unix://${socket}` };
    delete env.NODE_PATH;
    const run = spawnSync(
      process.execPath,
      [path.join(moduleDir, 'core', 'tapo-port.cjs'), 'check', '--port', String(port), '--json'],
      { cwd: scratch, env, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const document = JSON.parse(run.stdout) as {
      data: { docker: { state: string; endpointSource: string } };
    };
    assert.equal(document.data.docker.endpointSource, 'DOCKER_HOST');
    assert.equal(document.data.docker.state, 'not-running', JSON.stringify(document.data.docker));
  });

  it('builds tapo-port.exe and tapo-port from the pinned Node, recorded in core/build-info.json', (t) => {
    if (skippedWithoutExecutables(t)) return;
    const info = JSON.parse(
      readFileSync(path.join(moduleDir, 'core', 'build-info.json'), 'utf8'),
    ) as BuildInfo;
    assert.equal(info.version, version);
    assert.deepEqual(info.executables.map((record) => record.target).sort(), Object.keys(pin.targets).sort());
    for (const record of info.executables) {
      const file = path.join(moduleDir, 'core', record.file);
      const bytes = readFileSync(file);
      assert.equal(record.node, pin.nodeVersion);
      assert.equal(record.version, version);
      assert.equal(record.bytes, bytes.length, `${record.file}: the recorded size is the file's`);
      assert.equal(record.sha256, createHash('sha256').update(bytes).digest('hex'), `${record.file}: sha256`);
      // The blob: the fuse flipped to :1 (Node runs the injected script) and this very bundle inside.
      assert.ok(bytes.includes(`${SEA_FUSE}:1`), `${record.file}: the SEA fuse is flipped`);
      assert.ok(!bytes.includes(`${SEA_FUSE}:0`), `${record.file}: no unflipped fuse left`);
      assert.ok(
        bytes.includes(`// tapo-port ${version}\n`),
        `${record.file}: the embedded script is version ${version}`,
      );
      assert.ok(bytes.includes(`v${pin.nodeVersion}`), `${record.file}: Node ${pin.nodeVersion} inside`);
    }
  });

  it('tapo-port.exe is a valid x64 console PE file, its signature removed cleanly and its checksum right', (t) => {
    if (skippedWithoutExecutables(t)) return;
    const bytes = readFileSync(path.join(moduleDir, 'core', 'tapo-port.exe'));
    const layout = pe.readPeLayout(bytes);
    assert.equal(layout.isX64, true);
    assert.equal(layout.pe32Plus, true);
    assert.equal(layout.subsystem, 3, 'a console program');
    assert.equal(pe.certificateTableOf(bytes), null, 'no (broken) signature is shipped');
    assert.equal(bytes.readUInt32LE(layout.checksumOffset), pe.peChecksumOf(bytes));
    const info = JSON.parse(
      readFileSync(path.join(moduleDir, 'core', 'build-info.json'), 'utf8'),
    ) as BuildInfo;
    assert.equal(info.executables.find((record) => record.target === 'win-x64')?.signature, 'removed');
  });

  it("removes node.exe's signature byte for byte as osslsigncode does, and osslsigncode finds none left", (t) => {
    if (skippedWithoutExecutables(t)) return;
    const which = spawnSync('osslsigncode', ['--version'], { encoding: 'utf8' });
    if (which.error !== undefined) {
      if (process.env.TAPO_REQUIRE_EXECUTABLES === '1')
        assert.fail('TAPO_REQUIRE_EXECUTABLES=1: osslsigncode is not installed');
      process.stderr.write('\nSKIPPED: osslsigncode is not installed (apt-get install osslsigncode)\n\n');
      t.skip('no osslsigncode');
      return;
    }
    const target = pin.targets['win-x64'];
    assert.ok(target);
    const original = runtimes.cachedRuntimePath({
      cacheDir: runtimes.runtimeCacheOf(repoRoot),
      nodeVersion: pin.nodeVersion,
      target,
    }) as string;
    assert.ok(pe.certificateTableOf(readFileSync(original)), 'the Node.js project signs node.exe');
    const theirs = path.join(scratch, 'osslsigncode-unsigned.exe');
    const removed = spawnSync('osslsigncode', ['remove-signature', '-in', original, '-out', theirs], {
      encoding: 'utf8',
    });
    assert.equal(removed.status, 0, removed.stderr);
    assert.ok(
      pe.withoutAuthenticode(readFileSync(original)).bytes.equals(readFileSync(theirs)),
      'the same bytes',
    );
    const verify = spawnSync(
      'osslsigncode',
      ['verify', '-in', path.join(moduleDir, 'core', 'tapo-port.exe')],
      {
        encoding: 'utf8',
      },
    );
    assert.match(`${verify.stdout}${verify.stderr}`, /No signature found/);
  });

  it('runs the Linux executable from the packaged folder alone: --version, check, and the Docker client asset', async (t) => {
    if (sea.hostTarget() !== 'linux-x64') {
      process.stderr.write(
        `\nSKIPPED: the Linux executable runs on Linux x64, this is ${process.platform}-${process.arch}\n\n`,
      );
      t.skip('the Linux executable runs on Linux x64');
      return;
    }
    const executable = path.join(moduleDir, 'core', 'tapo-port');
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.NODE_PATH;
    delete env.NODE_OPTIONS;
    const versionRun = spawnSync(executable, ['--version'], { cwd: scratch, env, encoding: 'utf8' });
    assert.equal(versionRun.status, 0, versionRun.stderr);
    assert.equal(versionRun.stdout.trim(), version);
    assert.equal(versionRun.stderr, '', 'no experimental-feature warning');
    const port = await freePort();
    const socket = path.join(scratch, 'no-docker-for-the-executable.sock');
    const run = spawnSync(executable, ['check', '--port', String(port), '--json'], {
      cwd: scratch,
      env: { ...env, DOCKER_HOST: `unix://${socket}` },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const document = JSON.parse(run.stdout) as {
      data: { status: string; docker: { state: string; endpointSource: string } };
    };
    assertMatchesSchema(document);
    assert.equal(document.data.status, 'free');
    assert.equal(document.data.docker.endpointSource, 'DOCKER_HOST');
    assert.equal(document.data.docker.state, 'not-running', JSON.stringify(document.data.docker));
  });

  it('refuses an unknown argument with its usage', () => {
    const run = runNode([packageScript, '--bogus']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /unknown argument "--bogus".*--out DIR/);
  });
});
