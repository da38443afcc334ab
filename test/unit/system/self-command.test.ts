import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { selfCommandOf, thisSelfCommand } from '../../../src/system/self-command.ts';

describe('selfCommandOf (how the fixes spell "run tapo-port again")', () => {
  it('is Node and the bundle when the core runs as a bundle', () => {
    assert.deepEqual(
      selfCommandOf({
        execPath: 'C:\\Program Files\\nodejs\\node.exe',
        argv: ['C:\\Program Files\\nodejs\\node.exe', 'C:\\m\\core\\tapo-port.cjs', 'check'],
        singleExecutable: false,
      }),
      ['C:\\Program Files\\nodejs\\node.exe', 'C:\\m\\core\\tapo-port.cjs'],
    );
  });

  it('is the executable alone in the single executable, not the word that was typed', () => {
    assert.deepEqual(
      selfCommandOf({
        execPath: 'C:\\m\\core\\tapo-port.exe',
        argv: ['C:\\m\\core\\tapo-port.exe', '.\\tapo-port', 'check'],
        singleExecutable: true,
      }),
      ['C:\\m\\core\\tapo-port.exe'],
    );
  });

  it('reads this process: under the test runner it is not the single executable', () => {
    assert.deepEqual(thisSelfCommand(), [process.execPath, ...process.argv.slice(1, 2)]);
  });
});
