import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dependencyCheckError, findDependencyCheckScript } from '../../../src/start/dependency-check.ts';
import { hostileInputs } from '../../support/hostile-inputs.ts';

describe('findDependencyCheckScript', () => {
  const only =
    (...files: string[]) =>
    (file: string) =>
      files.includes(file);

  it("takes the project root's validate_dependencies.py first (December 2025), then scripts/ (January 2026)", () => {
    assert.equal(
      findDependencyCheckScript(
        '/p',
        'linux',
        only('/p/validate_dependencies.py', '/p/scripts/validate_dependencies.py'),
      ),
      '/p/validate_dependencies.py',
    );
    assert.equal(
      findDependencyCheckScript('/p', 'linux', only('/p/scripts/validate_dependencies.py')),
      '/p/scripts/validate_dependencies.py',
    );
    assert.equal(
      findDependencyCheckScript('C:\\tapo', 'win32', only('C:\\tapo\\scripts\\validate_dependencies.py')),
      'C:\\tapo\\scripts\\validate_dependencies.py',
    );
  });

  it('no script: null, and nothing is run', () => {
    assert.equal(findDependencyCheckScript('/p', 'linux', only()), null);
  });
});

describe('dependencyCheckError', () => {
  it('a failed check: exit 3 (E_DEPENDENCY_MISSING), its last line that says something, how to skip', () => {
    const error = dependencyCheckError({
      kind: 'failed',
      script: '/p/validate_dependencies.py',
      exitCode: 1,
      lastLines: [
        '   FastAPI (web framework)',
        '      Fix: pip install fastapi',
        '',
        '🚨 Server may not start! Install critical dependencies first.',
        '======',
      ],
    });
    assert.equal(error.code, 'E_DEPENDENCY_MISSING');
    assert.equal(error.exitCode, 3);
    assert.equal(
      error.message,
      "the dashboard's dependency check /p/validate_dependencies.py failed (exit 1), so the dashboard was not started; its last words: \\u{1F6A8} Server may not start! Install critical dependencies first.",
    );
    assert.match(error.hint, /--skip-dependency-check \(start_dashboard\.ps1 -SkipDependencyCheck\)/);
  });

  it('a check that hangs: stopped after its timeout, said so', () => {
    const error = dependencyCheckError({
      kind: 'timed-out',
      script: '/p/scripts/validate_dependencies.py',
      timeoutMs: 120_000,
    });
    assert.match(error.message, /did not finish within 120 s; it was stopped/);
  });

  it('hostile script paths and output stay one printable line', () => {
    for (const [name, hostile] of Object.entries(hostileInputs)) {
      const error = dependencyCheckError({
        kind: 'failed',
        script: `/p/${hostile}/validate_dependencies.py`,
        exitCode: 1,
        lastLines: [hostile],
      });
      assert.doesNotMatch(error.message, /[\u0000-\u001f\u007f-\u009f]/, name);
    }
  });
});
