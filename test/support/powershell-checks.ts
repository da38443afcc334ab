// Static checks over the repository's PowerShell files, run by test/static/*.test.ts. Each check
// takes a root folder so that its tests can point it at temporary samples as well as the repo.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findPowerShell7Syntax, parsePowerShell } from './powershell-parser.ts';

/** Folders never searched: dependencies, build output, npm pack output, scratch space. */
// .tools holds the installed pwsh and Pester (scripts/install-powershell.sh): not this project's code.
export const EXCLUDED_DIRS: readonly string[] = ['.git', 'node_modules', 'dist', 'package', '.tmp', '.tools'];

/** Files PowerShell parses as code (a .psd1 is a data file, but in PowerShell syntax). */
export const POWERSHELL_SOURCE_EXTENSIONS: readonly string[] = ['.ps1', '.psm1', '.psd1'];

/** Files Windows PowerShell 5.1 reads with its own idea of the encoding. */
export const POWERSHELL_ENCODED_EXTENSIONS: readonly string[] = [...POWERSHELL_SOURCE_EXTENSIONS, '.ps1xml'];

/**
 * Files that must exist in the repo, so a check can never pass by finding nothing.
 * Add files here as they land.
 */
export const REQUIRED_POWERSHELL_FILES: readonly string[] = [
  'powershell/TapoDashboard.psd1',
  'powershell/TapoDashboard.psm1',
  'scripts/start_dashboard.ps1',
];

/** Paths relative to `rootDir`, with `/` separators, sorted. */
export function findPowerShellFiles(rootDir: string, extensions: readonly string[]): string[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!EXCLUDED_DIRS.includes(entry.name)) visit(full);
      } else if (entry.isFile() && extensions.includes(path.extname(entry.name).toLowerCase())) {
        found.push(path.relative(rootDir, full).split(path.sep).join('/'));
      }
    }
  };
  visit(rootDir);
  return found.sort();
}

export interface FileProblem {
  /** Relative to the root folder, `/`-separated. */
  file: string;
  line: number;
  column: number;
  message: string;
}

export const formatProblem = (p: FileProblem): string => `${p.file}:${p.line}:${p.column}: ${p.message}`;

export interface TreeCheckResult {
  /** Every file the check looked at. */
  files: string[];
  problems: FileProblem[];
}

/** Decodes for parsing: UTF-16 (with BOM) or UTF-8; encoding mistakes are the encoding check's job. */
function decodeSource(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

export interface SyntaxCheckOptions {
  /** Also report PowerShell 7-only syntax (our files must run on Windows PowerShell 5.1). Default true. */
  windowsPowerShell?: boolean;
}

/** Parses every .ps1/.psm1/.psd1 under `rootDir` and reports each syntax error with its position. */
export function checkPowerShellTree(rootDir: string, options: SyntaxCheckOptions = {}): TreeCheckResult {
  const files = findPowerShellFiles(rootDir, POWERSHELL_SOURCE_EXTENSIONS);
  const problems: FileProblem[] = [];
  for (const file of files) {
    const { errors, tree } = parsePowerShell(decodeSource(readFileSync(path.join(rootDir, file))));
    for (const error of errors) {
      problems.push({ file, line: error.line, column: error.column, message: error.text });
    }
    if (options.windowsPowerShell !== false) {
      for (const construct of findPowerShell7Syntax(tree)) {
        problems.push({
          file,
          line: construct.line,
          column: construct.column,
          message: `${construct.construct} needs PowerShell 7; Windows PowerShell 5.1 cannot parse it`,
        });
      }
    }
    tree.delete();
  }
  return { files, problems };
}

/** The encoding problems of one file's bytes (empty when it is fine). */
export function checkPowerShellEncoding(bytes: Uint8Array): Omit<FileProblem, 'file'>[] {
  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const at = (offset: number, message: string): Omit<FileProblem, 'file'> => {
    const before = Buffer.from(bytes.subarray(0, offset));
    const line = before.filter((b) => b === 0x0a).length + 1;
    // Columns count bytes; a BOM is not part of the first line as an editor shows it.
    const lineStart = line === 1 && hasBom ? 3 : before.lastIndexOf(0x0a) + 1;
    return { line, column: offset - lineStart + 1, message };
  };
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return [at(0, 'UTF-16 file: save it as ASCII, or as UTF-8 with a BOM')];
  }
  const start = hasBom ? 3 : 0;
  const problems: Omit<FileProblem, 'file'>[] = [];

  if (hasBom) {
    const offset = firstInvalidUtf8(bytes, start);
    if (offset >= 0) {
      problems.push(
        at(
          offset,
          `invalid UTF-8 at byte 0x${(bytes[offset] as number).toString(16)} in a file with a UTF-8 BOM`,
        ),
      );
    }
  } else {
    const offset = bytes.findIndex((b) => b >= 0x80);
    if (offset >= 0) {
      problems.push(
        at(
          offset,
          `non-ASCII byte 0x${(bytes[offset] as number).toString(16)} in a file without a UTF-8 BOM: ` +
            'Windows PowerShell 5.1 reads it in the ANSI code page; write it in ASCII (e.g. [char]0x2713) or save the file as UTF-8 with a BOM',
        ),
      );
    }
  }

  for (let i = start; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
      const what = b === 0 ? 'NUL byte (UTF-16 without a BOM?)' : `control character 0x${b.toString(16)}`;
      problems.push(at(i, what));
      break;
    }
  }

  let crlf = 0;
  let lf = 0;
  let firstCrlf = -1;
  let firstLf = -1;
  for (let i = start; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a) {
      problems.push(at(i, 'carriage return without a line feed'));
      break;
    }
    if (bytes[i] !== 0x0a) continue;
    if (bytes[i - 1] === 0x0d) {
      crlf++;
      if (firstCrlf < 0) firstCrlf = i;
    } else {
      lf++;
      if (firstLf < 0) firstLf = i;
    }
  }
  if (crlf > 0 && lf > 0) {
    const minority = crlf < lf ? firstCrlf : firstLf;
    problems.push(
      at(
        minority,
        `mixed line endings (${crlf} CRLF, ${lf} LF): use one kind in the whole file; this line differs`,
      ),
    );
  }
  return problems;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence (overlong forms and surrogates included), or -1. */
function firstInvalidUtf8(bytes: Uint8Array, start: number): number {
  let i = start;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    const extra =
      lead >= 0xc2 && lead <= 0xdf
        ? 1
        : lead >= 0xe0 && lead <= 0xef
          ? 2
          : lead >= 0xf0 && lead <= 0xf4
            ? 3
            : 0;
    if (extra === 0) return i;
    let codePoint = lead & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    const smallest = [0, 0x80, 0x800, 0x10000][extra] as number;
    if (codePoint < smallest || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff))
      return i;
    i += extra + 1;
  }
  return -1;
}

/** Checks every .ps1/.psm1/.psd1/.ps1xml under `rootDir`: ASCII, or UTF-8 with a BOM; one kind of line ending. */
export function checkPowerShellEncodingTree(rootDir: string): TreeCheckResult {
  const files = findPowerShellFiles(rootDir, POWERSHELL_ENCODED_EXTENSIONS);
  const problems = files.flatMap((file) =>
    checkPowerShellEncoding(readFileSync(path.join(rootDir, file))).map((p) => ({ file, ...p })),
  );
  return { files, problems };
}

/** The required files (relative paths) missing from `files`. */
export function missingRequiredFiles(
  files: readonly string[],
  required = REQUIRED_POWERSHELL_FILES,
): string[] {
  return required.filter((file) => !files.includes(file));
}
