/**
 * Distribution names from `wsl.exe --list --running --quiet`: one bare name per line, nothing
 * at all (exit 0) when none runs (microsoft/WSL WslClient.cpp, ListDistributionsHelper).
 *
 * wsl.exe writes UTF-16LE unless WSL_UTF8=1 is set, which older builds ignore. Read as latin1,
 * UTF-16LE ASCII is each character followed by NUL: the NULs (and a BOM) are dropped, so either
 * encoding gives the same names. Distribution names are letters, digits, `.`, `_` and `-`
 * (`wsl --import` refuses others); any other line (a message, a sentence) means this is not the
 * list, and null is returned rather than a guess.
 */
export function parseWslRunningList(text: string): string[] | null {
  const lines = text
    .replace(/\u0000/g, '')
    .replace(/^(\uFEFF|\u00FF\u00FE|\u00EF\u00BB\u00BF)/, '')
    .split(/\r*\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.some((line) => !/^[A-Za-z0-9._-]+$/.test(line))) return null;
  return lines;
}
