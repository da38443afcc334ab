/**
 * Quoting for PowerShell (Windows PowerShell 5.1 and PowerShell 7): one argv element -> one
 * token that PowerShell reads back as exactly that string.
 *
 * A single-quoted string is a verbatim literal: `$name`, `$(...)`, backtick escapes, `@`, `;`,
 * `|`, `&`, `#` and newlines are all inert inside it. The only special characters are the
 * quotes that end it, and PowerShell accepts five of them: `'` (U+0027) and the typographic
 * look-alikes U+2018, U+2019, U+201A, U+201B (so text pasted from a word processor still
 * parses). Any of them is written twice to stand for itself.
 *
 * This makes a correct PowerShell literal. What PowerShell then hands to a native program is a
 * separate problem (Windows PowerShell 5.1 drops empty arguments and does not escape embedded
 * `"` when it rebuilds the Windows command line); fix-command.ts deals with that.
 */

const QUOTES = /['\u2018\u2019\u201a\u201b]/g;

/**
 * Words PowerShell passes on unchanged when written bare, in argument mode:
 * - a name or path starting with a letter, `_`, `\` or `/` (`taskkill`, `C:\Windows\x.exe`,
 *   `/PID`, `publish=7777`). Excluded are `@` (splatting), `,` (array), `%`, `+`, `$`, and any
 *   leading digit or `.`: PowerShell parses `0x10`, `1kb`, `1e3`, `007`, `.5` as numbers. A
 *   native program still gets the original text, but a cmdlet or function parameter gets the
 *   number (16, 1024, 1000, 7, 0.5), and a number in command position is not run at all;
 * - a parameter name `-Name` / `--name` with only letters, digits, `_` and `-` after the dash
 *   (5.1 splits `-a.b` into `-a` and `.b`; `--%` is the stop-parsing token);
 * - a small decimal integer (a PID, a port) that prints back identically;
 * - a dotted version or IPv4 address (`1.2.3`, `0.0.0.0`): two or more dots are never a number.
 */
const PLAIN_WORD =
  /^(?:[A-Za-z_\\/][A-Za-z0-9_.\\/:=-]*|--?[A-Za-z_][A-Za-z0-9_-]*|0|[1-9][0-9]{0,8}|[0-9]+(?:\.[0-9]+){2,})$/;

/** Keywords PowerShell parses as syntax, not as a command, at the start of a statement. */
const KEYWORDS = new Set([
  'begin',
  'break',
  'catch',
  'class',
  'configuration',
  'continue',
  'data',
  'define',
  'do',
  'dynamicparam',
  'else',
  'elseif',
  'end',
  'enum',
  'exit',
  'filter',
  'finally',
  'for',
  'foreach',
  'from',
  'function',
  'hidden',
  'if',
  'in',
  'inlinescript',
  'parallel',
  'param',
  'process',
  'return',
  'sequence',
  'static',
  'switch',
  'throw',
  'trap',
  'try',
  'until',
  'using',
  'var',
  'while',
  'workflow',
]);

/**
 * Quotes one argument for PowerShell: plain words stay bare, everything else becomes a
 * single-quoted literal with every single-quote character doubled. `''` is the empty string.
 */
export function quotePowerShellArg(s: string): string {
  if (PLAIN_WORD.test(s)) return s;
  return singleQuote(s);
}

/**
 * Quotes the first word of a command. A quoted string at the start of a statement is an
 * expression, not a command (`'C:\a b\x.exe' /?` is a parse error), so a quoted name gets the
 * call operator: `& 'C:\a b\x.exe'`. Keywords (`if`, `foreach`...) are quoted the same way so a
 * program of that name runs. Parameters (`-x`) and numbers are never command names, so only a
 * name starting with a letter, `_`, `\` or `/` stays bare.
 */
export function quotePowerShellCommandName(s: string): string {
  if (/^[A-Za-z_\\/]/.test(s) && PLAIN_WORD.test(s) && !KEYWORDS.has(s.toLowerCase())) return s;
  return `& ${singleQuote(s)}`;
}

function singleQuote(s: string): string {
  return `'${s.replace(QUOTES, (quote) => quote + quote)}'`;
}
