// The only file that touches argv, stdout/stderr and the exit code.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { errorEnvelope, successEnvelope, toAsciiJson } from './contract/envelope.ts';
import { TapoError } from './contract/error-catalogue.ts';
import { ExitCode, exitCodeTable } from './contract/exit-codes.ts';
import { parseHost } from './input/parse-host.ts';
import { parsePort } from './input/parse-port.ts';
import { toDisplayText } from './render/display-safe.ts';
import { VERSION } from './version.ts';

type Parsed = { command: 'check'; port: unknown; host: unknown; json: boolean } | { command: 'none' };

const exitCodeHelp = ['Exit codes:', ...exitCodeTable.map((row) => `  ${row.code}  ${row.meaning}`)].join(
  '\n',
);

async function parseArguments(argv: string[]): Promise<Parsed> {
  let parsed: Parsed = { command: 'none' };
  await yargs(argv)
    .scriptName('tapo-port')
    .detectLocale(false)
    .version(VERSION)
    .strict()
    .exitProcess(false)
    // yargs renders the whole help text after every command, to have it ready for errors; wrapping
    // it costs ~10 ms of start-up, so only help that is actually shown is wrapped.
    .wrap(wantsHelp(argv) ? Math.min(100, process.stdout.columns || 100) : null)
    .usage('$0 <command> [options]\n\nExplains who holds the Tapo dashboard port and how to free it.')
    .command(
      'check',
      'Can the dashboard bind host:port? If not, who or what is in the way, and how to fix it.',
      (command) =>
        command
          .option('port', {
            type: 'string',
            requiresArg: true,
            describe: 'TCP port the dashboard binds (1-65535) [default: 7777]',
          })
          .option('host', {
            type: 'string',
            requiresArg: true,
            describe: 'Address the dashboard binds [default: 0.0.0.0]',
          })
          .option('json', {
            type: 'boolean',
            default: false,
            describe: 'One versioned JSON document on stdout',
          })
          .example('$0 check', 'Check port 7777 on all interfaces')
          .example('$0 check --port 8080 --host 127.0.0.1 --json', 'Machine-readable answer')
          .epilogue(exitCodeHelp),
      (args) => {
        // Defaults are applied here, not by yargs: a yargs default hides `--port` given with no value.
        parsed = {
          command: 'check',
          port: args.port ?? '7777',
          host: args.host ?? '0.0.0.0',
          json: args.json,
        };
      },
    )
    .demandCommand(1, 'Name a command, for example: tapo-port check')
    .epilogue(exitCodeHelp)
    .fail((message, error) => {
      throw error instanceof TapoError
        ? error
        : new TapoError('E_USAGE', message ?? error?.message ?? 'invalid arguments');
    })
    .parseAsync();
  return parsed;
}

function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h') || argv.length === 0;
}

async function main(argv: string[]): Promise<void> {
  // Before the arguments are parsed (a usage error), guess from the words; after, trust yargs.
  let wantsJson = argv.some((word) => /^--json(=(true|1))?$/.test(word));
  try {
    const parsed = await parseArguments(argv);
    if (parsed.command === 'none') return; // --help or --version was printed
    if (parsed.command === 'check') {
      wantsJson = parsed.json;
      const port = parsePort(parsed.port);
      const host = parseHost(parsed.host);
      const [{ runCheck }, { createSystemDeps }, { exitCodeForStatus }] = await Promise.all([
        import('./commands/check.ts'),
        import('./platform/system-deps.ts'),
        import('./commands/port-status-exit.ts'),
      ]);
      const { data, warnings } = await runCheck(createSystemDeps(), host, port);
      if (parsed.json) {
        process.stdout.write(toAsciiJson(successEnvelope('PortCheck', data, warnings)) + '\n');
      } else {
        const { renderCheckText } = await import('./render/render-check-text.ts');
        const colour = process.stdout.isTTY === true && !('NO_COLOR' in process.env);
        process.stdout.write(renderCheckText(data, warnings, { colour }));
      }
      process.exitCode = exitCodeForStatus(data.status);
    }
  } catch (caught) {
    reportError(caught, wantsJson);
  }
}

function reportError(caught: unknown, json: boolean): void {
  const error =
    caught instanceof TapoError
      ? caught
      : new TapoError('E_UNEXPECTED', caught instanceof Error ? caught.message : String(caught));
  if (json) {
    process.stdout.write(
      toAsciiJson(errorEnvelope('Error', { code: error.code, message: error.message, hint: error.hint })) +
        '\n',
    );
  }
  // One line of printable ASCII, whatever the user typed into the bad value.
  const oneLine = (text: string): string =>
    toDisplayText(text.replace(/\s*[\r\n]+\s*/g, ' '), { maxLength: 400 });
  process.stderr.write(`tapo-port: ${oneLine(error.message)} (${error.code}) Hint: ${oneLine(error.hint)}\n`);
  if (process.env.TAPO_DEBUG === '1' && caught instanceof Error && caught.stack)
    process.stderr.write(caught.stack + '\n');
  process.exitCode = error.exitCode;
}

void main(hideBin(process.argv)).catch(() => {
  process.exitCode = ExitCode.unexpected;
});
