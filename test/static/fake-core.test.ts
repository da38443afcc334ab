// The Pester suites (test/powershell/*.Tests.ps1) run the module against a fake core,
// test/powershell/fake-core.cjs. No PowerShell runs here, so this test is what keeps that fake
// honest: every scenario it answers with is a document valid against the published schema, with
// the exit code the real core gives for it, the tool version the module expects, and printed the
// way the core prints; and the Pester suites use only scenarios the fake has.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SCHEMA_VERSION, toAsciiJson } from '../../src/contract/envelope.ts';
import { errorCatalogue, type ErrorCode } from '../../src/contract/error-catalogue.ts';
import { ExitCode } from '../../src/contract/exit-codes.ts';
import { exitCodeForStatus } from '../../src/check/port-status-exit.ts';
import type { PortStatus } from '../../src/check/port-status.ts';
import { evaluatePowerShellData, findNodes, parsePowerShell } from '../support/powershell-parser.ts';
import { assertMatchesSchema } from '../support/schema.ts';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const pesterDir = path.join(repoRoot, 'test', 'powershell');
const fakeCorePath = path.join(pesterDir, 'fake-core.cjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'tapo-fake-core-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface FakeScenario {
  command: string | null;
  dryRun: boolean | null;
  exitCode: number;
  argv: string[];
}
interface FakeCoreModule {
  SCENARIOS: Record<string, FakeScenario>;
}
const requireCjs = createRequire(import.meta.url);
const { SCENARIOS } = requireCjs(fakeCorePath) as FakeCoreModule;

/** What each scenario stands for: the real core's exit code, and the kind of document (null: none). */
const EXPECTED: Record<string, { exit: number; kind: string | null }> = {
  'check-free': { exit: ExitCode.ok, kind: 'PortCheck' },
  'check-busy': { exit: ExitCode.portUnavailable, kind: 'PortCheck' },
  'check-reserved': { exit: ExitCode.portUnavailable, kind: 'PortCheck' },
  'check-reserved-administered': { exit: ExitCode.portUnavailable, kind: 'PortCheck' },
  // An administrator's exclusion that the bind works in: free (src/check/port-status.ts).
  'check-excluded': { exit: ExitCode.ok, kind: 'PortCheck' },
  'stop-plan': { exit: ExitCode.ok, kind: 'PortStop' },
  'stop-done': { exit: ExitCode.stopped, kind: 'PortStop' },
  'error-invalid-port': { exit: errorCatalogue.E_INVALID_PORT.exit, kind: 'Error' },
  'schema-2': { exit: ExitCode.ok, kind: 'PortCheck' },
  // Once launched, the dashboard's own exit code is start's (docs/start.md).
  'start-exited-3': { exit: 3, kind: 'DashboardStart' },
  'start-reused': { exit: ExitCode.ok, kind: 'DashboardStart' },
  'start-conflict': { exit: ExitCode.portUnavailable, kind: 'DashboardStart' },
  'status-running': { exit: ExitCode.ok, kind: 'DashboardStatus' },
  'no-json': { exit: ExitCode.unexpected, kind: null },
  // Nothing printed, exit 0: the module must still call it a failure.
  'no-json-exit-0': { exit: ExitCode.ok, kind: null },
};

const KIND_OF_COMMAND: Record<string, string> = {
  check: 'PortCheck',
  'find-port': 'PortSearch',
  stop: 'PortStop',
  start: 'DashboardStart',
  status: 'DashboardStatus',
};

const manifest = evaluatePowerShellData(
  readFileSync(path.join(repoRoot, 'powershell', 'TapoDashboard.psd1'), 'utf8'),
) as Record<string, unknown>;
const moduleVersion = manifest.ModuleVersion as string;
const packageVersion = (
  JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

let runs = 0;
/** Runs the fake core as the module does (node <file> argv...); returns its answer and its log. */
function runFakeCore(scenario: string, argv: string[]) {
  const log = path.join(scratch, `calls-${runs++}.jsonl`);
  const result = spawnSync(process.execPath, [fakeCorePath, ...argv], {
    cwd: scratch,
    encoding: 'utf8',
    env: { ...process.env, FAKE_CORE_SCENARIO: scenario, FAKE_CORE_LOG: log },
    timeout: 30_000,
  });
  let logged: { argv: string[]; scenario: string }[] = [];
  try {
    logged = readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as { argv: string[]; scenario: string });
  } catch {
    // no log written
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, logged };
}

interface Document {
  schemaVersion: string;
  kind: string;
  tool: { name: string; version: string };
  ok: boolean;
  data: Record<string, unknown> | null;
  error: { code: string; message: string; hint: string } | null;
}

describe('fake core for the Pester suites (test/powershell/fake-core.cjs)', () => {
  it('has exactly the scenarios this test knows the meaning of', () => {
    assert.deepEqual(Object.keys(SCENARIOS).sort(), Object.keys(EXPECTED).sort());
  });

  it("stamps the module's ModuleVersion, which is package.json's version", () => {
    assert.equal(typeof moduleVersion, 'string');
    assert.equal(moduleVersion, packageVersion);
  });

  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    const expected = EXPECTED[name] ?? { exit: -1, kind: 'unknown' };
    it(`${name}: exit ${expected.exit}, ${expected.kind ?? 'no JSON'}`, () => {
      const run = runFakeCore(name, scenario.argv);
      assert.equal(run.status, expected.exit, run.stderr);
      assert.equal(scenario.exitCode, expected.exit);
      assert.deepEqual(run.logged, [{ argv: scenario.argv, scenario: name }]);
      assert.match(run.stdout, /^[\x20-\x7e\n]*$/, 'stdout must be printable ASCII');

      if (expected.kind === null) {
        assert.throws(() => JSON.parse(run.stdout) as unknown, SyntaxError);
        assert.notEqual(run.stderr.trim(), '');
        return;
      }
      const document = JSON.parse(run.stdout) as Document;
      // Printed exactly as the core prints a document.
      assert.equal(run.stdout, toAsciiJson(document) + '\n');
      if (name === 'schema-2') {
        assert.equal(document.schemaVersion, '2.0');
        assert.throws(() => assertMatchesSchema(document), /schemaVersion/);
        // Otherwise a valid document: only its major version can make the module refuse it.
        assertMatchesSchema({ ...document, schemaVersion: SCHEMA_VERSION });
      } else {
        assertMatchesSchema(document);
      }
      assert.equal(document.kind, expected.kind);
      assert.equal(document.tool.version, moduleVersion);
      if (scenario.command !== null) assert.equal(KIND_OF_COMMAND[scenario.command], document.kind);

      if (document.kind === 'Error') {
        const error = document.error as NonNullable<Document['error']>;
        const entry = errorCatalogue[error.code as ErrorCode];
        assert.ok(entry, `${error.code} is not in the error catalogue`);
        assert.equal(run.status, entry.exit);
        assert.equal(error.hint, entry.hint);
        assert.equal(document.ok, false);
        return;
      }
      assert.equal(document.ok, true);
      const data = document.data as Record<string, unknown>;
      if (document.kind === 'PortCheck')
        assert.equal(run.status, exitCodeForStatus(data.status as PortStatus));
      if (document.kind === 'DashboardStart') assert.equal(data.exitCode, run.status);
      if (document.kind === 'PortStop') {
        assert.equal(data.dryRun, scenario.argv.includes('--dry-run'));
        assert.equal(data.outcome, scenario.dryRun ? 'would-stop' : 'stopped');
      }
    });
  }

  it('answers each run with the first listed scenario that fits its argv', () => {
    const list = 'check-busy,stop-plan,stop-done';
    const kinds = [
      ['check', '--port', '7777', '--json'],
      ['stop', '--port', '7777', '--pid', '11849', '--dry-run', '--json'],
      ['stop', '--port', '7777', '--pid', '11849', '--json'],
    ].map((argv) => {
      const run = runFakeCore(list, argv);
      const document = JSON.parse(run.stdout) as Document;
      return `${document.kind}:${String(document.data?.dryRun ?? document.data?.status)}`;
    });
    assert.deepEqual(kinds, ['PortCheck:in-use', 'PortStop:true', 'PortStop:false']);
  });

  it('fails loudly, after logging the run, for an unknown scenario (98) or a run no scenario fits (99)', () => {
    const unknown = runFakeCore('check-free,no-such-scenario', ['check', '--json']);
    assert.equal(unknown.status, 98);
    assert.match(unknown.stderr, /unknown: no-such-scenario/);
    assert.equal(unknown.stdout, '');
    assert.equal(unknown.logged.length, 1);

    const unanswered = runFakeCore('stop-plan', ['stop', '--port', '7777', '--json']);
    assert.equal(unanswered.status, 99);
    assert.equal(unanswered.stdout, '');
    assert.deepEqual(unanswered.logged[0]?.argv, ['stop', '--port', '7777', '--json']);
  });

  it('check-busy: a process owner (python3, PID 11849), then a container owner (web7777), as the Pester tests expect', () => {
    const document = JSON.parse(runFakeCore('check-busy', ['check', '--json']).stdout) as Document;
    const owners = (document.data?.owners ?? []) as {
      kind: string;
      pid: number | null;
      process: { name: string } | null;
      container: { name: string } | null;
    }[];
    assert.deepEqual(
      owners.map((o) => [o.kind, o.pid, o.process?.name ?? null, o.container?.name ?? null]),
      [
        ['process', 11849, 'python3', null],
        ['container', null, null, 'web7777'],
      ],
    );
    assert.equal(document.data?.port, 7777);
    assert.equal(document.data?.host, '0.0.0.0');
  });

  it('stop-plan: one target and one refusal that names the command to use instead', () => {
    const document = JSON.parse(
      runFakeCore('stop-plan', ['stop', '--port', '7777', '--dry-run', '--json']).stdout,
    ) as Document;
    const plan = document.data?.plan as {
      targets: unknown[];
      refusals: { owner: string; command: string }[];
    };
    assert.equal(plan.targets.length, 1);
    assert.equal(plan.refusals.length, 1);
    assert.equal(plan.refusals[0]?.owner, 'docker-proxy (PID 11522)');
    assert.equal(plan.refusals[0]?.command, 'docker stop web7777');
  });
});

