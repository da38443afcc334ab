// Without a readable /proc/net/tcp (no /proc in some containers), the Linux reader asks the real
// ss over netlink; when ss is not installed either, the check says which dependency is missing.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { linuxAdapter } from '../../src/adapters/linux-adapter.ts';
import { realProcFs, type ProcFs } from '../../src/system/proc-fs.ts';
import { freePort, startHolder, type Holder } from '../support/holders.ts';

const withoutSocketTables: ProcFs = {
  ...realProcFs,
  readFile: (path) => (path.startsWith('/proc/net/tcp') ? null : realProcFs.readFile(path)),
};

let holder: Holder | null = null;
after(async () => holder?.stop());

describe('Linux socket table without /proc/net/tcp', () => {
  it('comes from the real ss, with the holder PID', async () => {
    const port = await freePort();
    holder = await startHolder({ host: '127.0.0.1', port });
    const table = await linuxAdapter(withoutSocketTables).readListeners(port);
    assert.ok(table.readable, table.readable ? '' : table.reason);
    assert.equal(table.source, 'ss -Hltnp');
    assert.deepEqual(
      table.listeners.map((l) => [l.address, l.port, l.pid]),
      [['127.0.0.1', port, holder.pid]],
    );
  });

  it('names the missing dependency when ss cannot be found either', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const table = await linuxAdapter(withoutSocketTables).readListeners(await freePort());
      assert.equal(table.readable, false);
      assert.equal(table.readable ? null : table.missingTool, 'ss (iproute2), or a mounted /proc');
    } finally {
      process.env.PATH = path;
    }
  });
});
