/**
 * Quoting for POSIX shells (sh, dash, bash, zsh, ksh): one argv element -> one shell word that
 * the shell turns back into exactly that string, with no expansion of any kind.
 *
 * Single quotes are the only POSIX quoting with no exceptions inside: `$`, backtick, `\`, `"`,
 * `!`, `*`, newlines are all literal between them. The one character they cannot hold is `'`
 * itself, so it is written as `'\''` (close, escaped quote, reopen).
 */

/** Characters that mean nothing to any POSIX shell anywhere in a word (Python's shlex set). */
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * Words a shell reads as syntax when they are the first word of a command. Quoting them makes
 * the shell look them up as a command instead.
 */
const RESERVED_WORDS = new Set([
  'case',
  'coproc',
  'do',
  'done',
  'elif',
  'else',
  'esac',
  'fi',
  'for',
  'function',
  'if',
  'in',
  'select',
  'then',
  'time',
  'until',
  'while',
]);

/**
 * Thrown for a string that no shell word can carry: a NUL ends a C string, so the program
 * would receive a shorter argument. Callers check for NUL (or for control characters in
 * general) before asking for a command.
 */
export class NulInArgumentError extends Error {
  /** UTF-16 index of the first NUL. */
  readonly index: number;
  constructor(index: number) {
    super(`A shell argument cannot contain a NUL character (found at index ${index}).`);
    this.name = 'NulInArgumentError';
    this.index = index;
  }
}

/**
 * Quotes one argument for a POSIX shell: plain words stay as they are, everything else is
 * single-quoted. `''` stands for the empty string. Throws NulInArgumentError for a NUL.
 */
export function quotePosixArg(s: string): string {
  assertNoNul(s);
  if (PLAIN_WORD.test(s)) return s;
  return singleQuote(s);
}

/**
 * Quotes the first word of a command (the program). Stricter than quotePosixArg because in
 * that position `NAME=value` is a variable assignment, `%1` is a job (bash, zsh) and `if`,
 * `time` etc. are syntax: those are quoted so the shell runs a program by that name.
 */
export function quotePosixCommandName(s: string): string {
  assertNoNul(s);
  if (PLAIN_WORD.test(s) && !s.includes('=') && !s.startsWith('%') && !RESERVED_WORDS.has(s)) return s;
  return singleQuote(s);
}

function singleQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

function assertNoNul(s: string): void {
  const index = s.indexOf('\0');
  if (index !== -1) throw new NulInArgumentError(index);
}
