// Gate for the Pester suites: a real PowerShell 7 (scripts/install-powershell.sh puts 7.6.10 and
// Pester 5.7.1 in .tools/), or a loud skip. With TAPO_REQUIRE_PWSH=1 (CI) a missing PowerShell or
// Pester fails instead, so a broken install cannot turn the PowerShell tests into silent skips.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

export const repoRoot = path.join(import.meta.dirname, '..', '..');
const toolsDir = path.join(repoRoot, '.tools');
const howToInstall = 'install them with `npm run setup:powershell` (scripts/install-powershell.sh)';

export interface PowerShellTools {
  /** The pwsh executable. */
  pwsh: string;
  /** Pester 5's manifest, or null: then pwsh imports Pester 5 from its module path. */
  pesterManifest: string | null;
}

function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** TAPO_PWSH, then .tools/powershell/pwsh, then pwsh on PATH, then the .NET global tool. */
export function findPowerShellTools(): PowerShellTools | { reason: string } {
  const candidates = [
    process.env.TAPO_PWSH?.trim() || null,
    path.join(toolsDir, 'powershell', 'pwsh'),
    onPath('pwsh'),
    path.join(homedir(), '.dotnet', 'tools', 'pwsh'),
  ];
  const pwsh = candidates.find(
    (candidate): candidate is string => candidate !== null && existsSync(candidate),
  );
  if (pwsh === undefined) return { reason: 'no pwsh (TAPO_PWSH, .tools/powershell, PATH, ~/.dotnet/tools)' };
  const pester = process.env.TAPO_PESTER?.trim() || null;
  if (pester !== null) {
    return existsSync(pester)
      ? { pwsh, pesterManifest: pester }
      : { reason: `TAPO_PESTER=${pester} does not exist` };
  }
  // Where scripts/install-powershell.sh restores its pinned Pester.
  const bundled = path.join(toolsDir, 'pester', 'pester', '5.7.1', 'tools', 'Pester.psd1');
  return { pwsh, pesterManifest: existsSync(bundled) ? bundled : null };
}

/** The tools, or null after skipping the test loudly (failing it under TAPO_REQUIRE_PWSH=1). */
export function requirePowerShellOrSkip(t: TestContext): PowerShellTools | null {
  const found = findPowerShellTools();
  if ('pwsh' in found) return found;
  const message = `PowerShell not found: ${found.reason}; ${howToInstall}`;
  if (process.env.TAPO_REQUIRE_PWSH === '1') throw new Error(`TAPO_REQUIRE_PWSH=1: ${message}`);
  process.stderr.write(`\nSKIPPED: ${message}\n\n`);
  t.skip(message);
  return null;
}
