import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runFindPort, type FindPortDeps } from '../../../src/find-port/run-find-port.ts';
import { TapoError } from '../../../src/contract/error-catalogue.ts';
import { parseHost } from '../../../src/input/parse-host.ts';
import { parsePortList } from '../../../src/input/parse-port-list.ts';
import type { BindProbeResult } from '../../../src/system/bind-probe.ts';
import { portCandidates } from '../../../src/find-port/plan-port-search.ts';
import { makeListener, type Listener } from '../../../src/sockets/listener.ts';
import { parseExcludedPortRanges } from '../../../src/sockets/parse-netsh-excluded-ranges.ts';
import type { ReservedRange } from '../../../src/sockets/reserved-range.ts';

const fixture = (name: string): string =>
  readFileSync(path.join(import.meta.dirname, '..', '..', 'fixtures', 'windows', name), 'utf8');

const listen = (address: string, port: number): Listener =>
  makeListener({ address, port, family: address.includes(':') ? 6 : 4, pid: 100 + port });

function fakeDeps(
  listeners: Listener[],
  ranges: ReservedRange[] = [],
  refuse: number[] = [],
): FindPortDeps & { probed: number[] } {
  const probed: number[] = [];
  return {
    probed,
    readListenersBetween: async (from, to) => ({
      readable: true,
      source: 'fake',
      listeners: listeners.filter((l) => l.port >= from && l.port <= to),
      warnings: [],
    }),
    readReservedRanges: async () => ({ ranges, warnings: [] }),
    probeBind: async (_host, port): Promise<BindProbeResult> => {
      probed.push(port);
      return refuse.includes(port)
        ? { outcome: 'in-use', errno: 'EADDRINUSE' }
        : { outcome: 'bound', errno: null };
    },
  };
}

const search = (
  deps: FindPortDeps,
  start: number,
  end: number,
  host = '0.0.0.0',
  exclude = parsePortList('7778'),
) => runFindPort(deps, { host: parseHost(host), start, end, exclude });

describe('find-port: one snapshot, then a bind only for candidates', () => {
  it('1,000 busy ports cost one probe, not 1,000', async () => {
    const hosts = ['127.0.0.1', '::1', '0.0.0.0', '::'];
    const busy = Array.from({ length: 1000 }, (_, i) => listen(hosts[i % 4] ?? '0.0.0.0', 20000 + i));
    const deps = fakeDeps(busy);
    const { data } = await search(deps, 20000, 21100);
    assert.equal(data.port, 21000);
    assert.deepEqual(deps.probed, [21000]);
    assert.deepEqual(data.skipped, {
      'in-use': 500,
      shadowed: 500,
      reserved: 0,
      excluded: 0,
      'probe-failed': 0,
    });
  });

  it('scans upward in order and skips 7778, the project port, by default', async () => {
    const deps = fakeDeps([listen('0.0.0.0', 7777)]);
    assert.equal((await search(deps, 7777, 7877)).data.port, 7779);
  });

  it('moves on when the bind of a candidate fails after all (an exclusive socket the table missed)', async () => {
    const deps = fakeDeps([], [], [9000, 9001]);
    const { data } = await search(deps, 9000, 9010);
    assert.equal(data.port, 9002);
    assert.equal(data.skipped['probe-failed'], 2);
  });

  it('skips Windows excluded ranges of the host family (recorded zh-CN netsh output)', async () => {
    const ranges = parseExcludedPortRanges(fixture('excludedportrange-tcp.zh-CN.WhimboxLauncher-21.txt'), 4);
    const first = ranges[0];
    assert.ok(first);
    let expected = first.start;
    while (ranges.some((r) => expected >= r.start && expected <= r.end)) expected += 1;
    const deps = fakeDeps([], ranges);
    const { data } = await search(deps, first.start, 65535);
    assert.equal(data.port, expected);
    assert.equal(data.skipped.reserved, expected - first.start);
    assert.deepEqual(deps.probed, [expected]);
    // An IPv6 request is not stopped by IPv4 exclusions.
    const v6 = await search(fakeDeps([], ranges), first.start, first.end, '::');
    assert.equal(v6.data.port, first.start);
  });

  it('an exhausted range is E_NO_FREE_PORT', async () => {
    const deps = fakeDeps([listen('0.0.0.0', 9000), listen('::', 9001)]);
    await assert.rejects(search(deps, 9000, 9001), (error: unknown) => {
      assert.ok(error instanceof TapoError);
      assert.equal(error.code, 'E_NO_FREE_PORT');
      assert.equal(error.exitCode, 6);
      return true;
    });
  });

  it('an unreadable table is never "free": E_SOCKET_TABLE, or E_DEPENDENCY_MISSING when the tool is absent', async () => {
    for (const [missingTool, code] of [
      [undefined, 'E_SOCKET_TABLE'],
      ['netstat.exe', 'E_DEPENDENCY_MISSING'],
    ] as const) {
      const deps: FindPortDeps = {
        ...fakeDeps([]),
        readListenersBetween: async () => ({
          readable: false,
          source: 'fake',
          reason: 'unreadable',
          warnings: [],
          ...(missingTool ? { missingTool } : {}),
        }),
      };
      await assert.rejects(search(deps, 9000, 9010), { code });
    }
  });
});