describe('Pester suites and the fake core', () => {
  const suites = readdirSync(pesterDir).filter((file) => file.endsWith('.Tests.ps1'));
  const used = new Map<string, string[]>();
  for (const file of suites) {
    const { tree } = parsePowerShell(readFileSync(path.join(pesterDir, file), 'utf8'));
    const calls = findNodes(tree, 'command').filter(
      (node) => node.childForFieldName('command_name')?.text === 'Use-FakeCore',
    );
    for (const call of calls) {
      const where = `${file}:${call.startPosition.row + 1}`;
      const names = [...call.text.matchAll(/'([^']*)'/g)].map((m) => m[1] as string);
      assert.ok(names.length > 0, `${where}: Use-FakeCore without a quoted scenario name`);
      for (const name of names) used.set(name, [...(used.get(name) ?? []), where]);
    }
    tree.delete();
  }

  it('exist: the module and controller suites (fake core), and the real-core suite', () => {
    assert.deepEqual(suites.sort(), [
      'RealCore.Tests.ps1',
      'TapoDashboard.Tests.ps1',
      'start_dashboard.Tests.ps1',
    ]);
  });

  it('use only scenarios the fake core has', () => {
    const unknown = [...used.entries()].filter(([name]) => !Object.hasOwn(SCENARIOS, name));
    assert.deepEqual(unknown, []);
  });

  it('use every scenario the fake core has', () => {
    assert.deepEqual(
      Object.keys(SCENARIOS).filter((name) => !used.has(name)),
      [],
    );
  });
});
