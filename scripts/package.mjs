// npm run package [-- --out DIR] [--no-executables]: the TapoDashboard PowerShell module as one
// folder a user copies into a $env:PSModulePath folder: the manifest, module and views, plus the
// core in core\: the single executables tapo-port.exe (win-x64) and tapo-port (linux-x64), which
// need no Node.js, and the bundle tapo-port.cjs for Node (macOS, other machines, TAPO_NODE).
// core\build-info.json records what was built from what. Builds dist/ first when it is missing
// or older than the sources.
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildExecutables,
  builtExecutablePath,
  ExecutableBuildError,
  runtimePin,
} from './sea/build-executables.mjs';
import { runtimeCacheOf, RuntimeFetchError } from './sea/fetch-node-runtime.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const MODULE_NAME = 'TapoDashboard';
const MODULE_FILES = [
  `${MODULE_NAME}.psd1`,
  `${MODULE_NAME}.psm1`,
  `${MODULE_NAME}.Format.ps1xml`,
  // Dot-sourced by the .psm1, one concern each.
  'CoreCall.ps1',
  'PortFunctions.ps1',
  'DashboardFunctions.ps1',
  'ScheduledTask.ps1',
  'PortExclusion.ps1',
];
const CORE_FILES = ['tapo-port.cjs', 'docker-engine.cjs'];

/** A failure the user can fix; main's caller prints its message and sets the exit code. */
class PackageError extends Error {}

function fail(message) {
  throw new PackageError(message);
}

function parseArguments(argv) {
  let out = path.join(root, 'package');
  let executables = true;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--no-executables') {
      executables = false;
    } else if (argv[i] === '--out' && i + 1 < argv.length) {
      out = path.resolve(argv[++i]);
    } else if (argv[i]?.startsWith('--out=')) {
      out = path.resolve(argv[i].slice('--out='.length));
    } else {
      fail(
        `unknown argument ${JSON.stringify(argv[i])}; usage: node scripts/package.mjs [--out DIR] [--no-executables]`,
      );
    }
  }
  return { out, executables };
}

async function mtimeOrZero(file) {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return 0;
  }
}

/** The newest modification time of a file or of any file under a folder. */
async function newestMtime(target) {
  const info = await stat(target);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(target)) {
    newest = Math.max(newest, await newestMtime(path.join(target, entry)));
  }
  return newest;
}

async function ensureBuild() {
  const built = Math.min(...(await Promise.all(CORE_FILES.map((f) => mtimeOrZero(path.join(dist, f))))));
  const vendor = await readdir(path.join(dist, 'vendor')).catch(() => []);
  const inputs = ['src', 'package.json', 'package-lock.json', 'scripts/build.mjs'].map((p) =>
    path.join(root, p),
  );
  const newestInput = Math.max(...(await Promise.all(inputs.map((p) => newestMtime(p).catch(() => 0)))));
  if (built > 0 && built >= newestInput && vendor.length > 0) return;
  console.error(
    built === 0 ? 'package: dist is missing; building' : 'package: dist is older than the sources; building',
  );
  const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) fail(`the build failed (exit code ${build.status ?? build.signal})`);
}

/** ModuleVersion from the manifest: the module refuses a core of another version. */
async function checkVersions() {
  const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
  const manifest = await readFile(path.join(root, 'powershell', `${MODULE_NAME}.psd1`), 'utf8');
  const match = /^\s*ModuleVersion\s*=\s*'([^']+)'/m.exec(manifest);
  if (!match) fail(`no ModuleVersion in powershell/${MODULE_NAME}.psd1`);
  if (match[1] !== version) {
    fail(
      `powershell/${MODULE_NAME}.psd1 has ModuleVersion ${match[1]} but package.json has ${version}; ` +
        'the module would refuse its core: make them equal',
    );
  }
  return version;
}

