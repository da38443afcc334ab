// npm run package: the module folder a user copies into $env:PSModulePath. It must hold the module,
// its views and the core where the module looks for it, and that core must run from there alone,
// without the repository's node_modules.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
import { after, before, describe, it } from 'node:test';
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

  it('refuses an unknown argument with its usage', () => {
    const run = runNode([packageScript, '--bogus']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /unknown argument "--bogus".*--out DIR/);
  });
});
