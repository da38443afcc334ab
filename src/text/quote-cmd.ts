/**
 * Quoting for a command line typed (or pasted) at an interactive cmd.exe prompt.
 *
 * Two parsers read that line, one after the other:
 * 1. cmd.exe expands `%NAME%` (and `!NAME!` when delayed expansion is on), then treats
 *    `^ & | < > ( )` as syntax, except between double quotes: each `"` toggles a quoted state
 *    in which those characters are plain text.
 * 2. The program splits the rest into argv, nearly always with the CommandLineToArgvW /
 *    Microsoft C runtime rules: `"` groups, and backslashes are literal except right before
 *    a `"`, where 2n backslashes + `"` mean n backslashes and a closing quote.
 *
 * So an argument is wrapped in double quotes (every metacharacter inside is inert to cmd) and
 * its trailing backslashes are doubled (so they do not escape the closing quote for the
 * program). Some strings cannot be made safe for both parsers, and quoteCmdArg returns null:
 * - `%`: percent expansion runs before quotes are looked at, and at an interactive prompt
 *   (unlike in a batch file) there is no escape for it: `%%` and `^%` do not work inside quotes.
 * - `!`: expanded even inside quotes when delayed expansion is enabled (registry or /V:ON),
 *   which the user's cmd may have.
 * - `"`: the program would need `\"`, but cmd does not know that escape; it sees the quote
 *   toggle its quoted state and the rest of the argument would be exposed as syntax.
 * - CR, LF: a command line is one line. NUL: it ends the line.
 * Callers then offer the PowerShell command instead.
 */

/** Null when the string cannot be written safely on a cmd.exe command line. */
export type CmdQuoted = string | null;

/**
 * Plain arguments that neither parser changes. `,` `;` `=` are left out: cmd and batch files
 * split arguments on them (`npm.cmd a=b` sees two arguments), quoting keeps them together.
 */
const PLAIN_ARG = /^[A-Za-z0-9_+:.\\/-]+$/;

/**
 * Plain command names. cmd ends the command name at `/` (`dir/w` runs `dir /w`), a leading `:`
 * is a label and `@` turns echo off, so only these stay bare.
 */
const PLAIN_COMMAND = /^[A-Za-z0-9_.\\-][A-Za-z0-9_.:\\-]*$/;

const UNREPRESENTABLE = /[%!"\r\n\0]/;

/** Quotes one argument for cmd.exe, or returns null when cmd.exe cannot carry it. */
export function quoteCmdArg(s: string): CmdQuoted {
  if (UNREPRESENTABLE.test(s)) return null;
  if (PLAIN_ARG.test(s)) return s;
  // Only backslashes right before the closing quote need doubling: no `"` is inside.
  return `"${s}${'\\'.repeat(countTrailingBackslashes(s))}"`;
}

/**
 * Quotes the program (first word), or null. The program name is not split with the argument
 * rules (the C runtime takes argv[0] up to the next `"`, backslashes included), so trailing
 * backslashes are not doubled here.
 */
export function quoteCmdCommandName(s: string): CmdQuoted {
  if (s === '' || UNREPRESENTABLE.test(s)) return null;
  if (PLAIN_COMMAND.test(s)) return s;
  return `"${s}"`;
}

// A loop, not /\\*$/: that regex retries from every backslash and is quadratic on long runs.
function countTrailingBackslashes(s: string): number {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x5c) end -= 1;
  return s.length - end;
}