const INSTALL_TEXT = (version) =>
  [
    `TapoDashboard ${version}: PowerShell module for the Tapo camera dashboard`,
    '',
    'Needs nothing else on Windows x64 and Linux x64: the core is core\\tapo-port.exe (or',
    'core/tapo-port), a single executable with Node.js inside. Elsewhere (macOS) the core runs',
    'with Node.js 20.19 or later on PATH, or $env:TAPO_NODE set to the full path of node.',
    '',
    'Install: copy this TapoDashboard folder, as it is (with its core folder), into a folder',
    'listed in $env:PSModulePath, for example:',
    '',
    '  Windows PowerShell 5.1:  "$HOME\\Documents\\WindowsPowerShell\\Modules"',
    '  PowerShell 7:            "$HOME\\Documents\\PowerShell\\Modules"',
    '  PowerShell 7 on Linux or macOS:  ~/.local/share/powershell/Modules',
    '',
    'For example, in PowerShell from the folder that holds this TapoDashboard folder:',
    '',
    '  $modules = "$HOME\\Documents\\PowerShell\\Modules"',
    '  New-Item -ItemType Directory -Force -Path $modules | Out-Null',
    '  Copy-Item -Recurse -Force -Path .\\TapoDashboard -Destination $modules',
    '',
    'Then:',
    '',
    '  Import-Module TapoDashboard',
    '  Get-Command -Module TapoDashboard',
    '  Get-TapoPortOwner -Port 7777',
    '',
    'Start the dashboard at every logon (runs start_dashboard.ps1 from this folder, -OnConflict Reuse):',
    '',
    '  Register-TapoDashboardTask -ProjectPath C:\\src\\tapo-camera-mcp',
    '',
    'A downloaded copy may be blocked by Windows: Get-ChildItem -Recurse <folder> | Unblock-File.',
    '',
  ].join('\r\n');

/** The single executables into core/, or none (said on stderr) where this machine cannot build them. */
async function buildCoreExecutables(coreDir, version) {
  const outDir = path.join(dist, 'sea');
  let records;
  try {
    records = await buildExecutables({
      dist,
      outDir,
      cacheDir: runtimeCacheOf(root),
      version,
    });
  } catch (error) {
    if (error instanceof ExecutableBuildError || error instanceof RuntimeFetchError) {
      // Where the blob cannot be made (macOS) the folder still works with Node; in CI it must not
      // pass unnoticed.
      if (process.env.TAPO_REQUIRE_EXECUTABLES === '1') fail(error.message);
      console.error(
        `package: no single executables: ${error.message}; the module will run the core with Node.js`,
      );
      return [];
    }
    throw error;
  }
  for (const record of records) {
    await copyFile(builtExecutablePath(outDir, record.target), path.join(coreDir, record.file));
    console.error(
      `package: core/${record.file} (${record.target}, Node ${runtimePin.nodeVersion}, ${(record.bytes / 1048576).toFixed(1)} MiB)`,
    );
  }
  return records;
}

async function main() {
  const { out, executables } = parseArguments(process.argv.slice(2));
  const version = await checkVersions();
  await ensureBuild();

  const moduleDir = path.join(out, MODULE_NAME);
  const coreDir = path.join(moduleDir, 'core');
  await rm(moduleDir, { recursive: true, force: true });
  await mkdir(path.join(coreDir, 'vendor'), { recursive: true });

  for (const file of MODULE_FILES) {
    await copyFile(path.join(root, 'powershell', file), path.join(moduleDir, file));
  }
  // The controller travels with the module: Register-TapoDashboardTask finds it there.
  await copyFile(
    path.join(root, 'scripts', 'start_dashboard.ps1'),
    path.join(moduleDir, 'start_dashboard.ps1'),
  );
  for (const file of CORE_FILES) {
    await copyFile(path.join(dist, file), path.join(coreDir, file));
    const map = `${file}.map`;
    if ((await mtimeOrZero(path.join(dist, map))) > 0) {
      await copyFile(path.join(dist, map), path.join(coreDir, map));
    }
  }
  // ps-list runs fastlist from vendor\ next to the bundle on Windows.
  const vendor = (await readdir(path.join(dist, 'vendor'))).filter((file) => file.endsWith('.exe'));
  if (vendor.length === 0) fail('dist/vendor holds no fastlist executables; run npm run build');
  for (const file of vendor) {
    await copyFile(path.join(dist, 'vendor', file), path.join(coreDir, 'vendor', file));
  }
  const built = executables ? await buildCoreExecutables(coreDir, version) : [];
  const buildInfo = {
    version,
    bundle: { file: 'tapo-port.cjs', needs: 'Node.js >= 20.19' },
    executables: built,
    ...(built.length === 0
      ? { executablesLeftOut: executables ? 'not buildable here' : '--no-executables' }
      : {}),
  };
  await writeFile(path.join(coreDir, 'build-info.json'), JSON.stringify(buildInfo, null, 2) + '\n', 'ascii');
  await writeFile(path.join(moduleDir, 'INSTALL.txt'), INSTALL_TEXT(version), 'ascii');
  console.log(moduleDir);
}

try {
  await main();
} catch (error) {
  if (!(error instanceof PackageError)) throw error;
  console.error(`package: ${error.message}`);
  process.exitCode = 1;
}
