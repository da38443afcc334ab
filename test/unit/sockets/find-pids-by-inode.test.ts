import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findPidsByInodes } from '../../../src/sockets/find-pids-by-inode.ts';
import { makeFakeProcFs, makeStatLine } from '../../support/fake-proc-fs.ts';
import type { FakeTree } from '../../support/fake-proc-fs.ts';

interface FakeProcess {
  pid: number;
  ppid: number;
  uid: number;
  /** fd number -> link target */
  fds: Record<number, string>;
}

function makeTree(processes: FakeProcess[], selfUid: number): FakeTree {
  const tree: Required<FakeTree> = {
    files: {},
    links: {},
    uids: { '/proc/self': selfUid },
    dirs: ['/proc'],
  };
  for (const proc of processes) {
    tree.files[`/proc/${proc.pid}/stat`] = makeStatLine(proc.pid, `p${proc.pid}`, proc.ppid);
    tree.files[`/proc/${proc.pid}/status`] = `Uid:\t${proc.uid}\t${proc.uid}\t${proc.uid}\t${proc.uid}\n`;
    tree.uids[`/proc/${proc.pid}`] = proc.uid;
    tree.dirs.push(`/proc/${proc.pid}/fd`);
    for (const [fd, target] of Object.entries(proc.fds)) tree.links[`/proc/${proc.pid}/fd/${fd}`] = target;
  }
  return tree;
}

const fdTablesRead = (calls: string[]): number[] =>
  calls.flatMap((call) => {
    const match = /^readDir \/proc\/(\d+)\/fd$/.exec(call);
    return match ? [Number(match[1])] : [];
  });

test('a pre-fork server: the parent and every worker holding the socket are reported', () => {
  const processes: FakeProcess[] = [
    { pid: 1, ppid: 0, uid: 0, fds: { 0: '/dev/null' } },
    { pid: 700, ppid: 1, uid: 0, fds: { 0: '/dev/null', 6: 'socket:[5000]', 7: 'pipe:[9]' } },
    { pid: 701, ppid: 700, uid: 33, fds: { 6: 'socket:[5000]', 8: 'socket:[5999]' } },
    { pid: 702, ppid: 700, uid: 33, fds: { 6: 'socket:[5000]' } },
    { pid: 800, ppid: 1, uid: 0, fds: { 3: 'socket:[6000]' } },
  ];
  const found = findPidsByInodes(new Set([5000]), makeFakeProcFs(makeTree(processes, 0)), new Set([0]));
  assert.deepEqual([...found.entries()], [[5000, [700, 701, 702]]]);
});

test('SO_REUSEPORT: each process has its own socket, every inode is mapped', () => {
  const processes: FakeProcess[] = [
    { pid: 200, ppid: 1, uid: 1000, fds: { 3: 'socket:[6001]' } },
    { pid: 201, ppid: 1, uid: 1000, fds: { 3: 'socket:[6002]' } },
  ];
  const found = findPidsByInodes(new Set([6001, 6002, 6003]), makeFakeProcFs(makeTree(processes, 0)));
  assert.deepEqual(
    [...found.entries()].sort(([a], [b]) => a - b),
    [
      [6001, [200]],
      [6002, [201]],
    ],
  );
  assert.equal(found.has(6003), false);
});

test('once every inode is found, only children of holders have their fds read', () => {
  const processes: FakeProcess[] = [{ pid: 100, ppid: 1, uid: 0, fds: { 4: 'socket:[404452]' } }];
  for (let pid = 101; pid < 400; pid++) processes.push({ pid, ppid: 1, uid: 0, fds: { 0: '/dev/null' } });
  // A worker forked later than all the unrelated processes still shares the socket.
  processes.push({ pid: 500, ppid: 100, uid: 0, fds: { 4: 'socket:[404452]' } });
  const fs = makeFakeProcFs(makeTree(processes, 0));
  const found = findPidsByInodes(new Set([404452]), fs, new Set([0]));
  assert.deepEqual([...found.entries()], [[404452, [100, 500]]]);
  assert.deepEqual(fdTablesRead(fs.calls), [100, 500]);
});

test('without root, processes of other users are not opened; as root they are', () => {
  const processes: FakeProcess[] = [
    { pid: 300, ppid: 1, uid: 0, fds: { 3: 'socket:[7001]' } },
    { pid: 301, ppid: 1, uid: 33, fds: { 3: 'socket:[7002]' } },
    { pid: 302, ppid: 1, uid: 1000, fds: { 3: 'socket:[7003]' } },
  ];
  const inodes = new Set([7001, 7002, 7003]);
  const asUser = makeFakeProcFs(makeTree(processes, 1000));
  const foundAsUser = findPidsByInodes(inodes, asUser, new Set([33, 1000]));
  // uid 0 is neither a socket owner nor us: skipped. uid 33 owns a socket: tried.
  assert.deepEqual(fdTablesRead(asUser.calls), [301, 302]);
  assert.deepEqual(foundAsUser.get(7003), [302]);
  assert.equal(foundAsUser.has(7001), false);

  const asRoot = makeFakeProcFs(makeTree(processes, 0));
  const foundAsRoot = findPidsByInodes(inodes, asRoot, new Set([1000]));
  assert.deepEqual(fdTablesRead(asRoot.calls), [300, 301, 302]);
  assert.equal(foundAsRoot.size, 3);
});

test('an unreadable fd table (EACCES) is skipped, not fatal', () => {
  const tree = makeTree([{ pid: 10, ppid: 1, uid: 0, fds: { 3: 'socket:[1]' } }], 0);
  const fs = makeFakeProcFs(tree);
  const unreadable = { ...fs, readDir: (dir: string) => (dir === '/proc/10/fd' ? null : fs.readDir(dir)) };
  assert.equal(findPidsByInodes(new Set([1]), unreadable).size, 0);
});

test('no inodes: nothing is read', () => {
  const fs = makeFakeProcFs(makeTree([{ pid: 10, ppid: 1, uid: 0, fds: { 3: 'socket:[1]' } }], 0));
  assert.equal(findPidsByInodes(new Set(), fs).size, 0);
  assert.deepEqual(fs.calls, []);
});

test('a process with a huge fd table is read only when no smaller process holds the socket', () => {
  const big: FakeProcess = { pid: 50, ppid: 1, uid: 0, fds: {} };
  for (let fd = 3; fd < 5003; fd++) big.fds[fd] = `socket:[${900000 + fd}]`;
  const holder: FakeProcess = { pid: 60, ppid: 1, uid: 0, fds: { 3: 'socket:[404452]' } };
  const tree = makeTree([big, holder], 0);
  const linksRead = (calls: string[], pid: number): number =>
    calls.filter((call) => call.startsWith(`readLink /proc/${pid}/fd/`)).length;

  const fs = makeFakeProcFs(tree);
  assert.deepEqual([...findPidsByInodes(new Set([404452]), fs, new Set([0])).entries()], [[404452, [60]]]);
  assert.equal(linksRead(fs.calls, 50), 0);

  const bigHolds = makeFakeProcFs(tree);
  assert.deepEqual(
    [...findPidsByInodes(new Set([900010]), bigHolds, new Set([0])).entries()],
    [[900010, [50]]],
  );
  assert.equal(linksRead(bigHolds.calls, 60), 1);
  assert.equal(linksRead(bigHolds.calls, 50), 5000);
});
