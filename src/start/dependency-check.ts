// The original start_dashboard.ps1's first step: the dashboard project's own dependency check
// (`python validate_dependencies.py`, tapo-camera-mcp since 2025-12-08; moved to
// scripts/validate_dependencies.py on 2026-01-12), run with the project's Python before the port
// check. It exits 1 when a package the dashboard cannot start without is missing, and prints
// which one and the pip command that installs it. Pure: the runner is in start-deps.ts.
import path from 'node:path';
import { TapoError } from '../contract/error-catalogue.ts';
import { toDisplayText } from '../text/display-safe.ts';

/** Where the project keeps it: its December 2025 place first, then its January 2026 one. */
export const dependencyCheckScripts: readonly (readonly string[])[] = [
  ['validate_dependencies.py'],
  ['scripts', 'validate_dependencies.py'],
];

/** It imports every package (OpenCV included): slow on a cold disk, but a hang must not block a scheduled task. */
export const dependencyCheckTimeoutMs = 120_000;

export type DependencyCheckResult =
  | { kind: 'absent' }
  | { kind: 'no-python'; script: string }
  | { kind: 'passed'; script: string; elapsedMs: number }
  | { kind: 'failed'; script: string; exitCode: number; lastLines: string[] }
  | { kind: 'timed-out'; script: string; timeoutMs: number };

/** The project's dependency check script, or null when it has none (then nothing is run). */
export function findDependencyCheckScript(
  projectDir: string,
  platform: NodeJS.Platform,
  isFile: (file: string) => boolean,
): string | null {
  const paths = platform === 'win32' ? path.win32 : path.posix;
  for (const relative of dependencyCheckScripts) {
    const candidate = paths.join(projectDir, ...relative);
    if (isFile(candidate)) return candidate;
  }
  return null;
}

/** The error that ends a start whose dependency check failed: its own output is already above. */
export function dependencyCheckError(
  result: Extract<DependencyCheckResult, { kind: 'failed' | 'timed-out' }>,
): TapoError {
  const script = toDisplayText(result.script);
  const skip =
    'or start without the check: tapo-port start --skip-dependency-check (start_dashboard.ps1 -SkipDependencyCheck).';
  if (result.kind === 'timed-out') {
    return new TapoError(
      'E_DEPENDENCY_MISSING',
      `the dashboard's dependency check ${script} did not finish within ${result.timeoutMs / 1000} s; it was stopped and the dashboard was not started`,
      `Run it yourself to see where it hangs, ${skip}`,
    );
  }
  const said = lastMeaningfulLine(result.lastLines);
  return new TapoError(
    'E_DEPENDENCY_MISSING',
    `the dashboard's dependency check ${script} failed (exit ${result.exitCode}), so the dashboard was not started` +
      (said === null ? '' : `; its last words: ${toDisplayText(said, { maxLength: 200 })}`),
    `Install what it lists above into the project's venv (venv\\Scripts\\pip install ... on Windows, venv/bin/pip install ... elsewhere), ${skip}`,
  );
}

/** Its last line that says something (not a rule of `=` or `-`). */
function lastMeaningfulLine(lines: readonly string[]): string | null {
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = (lines[index] ?? '').trim();
    if (line !== '' && !/^[=\-\s]+$/.test(line)) return line;
  }
  return null;
}
