import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { execFileText, runTool } from '../../../src/system/exec.ts';
import type { Exec } from '../../../src/system/exec.ts';

// Real child processes (this Node binary), so the option plumbing is tested, not assumed.
const node = process.execPath;

describe('execFileText', () => {
  it('resolves with stdout, stderr and a non-zero exit code', async () => {
    const result = await execFileText(node, [
      '-e',
      "process.stdout.write('out'); process.stderr.write('err'); process.exitCode = 3",
    ]);
    assert.deepEqual(result, { stdout: 'out', stderr: 'err', code: 3 });
  });

  it('decodes as latin1 when asked, keeping OEM bytes that UTF-8 would replace', async () => {
    const script = 'process.stdout.write(Buffer.from([0x41, 0x99, 0xff]))';
    assert.equal((await execFileText(node, ['-e', script], { encoding: 'latin1' })).stdout, 'A\u0099\u00ff');
    assert.equal((await execFileText(node, ['-e', script])).stdout, 'A\ufffd\ufffd');
  });

  it('passes arguments without a shell', async () => {
    const arg = '$(echo hi); echo "x" & ver | more';
    const result = await execFileText(node, ['-e', 'process.stdout.write(process.argv[1])', arg]);
    assert.equal(result.stdout, arg);
  });

  it('stops a child at the time limit and reports code null', async () => {
    // Left alone, the child exits 0 after 10 s, before the 15 s default limit: code null says the
    // 300 ms limit stopped it, not that it finished or that the default applied.
    const result = await execFileText(node, ['-e', 'setTimeout(() => {}, 10_000)'], { timeoutMs: 300 });
    assert.equal(result.code, null);
  });

  it('rejects with the error code when the program cannot be started', async () => {
    await assert.rejects(execFileText('/nonexistent/tapo-port-test-tool', []), { code: 'ENOENT' });
  });
});

describe('runTool', () => {
  it('names the tool, not the script, and takes the first line of stderr', async () => {
    const exec: Exec = async () => ({ stdout: 'ignored', stderr: 'first line\r\nsecond line\r\n', code: 2 });
    assert.deepEqual(await runTool(exec, 'C:\\Windows\\System32\\tool.exe', ['-x', 'y'.repeat(61)]), {
      reason: 'tool.exe -x <script> exited with code 2: first line',
      missing: false,
      exitCode: 2,
    });
  });

  it('says when the tool is not installed (ENOENT), from the error code', async () => {
    const exec: Exec = async () => {
      throw Object.assign(new Error('spawn netstat ENOENT'), { code: 'ENOENT' });
    };
    assert.deepEqual(await runTool(exec, 'netstat', ['-ano']), {
      reason: 'could not run netstat -ano (ENOENT)',
      missing: true,
      exitCode: null,
    });
  });

  it('returns the result itself on exit code 0', async () => {
    const exec: Exec = async () => ({ stdout: 'ok', stderr: '', code: 0 });
    assert.deepEqual(await runTool(exec, '/bin/tool', []), { stdout: 'ok', stderr: '', code: 0 });
  });
});
