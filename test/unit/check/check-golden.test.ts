// Golden files pin the JSON contract (docs/json-contract.md) byte for byte: runCheck runs on
// recorded socket tables and Docker answers (see check-scenarios.ts) with fixed process facts,
// and its envelope, as `tapo-port check --json` prints it, must equal test/golden/<name>.json.
//
// After an intended change of the contract or of its texts, rewrite the files with
//   UPDATE_GOLDEN=1 node --import tsx --test test/unit/check/check-golden.test.ts
// and read the diff before committing it: every changed line is a change PowerShell readers see.
import assert from 'node:assert/strict';
import { answered } from '../../support/health.ts';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCheck, type CheckData } from '../../../src/check/run-check.ts';
import { errorEnvelope, successEnvelope, toAsciiJson } from '../../../src/contract/envelope.ts';
import { TapoError } from '../../../src/contract/error-catalogue.ts';
import { assertMatchesSchema } from '../../support/schema.ts';
import { scenario, scenarios } from './check-scenarios.ts';
import { fakeDeps, host, probe, readableTable } from '../../support/check-fakes.ts';

const goldenDir = path.join(import.meta.dirname, '..', '..', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

/** Compares with the golden file, or writes it under UPDATE_GOLDEN=1. The document ends in a newline, as on stdout. */
function assertGolden(name: string, json: string): void {
  const file = path.join(goldenDir, `${name}.json`);
  const document = `${json}\n`;
  if (update) {
    mkdirSync(goldenDir, { recursive: true });
    writeFileSync(file, document, 'utf8');
    return;
  }
  assert.ok(
    existsSync(file),
    `${file} is missing; create it with UPDATE_GOLDEN=1 (see the top of this file)`,
  );
  // latin1 maps each byte to one character: a stray non-ASCII byte shows up as a difference.
  assert.equal(
    document,
    readFileSync(file, 'latin1'),
    `${name}.json differs; rerun with UPDATE_GOLDEN=1 if intended`,
  );
}

async function checkScenario(name: string): Promise<{ data: CheckData; json: string }> {
  const { world, host: hostText, port } = scenario(name);
  const { deps } = fakeDeps(world);
  const { data, warnings } = await runCheck(deps, host(hostText), port);
  const json = toAsciiJson(successEnvelope('PortCheck', data, warnings));
  return { data, json };
}

type Expectation = {
  status: CheckData['status'];
  owners: [CheckData['owners'][number]['kind'], number | null][];
  warnings?: string[];
  check?: (data: CheckData, document: ReturnType<typeof JSON.parse>) => void;
};

const fixCommands = (data: CheckData): string[] =>
  data.fixes
    .flatMap((f) => [f.commands.powershell, f.commands.cmd, f.commands.posix])
    .filter((c): c is string => c !== null);
const KILL = /\b(kill|Stop-Process|taskkill)\b/;

const expectations: Record<string, Expectation> = {
  'linux-free': {
    status: 'free',
    owners: [],
    check: (data) => {
      assert.deepEqual(data.fixes, []);
      assert.equal(data.nextFreePort, null);
    },
  },
  'linux-python3-wildcard': {
    status: 'in-use',
    owners: [['process', 11849]],
    check: (data) => assert.ok(fixCommands(data).includes('kill 11849')),
  },
  'linux-docker-proxy-container': {
    status: 'in-use',
    owners: [['container', null]],
    check: (data) => {
      assert.deepEqual(data.owners[0]?.addresses, ['0.0.0.0', '::']);
      assert.ok(fixCommands(data).includes('docker stop web7777'));
      for (const command of fixCommands(data)) {
        assert.doesNotMatch(command, KILL);
        assert.doesNotMatch(command, /\b1152[27]\b/);
      }
    },
  },
  'linux-compose-container-no-host-socket': {
    status: 'in-use',
    owners: [['container', null]],
    check: (data) => {
      assert.deepEqual(data.listeners, []);
      assert.ok(fixCommands(data).includes('docker compose -p tapo stop web'));
      assert.match(data.fixes.at(-1)?.title ?? '', /unless-stopped/);
      assert.equal(data.fixes.at(-1)?.commands.posix, 'docker update --restart no probe1');
    },
  },
  'linux-hidden-owner-as-nonroot': {
    status: 'in-use',
    owners: [['hidden', null]],
    warnings: ['W_PARTIAL'],
    check: (data) => {
      assert.deepEqual(data.owners[0]?.hidden?.uid, 0);
      assert.ok(fixCommands(data).includes("sudo ss -ltnp 'sport = :7781'"));
    },
  },
  'linux-shadowed-ipv6-loopback': {
    status: 'shadowed',
    owners: [['process', 11940]],
    check: (data) =>
      assert.deepEqual(
        data.listeners.map((l) => l.relation),
        ['shadows'],
      ),
  },
  'linux-unknown-table-unreadable': {
    status: 'unknown',
    owners: [],
    warnings: ['W_SOCKET_TABLE'],
  },
  'linux-forbidden-below-1024': { status: 'forbidden', owners: [] },
  'linux-earlier-dashboard': {
    status: 'in-use',
    owners: [['dashboard', 23456]],
    check: (data) => {
      // Cameras offline: the real endpoint's `warning`, and still our running dashboard to open.
      assert.deepEqual(data.owners[0]?.dashboard, {
        healthUrl: 'http://127.0.0.1:7777/api/health',
        healthStatus: 'warning',
        health: answered('warning', {
          issues: ['no_cameras_online'],
          cameras: { total: 2, online: 0 },
          elapsedMs: 640,
        }),
        recognizedBy: 'command-line',
      });
      assert.equal(
        data.fixes[0]?.title,
        'Open http://127.0.0.1:7777/: the dashboard already runs there, health: warning (no_cameras_online; 0 of 2 cameras online)',
      );
    },
  },
  'linux-hostile-process-name': {
    status: 'in-use',
    owners: [['process', 31337]],
    check: (data, document) => {
      assert.doesNotMatch(data.summary, /[\x00-\x1f\x7f-\x9f]/);
      assert.equal(document.data.owners[0].process.name, '\x1b[31mevil\x1b[0m\nFAKE LINE\r');
    },
  },
  'win32-docker-desktop-no-container': {
    status: 'in-use',
    owners: [
      ['service', 9676],
      ['process', 2672],
      ['forwarder', null],
    ],
    check: (data) => {
      for (const command of fixCommands(data)) assert.doesNotMatch(command, /\b4332\b/);
    },
  },
  'win32-docker-desktop-unresponsive': {
    status: 'in-use',
    owners: [
      ['service', 9676],
      ['process', 2672],
      ['forwarder', null],
    ],
    warnings: ['W_DOCKER'],
    check: (data) => {
      assert.ok(fixCommands(data).includes('docker ps --filter publish=80'));
      for (const command of fixCommands(data)) assert.doesNotMatch(command, /\b4332\b/);
    },
  },
  'win32-wslhost': {
    status: 'in-use',
    owners: [['wsl', null]],
    warnings: ['W_WSL'],
    check: (data) => {
      assert.deepEqual(data.owners[0]?.addresses, ['127.0.0.1', '::1']);
      assert.equal(data.owners[0]?.forwarder?.stale, null);
    },
  },
  'win32-wslrelay-stale': {
    status: 'in-use',
    owners: [['wsl', null]],
    check: (data) => {
      assert.equal(data.owners[0]?.forwarder?.stale, true);
      assert.match(data.summary, /no WSL distribution is running: a stale relay/);
      assert.deepEqual(
        data.fixes.map((fix) => fix.commands.powershell),
        ["python -m tapo_camera_mcp.web --host '::1' --port 81", 'wsl --shutdown'],
      );
      for (const command of fixCommands(data)) assert.doesNotMatch(command, /\b17584\b/);
    },
  },
  'win32-pid4-http-sys': {
    status: 'shadowed',
    owners: [['http.sys', null]],
    // Both unnamed request queues of the recording carry the URL (netsh does not say which one
    // serves it): the URL is listed once, and neither queue's processes are named as its owner
    // (their services must not be offered for stopping); a warning says why.
    warnings: ['W_PARTIAL'],
    check: (data) => {
      assert.deepEqual(data.owners[0]?.httpSys, {
        urls: ['HTTP://LOCALHOST:8080/'],
        processIds: [],
      });
      for (const command of fixCommands(data)) assert.doesNotMatch(command, KILL);
    },
  },
  'win32-reserved-range': {
    status: 'reserved',
    owners: [],
    check: (data) =>
      assert.deepEqual(data.reservedRange, { start: 2480, end: 2579, family: 4, administered: false }),
  },
  'win32-service-in-svchost': {
    status: 'in-use',
    owners: [['service', 672]],
    check: (data) => {
      assert.deepEqual(data.owners[0]?.addresses, ['0.0.0.0', '::']);
      // RPC services hold Windows together: never offered for stopping, whichever holds the port.
      assert.ok(!fixCommands(data).some((command) => /Stop-Service|net stop/.test(command)));
      assert.match(data.fixes.at(-1)?.title ?? '', /services Windows needs; do not stop them/);
    },
  },
};

describe('golden files of check --json', () => {
  it('every scenario has expectations, and every expectation a scenario', () => {
    assert.deepEqual(scenarios.map((s) => s.name).sort(), Object.keys(expectations).sort());
  });

  for (const { name } of scenarios) {
    it(`${name}.json`, async () => {
      const { data, json } = await checkScenario(name);
      // Written before the checks, so a failing check still leaves the new output to diff.
      if (update) assertGolden(name, json);
      const document = JSON.parse(json);
      assertMatchesSchema(document);
      const expected = expectations[name];
      assert.ok(expected);
      assert.equal(data.status, expected.status);
      assert.deepEqual(
        data.owners.map((o) => [o.kind, o.pid]),
        expected.owners,
      );
      assert.deepEqual(
        document.warnings.map((w: { code: string }) => w.code),
        expected.warnings ?? [],
      );
      expected.check?.(data, document);
      if (!update) assertGolden(name, json);
    });
  }

  it('every file in test/golden matches the published schema, as stored', () => {
    const files = readdirSync(goldenDir).filter((name) => name.endsWith('.json'));
    assert.ok(files.length > scenarios.length, files.join(', '));
    for (const name of files) {
      assert.doesNotThrow(
        () => assertMatchesSchema(JSON.parse(readFileSync(path.join(goldenDir, name), 'utf8'))),
        name,
      );
    }
  });

  it('the run is deterministic: the same scenario gives the same bytes twice', async () => {
    for (const { name } of scenarios) {
      assert.equal((await checkScenario(name)).json, (await checkScenario(name)).json, name);
    }
  });

  it('error-host-not-local.json: an address this machine does not have is a usage error envelope', async () => {
    const { deps } = fakeDeps({
      platform: 'linux',
      probe: probe('address-not-local', 'EADDRNOTAVAIL'),
      table: readableTable([]),
    });
    const error = await runCheck(deps, host('192.0.2.1'), 7777).then(
      () => assert.fail('runCheck resolved'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof TapoError);
    assert.equal(error.exitCode, 2);
    const json = toAsciiJson(
      errorEnvelope('Error', { code: error.code, message: error.message, hint: error.hint }),
    );
    assertMatchesSchema(JSON.parse(json));
    assertGolden('error-host-not-local', json);
  });
});