describe('portCandidates', () => {
  it('a holder on a different specific address of the same family does not take the port', () => {
    const skipped = { 'in-use': 0, shadowed: 0, reserved: 0, excluded: 0 };
    const candidates = [
      ...portCandidates(
        {
          host: parseHost('127.0.0.1'),
          start: 5000,
          end: 5002,
          listeners: [listen('192.168.1.5', 5000), listen('127.0.0.1', 5001)],
          reservedRanges: [],
          exclude: [],
        },
        skipped,
      ),
    ];
    assert.deepEqual(candidates, [5000, 5002]);
    assert.equal(skipped['in-use'], 1);
  });

  // For host 127.0.0.1: 127.0.0.1 and 0.0.0.0 block, ::1 shadows ("localhost"), another
  // address is unrelated. A port with a blocker and a shadower is in use, whichever comes first.
  const rows: [string, Listener[], number[], Record<string, number>][] = [
    ['an unrelated listener only', [listen('192.168.1.5', 6000)], [6000], {}],
    ['a shadow only', [listen('::1', 6000)], [], { shadowed: 1 }],
    ['a blocker only', [listen('0.0.0.0', 6000)], [], { 'in-use': 1 }],
    ['a blocker, then a shadow', [listen('127.0.0.1', 6000), listen('::1', 6000)], [], { 'in-use': 1 }],
    ['a shadow, then a blocker', [listen('::1', 6000), listen('127.0.0.1', 6000)], [], { 'in-use': 1 }],
    [
      'a shadow, then an unrelated one',
      [listen('::1', 6000), listen('192.168.1.5', 6000)],
      [],
      { shadowed: 1 },
    ],
  ];
  for (const [name, listeners, expected, counts] of rows) {
    it(`127.0.0.1, ${name}: ${expected.length > 0 ? 'a candidate' : Object.keys(counts)[0]}`, () => {
      const skipped = { 'in-use': 0, shadowed: 0, reserved: 0, excluded: 0 };
      const candidates = [
        ...portCandidates(
          {
            host: parseHost('127.0.0.1'),
            start: 6000,
            end: 6000,
            listeners,
            reservedRanges: [],
            exclude: [],
          },
          skipped,
        ),
      ];
      assert.deepEqual(candidates, expected);
      assert.deepEqual(skipped, { 'in-use': 0, shadowed: 0, reserved: 0, excluded: 0, ...counts });
    });
  }
});

describe('runFindPort: what it passes on and what it refuses', () => {
  const deps = (
    table: Awaited<ReturnType<FindPortDeps['readListenersBetween']>>,
    rangeWarnings: string[] = [],
  ): FindPortDeps => ({
    readListenersBetween: async () => table,
    readReservedRanges: async () => ({ ranges: [], warnings: rangeWarnings }),
    probeBind: async () => ({ outcome: 'bound', errno: null }),
  });

  it("the readers' warnings come back as W_PARTIAL, table first", async () => {
    const { warnings } = await search(
      deps({ readable: true, source: 'fake', listeners: [], warnings: ['fell back to ss'] }, [
        'IPv6 ranges unknown',
      ]),
      40000,
      40001,
      '0.0.0.0',
      [],
    );
    assert.deepEqual(warnings, [
      { code: 'W_PARTIAL', message: 'fell back to ss' },
      { code: 'W_PARTIAL', message: 'IPv6 ranges unknown' },
    ]);
  });

  const unreadable: [string, boolean, string][] = [
    ['a failing tool', false, 'E_SOCKET_TABLE'],
    ['a missing tool', true, 'E_DEPENDENCY_MISSING'],
  ];
  for (const [name, missing, code] of unreadable) {
    it(`no table (${name}): ${code}, with the reason, and no bind at all`, async () => {
      let probed = 0;
      const table = {
        readable: false as const,
        source: 'fake',
        reason: 'ss exited with code 1',
        warnings: [],
        ...(missing ? { missingTool: 'ss' } : {}),
      };
      await assert.rejects(
        search(
          { ...deps(table), probeBind: async () => ((probed += 1), { outcome: 'bound', errno: null }) },
          40000,
          40001,
          '0.0.0.0',
          [],
        ),
        (error: unknown) => {
          assert.ok(error instanceof TapoError);
          assert.equal(error.code, code);
          assert.equal(error.message, 'cannot read the socket table: ss exited with code 1');
          return true;
        },
      );
      assert.equal(probed, 0);
    });
  }

  it('an address that is not local names the host as typed', async () => {
    await assert.rejects(
      search(
        {
          ...deps({ readable: true, source: 'fake', listeners: [], warnings: [] }),
          probeBind: async () => ({ outcome: 'address-not-local', errno: 'EADDRNOTAVAIL' }),
        },
        40000,
        40001,
        '10.9.8.7',
        [],
      ),
      { code: 'E_HOST_NOT_LOCAL', message: '--host "10.9.8.7" is not an address of this machine' },
    );
  });
});

