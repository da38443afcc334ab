// Wine (Debian's wine64) runs the Windows single executable here, or a loud skip. With
// TAPO_REQUIRE_WINE=1 (CI) a missing wine or a missing tapo-port.exe fails instead.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
// @ts-expect-error: a plain .mjs build script, no types
import { builtExecutablePath } from '../../scripts/sea/build-executables.mjs';
import { repoRoot } from './pwsh-available.ts';

/** Where npm run package leaves the Windows executable. */
export const windowsExecutable: string = builtExecutablePath(path.join(repoRoot, 'dist', 'sea'), 'win-x64');

/** Debian installs the loader as /usr/lib/wine/wine64 (the wine package adds /usr/bin/wine). */
const wineCandidates = ['/usr/lib/wine/wine64', '/usr/bin/wine64', '/usr/bin/wine'];

export function requireWineOrSkip(t: TestContext): { wine: string; executable: string } | null {
  const wine = process.platform === 'linux' ? wineCandidates.find((file) => existsSync(file)) : undefined;
  const missing =
    wine === undefined
      ? 'wine64 is not installed (apt-get install wine64)'
      : !existsSync(windowsExecutable)
        ? `${windowsExecutable} is missing (npm run package builds it)`
        : null;
  if (missing === null && wine !== undefined) return { wine, executable: windowsExecutable };
  if (process.env.TAPO_REQUIRE_WINE === '1') assert.fail(`TAPO_REQUIRE_WINE=1: ${missing}`);
  process.stderr.write(`\nSKIPPED: the Windows executable under wine: ${missing}\n\n`);
  t.skip(missing ?? 'no wine');
  return null;
}
