import { hasUnsafeDisplayCharacter } from './display-safe.ts';
import { quoteCmdArg, quoteCmdCommandName } from './quote-cmd.ts';
import { quotePosixArg, quotePosixCommandName } from './quote-posix.ts';
import { quotePowerShellArg, quotePowerShellCommandName } from './quote-powershell.ts';

/**
 * One command in the three shells a user may paste it into. Null means "cannot be written
 * safely in this shell" (or, set by callers, "does not apply there"); the reader then offers
 * another shell instead of a broken command.
 */
export interface ShellCommands {
  powershell: string | null;
  cmd: string | null;
  posix: string | null;
}

/**
 * Builds the command that runs argv (program first) in each shell, so callers never join
 * strings themselves. Each variant is null when a shell cannot carry the arguments:
 * - all three when an argument holds a control, format or line-separator character (or an
 *   unpaired surrogate): the command is printed as-is for copy-paste, and such a character
 *   would act on the terminal or be lost in the paste;
 * - powershell when an argument after the program is empty, holds `"`, or has whitespace and
 *   ends in `\`: Windows PowerShell 5.1 (and 7.x for batch files) rebuilds the native command
 *   line without escaping, dropping the empty argument or breaking the others;
 * - cmd when an argument holds `%`, `!`, `"` (see quote-cmd.ts).
 * Commands meant for one shell only (Stop-Process, kill) set the others to null: the
 * caller's job, as only the caller knows.
 */
export function commandFor(argv: readonly string[]): ShellCommands {
  const [program, ...args] = argv;
  if (program === undefined || program === '') {
    throw new RangeError('commandFor needs argv with the program name first');
  }
  if (argv.some(hasUnsafeDisplayCharacter)) return { powershell: null, cmd: null, posix: null };
  return {
    powershell: powerShellCommand(program, args),
    cmd: cmdCommand(program, args),
    posix: posixCommand(program, args),
  };
}

function powerShellCommand(program: string, args: readonly string[]): string | null {
  if (args.some(isMangledByWindowsPowerShell)) return null;
  return [quotePowerShellCommandName(program), ...args.map(quotePowerShellArg)].join(' ');
}

function isMangledByWindowsPowerShell(arg: string): boolean {
  return arg === '' || arg.includes('"') || (/\s/.test(arg) && arg.endsWith('\\'));
}

function cmdCommand(program: string, args: readonly string[]): string | null {
  const words = [quoteCmdCommandName(program), ...args.map(quoteCmdArg)];
  return words.every((word): word is string => word !== null) ? words.join(' ') : null;
}

function posixCommand(program: string, args: readonly string[]): string {
  // No NUL can reach the quoters: hasUnsafeDisplayCharacter rejected it above.
  return [quotePosixCommandName(program), ...args.map(quotePosixArg)].join(' ');
}

/** The command in this platform's shell (PowerShell on Windows, POSIX elsewhere), or a pointer when it cannot be shown safely. */
export function shellCommandFor(platform: NodeJS.Platform, argv: readonly string[]): string {
  const commands = commandFor(argv);
  const text = platform === 'win32' ? commands.powershell : commands.posix;
  return text ?? '(the command cannot be shown safely; see tapo-port check)';
}