describe('parsePortList', () => {
  it('reads ports and inclusive ranges', () => {
    assert.deepEqual(parsePortList('7778, 8000-8010'), [
      { from: 7778, to: 7778 },
      { from: 8000, to: 8010 },
    ]);
  });
  for (const bad of ['8010-8000', '80,abc', '0', '1-70000', '']) {
    it(`refuses ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parsePortList(bad), { code: 'E_INVALID_PORT' });
    });
  }
});

// Every answer the bind probe can give, for the first candidate: only `bound` makes it the port;
// every failure passes it over (counted), and an address this machine does not have is an error,
// not "no free port".
describe('find-port: what each bind probe outcome does to a candidate', () => {
  const answering = (first: BindProbeResult): FindPortDeps & { probed: number[] } => {
    const probed: number[] = [];
    return {
      probed,
      readListenersBetween: async () => ({ readable: true, source: 'fake', listeners: [], warnings: [] }),
      readReservedRanges: async () => ({ ranges: [], warnings: [] }),
      probeBind: async (_host, port) => {
        probed.push(port);
        return port === 30000 ? first : { outcome: 'bound', errno: null };
      },
    };
  };
  const failures: BindProbeResult[] = [
    { outcome: 'in-use', errno: 'EADDRINUSE' },
    { outcome: 'forbidden', errno: 'EACCES' },
    { outcome: 'error', errno: 'EINVAL' },
  ];
  for (const failure of failures) {
    it(`${failure.outcome}: passed over, counted as probe-failed, the next port is taken`, async () => {
      const deps = answering(failure);
      const { data } = await search(deps, 30000, 30010, '0.0.0.0', []);
      assert.equal(data.port, 30001);
      assert.deepEqual(deps.probed, [30000, 30001]);
      assert.deepEqual(data.skipped, {
        'in-use': 0,
        shadowed: 0,
        reserved: 0,
        excluded: 0,
        'probe-failed': 1,
      });
    });
  }
  it('bound: the first candidate is the port, nothing skipped', async () => {
    const deps = answering({ outcome: 'bound', errno: null });
    const { data } = await search(deps, 30000, 30010, '0.0.0.0', []);
    assert.equal(data.port, 30000);
    assert.deepEqual(deps.probed, [30000]);
    assert.deepEqual(data.skipped, { 'in-use': 0, shadowed: 0, reserved: 0, excluded: 0, 'probe-failed': 0 });
  });
  it('address-not-local: E_HOST_NOT_LOCAL at once, no other port tried', async () => {
    const deps = answering({ outcome: 'address-not-local', errno: 'EADDRNOTAVAIL' });
    await assert.rejects(search(deps, 30000, 30010, '0.0.0.0', []), (error: unknown) => {
      assert.ok(error instanceof TapoError);
      assert.equal(error.code, 'E_HOST_NOT_LOCAL');
      return true;
    });
    assert.deepEqual(deps.probed, [30000]);
  });
  it('every candidate refused: E_NO_FREE_PORT naming the range', async () => {
    const deps: FindPortDeps = {
      ...answering({ outcome: 'in-use', errno: 'EADDRINUSE' }),
      probeBind: async () => ({ outcome: 'forbidden', errno: 'EACCES' }),
    };
    await assert.rejects(search(deps, 30000, 30002, '0.0.0.0', []), (error: unknown) => {
      assert.ok(error instanceof TapoError);
      assert.equal(error.code, 'E_NO_FREE_PORT');
      assert.match(error.message, /no free port from 30000 to 30002 on 0\.0\.0\.0/);
      return true;
    });
  });
});
