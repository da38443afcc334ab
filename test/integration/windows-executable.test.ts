// The Windows single executable (dist/sea/win-x64/tapo-port.exe), run under wine: it starts, its
// embedded Node reports win32, and the core's Windows path runs (netstat, the bind probe, the
// PowerShell and cmd fixes). This proves the executable and the Windows code path, not that
// Windows' own tools parse right: wine's netstat lists the host's connections but no listening
// socket, so a held port has "no owner" here (the bind probe sees it), and a table with no TCP row
// at all reads as unreadable ("unknown", never free). An open loopback connection, kept for the
// whole file, makes the table readable in every run. Owners' details (the PowerShell CIM query)
// are only asked for PIDs the table names, so wine never reaches them; their parsing is tested
// with recorded Windows output in test/unit/owners. Wine cannot write to a pipe (EBADF), so the
// output goes to files.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { freePort, startHolder } from '../support/holders.ts';
import { assertMatchesSchema } from '../support/schema.ts';
import { statusRecord } from '../support/status-record.ts';
import { requireWineOrSkip } from '../support/wine-available.ts';

const { version } = JSON.parse(
  readFileSync(path.join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
) as {
  version: string;
};
const scratch = mkdtempSync(path.join(tmpdir(), 'tapo-wine-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
let runs = 0;

interface WineRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** tapo-port.exe with these arguments under wine, its output read back from files. */
function runUnderWine(
  tools: { wine: string; executable: string },
  args: string[],
  env: Record<string, string> = {},
): Promise<WineRun> {
  const out = path.join(scratch, `out-${++runs}.txt`);
  const err = path.join(scratch, `err-${runs}.txt`);
  const stdout = openSync(out, 'w');
  const stderr = openSync(err, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(tools.wine, [tools.executable, ...args], {
      env: {
        ...process.env,
        WINEPREFIX: path.join(scratch, 'prefix'),
        WINEDEBUG: '-all',
        // Node 22 refuses the Windows version wine reports unless told not to check.
        NODE_SKIP_PLATFORM_CHECK: '1',
        NO_COLOR: '1',
        ...env,
      },
      stdio: ['ignore', stdout, stderr],
    });
    // The first run creates the wine prefix: tens of seconds on a slow machine.
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      closeSync(stdout);
      closeSync(stderr);
      resolve({ code, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') });
    });
  });
}

/** What wine itself says on stderr (creating its prefix), apart from what tapo-port says. */
function tapoStderr(run: WineRun): string {
  return run.stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^wine: |^0[0-9a-f]{3}:(err|fixme):/.test(line))
    .join('\n');
}

describe('the Windows executable under wine', () => {
  let tools: { wine: string; executable: string } | null = null;

  // One established loopback connection: wine's netstat then always has a TCP row to print.
  let connection: { server: net.Server; client: net.Socket } | null = null;
  before(async () => {
    const server = net.createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', resolve));
    connection = { server, client };
  });
  after(() => {
    connection?.client.destroy();
    connection?.server.close();
  });

  function need(t: TestContext): { wine: string; executable: string } | null {
    tools ??= requireWineOrSkip(t);
    return tools;
  }

  it('--version prints the package version', async (t) => {
    const wine = need(t);
    if (wine === null) return;
    const run = await runUnderWine(wine, ['--version']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), version);
  });

  it('--help lists every command', async (t) => {
    const wine = need(t);
    if (wine === null) return;
    const run = await runUnderWine(wine, ['--help']);
    assert.equal(run.code, 0, run.stderr);
    for (const command of ['check', 'find-port', 'stop', 'start', 'status']) {
      assert.match(run.stdout, new RegExp(`tapo-port(\\.exe)? ${command}\\b`), `--help names ${command}`);
    }
  });

  it('check on a free port: valid JSON, platform win32, the bind probe and the table agree: free', async (t) => {
    const wine = need(t);
    if (wine === null) return;
    const port = await freePort();
    const run = await runUnderWine(wine, ['check', '--port', String(port), '--json']);
    const document = JSON.parse(run.stdout) as {
      data: { platform: string; status: string; probe: { outcome: string } };
    };
    assertMatchesSchema(document);
    assert.equal(document.data.platform, 'win32');
    assert.equal(document.data.probe.outcome, 'bound', 'the bind probe ran and the port was free');
    assert.equal(document.data.status, 'free');
    assert.equal(run.code, 0);
    assert.equal(tapoStderr(run), '');
  });

  it('check on a port the host holds: in use, no owner named, PowerShell and cmd fixes in the text', async (t) => {
    const wine = need(t);
    if (wine === null) return;
    const port = await freePort();
    const holder = await startHolder({ host: '0.0.0.0', port });
    t.after(() => holder.stop());
    const json = await runUnderWine(wine, ['check', '--port', String(port), '--json']);
    const document = JSON.parse(json.stdout) as {
      data: { status: string; owners: unknown[]; probe: { outcome: string } };
    };
    assertMatchesSchema(document);
    assert.equal(document.data.status, 'in-use');
    assert.equal(document.data.probe.outcome, 'in-use');
    assert.deepEqual(document.data.owners, []);
    assert.equal(json.code, 1);
    const text = await runUnderWine(wine, ['check', '--port', String(port)]);
    assert.equal(text.code, 1);
    assert.match(text.stdout, new RegExp(`^\\[X\\] Port ${port} on 0\\.0\\.0\\.0 is in use`));
    // The Windows rendering: a PowerShell line and a cmd line per fix, not a POSIX one.
    assert.match(text.stdout, /^ +PowerShell +python -m tapo_camera_mcp\.web --host 0\.0\.0\.0 --port \d+$/m);
    assert.match(text.stdout, /^ +cmd +python -m tapo_camera_mcp\.web --host 0\.0\.0\.0 --port \d+$/m);
    assert.doesNotMatch(text.stdout, /^ +sh /m);
  });

  it('find-port: the first port from --start that is free, as the number and as JSON', async (t) => {
    const wine = need(t);
    if (wine === null) return;
    const start = await freePort();
    const holder = await startHolder({ host: '0.0.0.0', port: start });
    t.after(() => holder.stop());
    const run = await runUnderWine(wine, ['find-port', '--start', String(start), '--json']);
    const document = JSON.parse(run.stdout) as { ok: boolean; data: { port: number } };
    assertMatchesSchema(document);
    assert.equal(run.code, 0, run.stdout);
    assert.ok(document.data.port > start, `the held ${start} is passed over (got ${document.data.port})`);
    // The port it names is free on this machine: we can bind it.
    const probe = net.createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(document.data.port, '0.0.0.0', resolve);
    });
    probe.close();
    const plain = await runUnderWine(wine, ['find-port', '--start', String(start)]);
    assert.equal(plain.stdout.trim(), String(document.data.port));
  });

  it('without powershell.exe (removed from the prefix): stop and status answer as documented, no crash', async (t) => {
    const wine = need(t);
    if (wine === null) return;
    // The prefix exists after the first run; its PowerShell stub goes away for this test only.
    const stub = path.join(
      scratch,
      'prefix',
      'drive_c',
      'windows',
      'system32',
      'WindowsPowerShell',
      'v1.0',
      'powershell.exe',
    );
    renameSync(stub, `${stub}.away`);
    t.after(() => renameSync(`${stub}.away`, stub));
    const port = await freePort();
    const holder = await startHolder({ host: '0.0.0.0', port });
    t.after(() => holder.stop());
    const stop = await runUnderWine(wine, ['stop', '--port', String(port), '--dry-run', '--json']);
    const plan = JSON.parse(stop.stdout) as { data: { outcome: string; plan: { targets: unknown[] } } };
    assertMatchesSchema(plan);
    assert.equal(plan.data.outcome, 'refused', 'nothing it cannot name is offered for stopping');
    assert.deepEqual(plan.data.plan.targets, []);
    assert.equal(stop.code, 8);

    // A record of a dashboard that is gone (4242 is no Windows PID: they are multiples of 4).
    const stateDir = path.join(scratch, 'state');
    mkdirSync(stateDir, { recursive: true });
    const recordPort = await freePort();
    const record = statusRecord({
      requestedPort: recordPort,
      port: recordPort,
      url: `http://127.0.0.1:${recordPort}/`,
      healthUrl: `http://127.0.0.1:${recordPort}/api/health`,
    });
    writeFileSync(path.join(stateDir, `dashboard-${recordPort}.json`), JSON.stringify(record));
    const status = await runUnderWine(wine, ['status', '--port', String(recordPort), '--json'], {
      // Wine shows the host's / as drive Z:.
      TAPO_STATE_DIR: `Z:${stateDir.replace(/\//g, '\\')}`,
    });
    const answer = JSON.parse(status.stdout) as {
      data: { live: { state: string; processAlive: boolean | null } };
    };
    assertMatchesSchema(answer);
    assert.equal(answer.data.live.state, 'not-running');
    assert.equal(answer.data.live.processAlive, false);
    assert.equal(status.code, 12);
    assert.doesNotMatch(status.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(stop.stderr, /\n\s+at /, 'no stack trace');
  });
});
