import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readLinuxArgv, readLinuxProcessFacts } from '../../../src/owners/read-linux-process.ts';
import { realProcFs } from '../../../src/system/proc-fs.ts';
import { makeFakeProcFs, makeStatLine } from '../../support/fake-proc-fs.ts';

const CONTAINER_ID = 'f1d2c3b4a5968778695a4b3c2d1e0f1f2e3d4c5b6a7980a1b2c3d4e5f6a7b8c9';
const PASSWD =
  'root:x:0:0:root:/root:/bin/bash\n' +
  'www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n' +
  'alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n';
// btime 1700000000 = 2023-11-14T22:13:20Z
const PROC_STAT = 'cpu  1 2 3 4\nintr 0\nctxt 123\nbtime 1700000000\nprocesses 99\n';

function nodeServerTree(overrides: Record<string, string | null> = {}) {
  return makeFakeProcFs({
    files: {
      '/proc/stat': PROC_STAT,
      '/etc/passwd': PASSWD,
      '/proc/4242/stat': makeStatLine(4242, 'node (worker) x', 4000, 12345),
      '/proc/4242/cmdline': 'node\0server.js\0--port\x007777\0',
      '/proc/4242/status':
        'Name:\tnode\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n',
      '/proc/4242/cgroup': '0::/user.slice/user-1000.slice/session-3.scope\n',
      '/proc/4000/stat': makeStatLine(4000, 'bash', 1),
      '/proc/1/stat': makeStatLine(1, 'systemd', 0),
      ...overrides,
    },
    links: { '/proc/4242/exe': '/usr/local/bin/node (deleted)' },
  });
}

test('facts from a fake /proc: comm with spaces and parentheses, argv, deleted exe, real uid, start time', () => {
  assert.deepEqual(readLinuxProcessFacts(4242, nodeServerTree()), {
    pid: 4242,
    name: 'node (worker) x',
    path: '/usr/local/bin/node',
    commandLine: 'node server.js --port 7777',
    user: 'alice',
    uid: 1000,
    // 12345 ticks at 100 Hz = 123.45 s after boot
    startTime: '2023-11-14T22:15:23.450Z',
    ppid: 4000,
    parentChain: [
      { pid: 4000, name: 'bash' },
      { pid: 1, name: 'systemd' },
    ],
    cgroupContainerId: null,
    systemdUnit: null,
    systemdUserUnit: false,
    launchdJob: null,
  });
});

test('readLinuxArgv keeps argv items that contain spaces and drops the trailing NULs', () => {
  const fs = nodeServerTree({ '/proc/4242/cmdline': 'python3\0-c\0print("a b")\0\0\0' });
  assert.deepEqual(readLinuxArgv(4242, fs), ['python3', '-c', 'print("a b")']);
  assert.equal(readLinuxProcessFacts(4242, fs)?.commandLine, 'python3 -c print("a b")');
});

test('a kernel thread has an empty cmdline: argv [] and commandLine null', () => {
  const fs = nodeServerTree({ '/proc/4242/cmdline': '' });
  assert.deepEqual(readLinuxArgv(4242, fs), []);
  assert.equal(readLinuxProcessFacts(4242, fs)?.commandLine, null);
});

test("another user's exe link is hidden (EACCES): path stays null, the rest is still read", () => {
  const fs = makeFakeProcFs({
    files: {
      '/proc/stat': PROC_STAT,
      '/etc/passwd': PASSWD,
      '/proc/900/stat': makeStatLine(900, 'nginx', 1, 500),
      '/proc/900/cmdline': 'nginx: master process /usr/sbin/nginx -g daemon on;\0',
      '/proc/900/status': 'Name:\tnginx\nUid:\t0\t0\t0\t0\n',
      '/proc/900/cgroup': '0::/system.slice/nginx.service\n',
      '/proc/1/stat': makeStatLine(1, 'systemd', 0),
    },
    links: { '/proc/900/exe': null },
  });
  const facts = readLinuxProcessFacts(900, fs);
  assert.equal(facts?.path, null);
  assert.equal(facts?.user, 'root');
  assert.equal(facts?.commandLine, 'nginx: master process /usr/sbin/nginx -g daemon on;');
  assert.equal(facts?.systemdUnit, 'nginx.service');
  assert.equal(facts?.startTime, '2023-11-14T22:13:25.000Z');
});

test('a process that is gone gives null', () => {
  assert.equal(readLinuxProcessFacts(31337, nodeServerTree()), null);
});

test('a uid missing from /etc/passwd (directory user) keeps user null', () => {
  const fs = nodeServerTree({ '/proc/4242/status': 'Uid:\t123456\t123456\t123456\t123456\n' });
  const facts = readLinuxProcessFacts(4242, fs);
  assert.equal(facts?.uid, 123456);
  assert.equal(facts?.user, null);
});

test('without btime the start time is unknown, not invented', () => {
  assert.equal(readLinuxProcessFacts(4242, nodeServerTree({ '/proc/stat': null }))?.startTime, null);
});

const cgroupCases: [string, string, string | null, string | null][] = [
  [
    'Docker, cgroupfs driver (v1)',
    `12:memory:/docker/${CONTAINER_ID}\n1:name=systemd:/docker/${CONTAINER_ID}\n`,
    CONTAINER_ID,
    null,
  ],
  ['Docker, systemd driver (v2)', `0::/system.slice/docker-${CONTAINER_ID}.scope\n`, CONTAINER_ID, null],
  [
    'containerd under Kubernetes',
    `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0b1c.slice/cri-containerd-${CONTAINER_ID}.scope\n`,
    CONTAINER_ID,
    null,
  ],
  ['a systemd service', '0::/system.slice/nginx.service\n', null, 'nginx.service'],
  ['dockerd / docker-proxy themselves', '0::/system.slice/docker.service\n', null, 'docker.service'],
  [
    'a user service under user@1000.service',
    '0::/user.slice/user-1000.slice/user@1000.service/app.slice/tapo-dashboard.service\n',
    null,
    'tapo-dashboard.service',
  ],
  // A terminal (GNOME, KDE, VS Code) puts what it starts in a scope under the user's manager:
  // stopping user@1000.service would end the whole session, so no unit is named.
  [
    'a python started from a desktop terminal',
    '0::/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-1f2e.scope\n',
    null,
    null,
  ],
  ['the user manager itself', '0::/user.slice/user-1000.slice/user@1000.service/init.scope\n', null, null],
  [
    'cgroup v1 name=systemd hierarchy',
    '4:memory:/system.slice/postgresql.service\n1:name=systemd:/system.slice/postgresql.service\n',
    null,
    'postgresql.service',
  ],
  ['a login session scope', '0::/user.slice/user-1000.slice/session-3.scope\n', null, null],
  [
    'a 63-digit id is not a container id',
    `0::/system.slice/docker-${CONTAINER_ID.slice(1)}.scope\n`,
    null,
    null,
  ],
];

for (const [label, cgroup, containerId, unit] of cgroupCases) {
  test(`cgroup: ${label}`, () => {
    const facts = readLinuxProcessFacts(4242, nodeServerTree({ '/proc/4242/cgroup': cgroup }));
    assert.equal(facts?.cgroupContainerId, containerId);
    assert.equal(facts?.systemdUnit, unit);
    assert.equal(facts?.systemdUserUnit, unit !== null && cgroup.includes('/user@'));
  });
}

test('parent chain stops on a cycle and at a parent that exited', () => {
  const cycle = makeFakeProcFs({
    files: {
      '/proc/50/stat': makeStatLine(50, 'a', 51),
      '/proc/51/stat': makeStatLine(51, 'b', 52),
      '/proc/52/stat': makeStatLine(52, 'c', 51),
    },
  });
  assert.deepEqual(readLinuxProcessFacts(50, cycle)?.parentChain, [
    { pid: 51, name: 'b' },
    { pid: 52, name: 'c' },
  ]);
  const orphaned = makeFakeProcFs({ files: { '/proc/60/stat': makeStatLine(60, 'a', 61) } });
  assert.deepEqual(readLinuxProcessFacts(60, orphaned)?.parentChain, [{ pid: 61, name: null }]);
});

test('parent chain is bounded to 16, nearest first', () => {
  const files: Record<string, string> = {};
  for (let pid = 100; pid < 140; pid++) files[`/proc/${pid}/stat`] = makeStatLine(pid, `p${pid}`, pid + 1);
  const chain = readLinuxProcessFacts(100, makeFakeProcFs({ files }))?.parentChain ?? [];
  assert.equal(chain.length, 16);
  assert.deepEqual(chain[0], { pid: 101, name: 'p101' });
  assert.deepEqual(chain[15], { pid: 116, name: 'p116' });
});

test('the real /proc of this test process', () => {
  const facts = readLinuxProcessFacts(process.pid, realProcFs);
  assert.ok(facts !== null);
  assert.equal(facts.pid, process.pid);
  assert.equal(facts.ppid, process.ppid);
  assert.equal(facts.parentChain[0]?.pid, process.ppid);
  assert.equal(facts.uid, process.getuid?.());
  assert.equal(facts.user, userInfo().username);
  assert.equal(facts.path, realpathSync(process.execPath));
  const started = Date.parse(facts.startTime ?? '');
  // A plausibility window for the parsed date (a wrong field or clock-tick rate lands years off),
  // not a bound on how long anything took: the runner starts one process per test file, so this
  // one began moments ago. btime is whole seconds, so allow a little slack on the "not in the
  // future" side.
  assert.ok(started <= Date.now() + 2000, `start time ${facts.startTime} is in the future`);
  assert.ok(started > Date.now() - 3600_000, `start time ${facts.startTime} is over an hour ago`);
  const argv = readLinuxArgv(process.pid, realProcFs) ?? [];
  assert.ok(
    argv.some((item) => path.basename(item).includes('node')),
    `argv ${JSON.stringify(argv)}`,
  );
  assert.equal(facts.commandLine, argv.join(' '));
});

test('realProcFs answers null for what is not there and our uid for /proc/self', () => {
  assert.equal(realProcFs.readFile('/proc/2147483647/stat'), null);
  assert.equal(realProcFs.readLink('/proc/2147483647/exe'), null);
  assert.equal(realProcFs.readDir('/proc/2147483647/fd'), null);
  assert.equal(realProcFs.statUid('/proc/self'), process.geteuid?.());
  assert.ok(realProcFs.readDir('/proc/self/fd')?.includes('0'));
});
