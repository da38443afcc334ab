// The command line: yargs' commands, options, help and exit-code epilogue, parsed into Parsed
// (raw values; each command's own parser checks them). Nothing here writes but yargs' own --help
// and --version text.
import yargs from 'yargs';
import { TapoError } from '../contract/error-catalogue.ts';
import { exitCodeTable } from '../contract/exit-codes.ts';
import { VERSION } from '../contract/version.ts';
import type { StartArguments } from '../start/parse-start-request.ts';

export type Parsed =
  | { command: 'check'; port: unknown; host: unknown; healthTimeout: unknown; json: boolean }
  | { command: 'find-port'; start: unknown; end: unknown; host: unknown; exclude: unknown; json: boolean }
  | {
      command: 'stop';
      port: unknown;
      host: unknown;
      timeout: unknown;
      pid: unknown;
      container: unknown;
      confirmed: unknown;
      force: boolean;
      dryRun: boolean;
      json: boolean;
    }
  | ({ command: 'start' } & StartArguments)
  | { command: 'status'; port: unknown; healthTimeout: unknown; json: boolean }
  | { command: 'none' };

const exitCodeHelp = ['Exit codes:', ...exitCodeTable.map((row) => `  ${row.code}  ${row.meaning}`)].join(
  '\n',
);

export async function parseArguments(argv: string[]): Promise<Parsed> {
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
          .option('health-timeout', {
            type: 'string',
            requiresArg: true,
            describe: 'Seconds to wait for a dashboard holding the port to answer /api/health [default: 1]',
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
          healthTimeout: args['health-timeout'] ?? '1',
          json: args.json,
        };
      },
    )
    .command(
      'find-port',
      'The first port from --start up that check would call free for the host; prints the number.',
      (command) =>
        command
          .option('start', {
            type: 'string',
            requiresArg: true,
            describe: 'First port to try [default: 7777]',
          })
          .option('end', {
            type: 'string',
            requiresArg: true,
            describe: 'Last port to try [default: start + 100]',
          })
          .option('host', {
            type: 'string',
            requiresArg: true,
            describe: 'Address the dashboard binds [default: 0.0.0.0]',
          })
          .option('exclude', {
            type: 'string',
            requiresArg: true,
            describe: 'Ports never to pick, e.g. 7778,8000-8010, or none [default: 7778]',
          })
          .option('json', {
            type: 'boolean',
            default: false,
            describe: 'One versioned JSON document on stdout',
          })
          .example('$0 find-port', 'Next free port from 7777 on all interfaces')
          .example('$0 find-port --start 8000 --end 8100 --exclude 8080', 'Search a range')
          .epilogue(exitCodeHelp),
      (args) => {
        parsed = {
          command: 'find-port',
          start: args.start ?? '7777',
          end: args.end,
          host: args.host ?? '0.0.0.0',
          exclude: args.exclude,
          json: args.json,
        };
      },
    )
    .command(
      'stop',
      'Stop what holds the port, gracefully and safely: plan, act, wait until the port is free.',
      (command) =>
        command
          .option('port', { type: 'string', requiresArg: true, describe: 'TCP port to free [default: 7777]' })
          .option('host', {
            type: 'string',
            requiresArg: true,
            describe: 'Address the dashboard binds [default: 0.0.0.0]',
          })
          .option('timeout', {
            type: 'string',
            requiresArg: true,
            describe: 'Seconds to wait for a graceful stop [default: 10]',
          })
          .option('force', {
            type: 'boolean',
            default: false,
            describe: 'After the timeout, end it forcefully (SIGKILL; TerminateProcess on Windows)',
          })
          .option('dry-run', { type: 'boolean', default: false, describe: 'Show the plan; change nothing' })
          .option('pid', {
            type: 'string',
            requiresArg: true,
            describe: 'Stop only this owner (several hold the port)',
          })
          .option('container', {
            type: 'string',
            requiresArg: true,
            describe: 'Stop only this container (name or id)',
          })
          .option('confirmed', {
            type: 'string',
            array: true,
            requiresArg: true,
            describe:
              'Act only when every target is one of these (PID@START-TIME or container:ID, from a dry run); otherwise stop nothing (exit 8)',
          })
          .option('json', {
            type: 'boolean',
            default: false,
            describe: 'One versioned JSON document on stdout',
          })
          .example('$0 stop --dry-run', 'Show what would be stopped on port 7777')
          .example('$0 stop --port 8080 --timeout 20 --force', 'Stop, and force it after 20 s')
          .epilogue(exitCodeHelp),
      (args) => {
        parsed = {
          command: 'stop',
          port: args.port ?? '7777',
          host: args.host ?? '0.0.0.0',
          timeout: args.timeout ?? '10',
          pid: args.pid,
          container: args.container,
          confirmed: args.confirmed,
          force: args.force,
          dryRun: args['dry-run'],
          json: args.json,
        };
      },
    )
    .command(
      'start',
      'Start the dashboard: check the port, resolve a conflict by policy, wait until ready, stay in the foreground.',
      (command) =>
        command
          .parserConfiguration({ 'populate--': true })
          .usage('$0 start [options] [-- COMMAND ...]')
          .option('port', { type: 'string', requiresArg: true, describe: 'Port to start on [default: 7777]' })
          .option('host', {
            type: 'string',
            requiresArg: true,
            describe: 'Address the dashboard binds [default: 0.0.0.0]',
          })
          .option('on-conflict', {
            type: 'string',
            requiresArg: true,
            describe:
              'When the port is not free: reuse (our dashboard answers: exit 0; else as fail), fail, next, stop [default: reuse]',
          })
          .option('health-url', {
            type: 'string',
            requiresArg: true,
            describe: 'Path or URL ({host}, {port}) that answers when ready [default: /api/health]',
          })
          .option('health-timeout', {
            type: 'string',
            requiresArg: true,
            describe: 'Seconds one health request may take (readiness, reuse) [default: 10]',
          })
          .option('ready-timeout', {
            type: 'string',
            requiresArg: true,
            describe: 'Seconds to wait until it is ready [default: 60]',
          })
          .option('skip-dependency-check', {
            type: 'boolean',
            default: false,
            describe: "Do not run the project's validate_dependencies.py before the port check",
          })
          .option('project-dir', {
            type: 'string',
            requiresArg: true,
            describe: 'The dashboard checkout (venv, working directory) [default: $TAPO_PROJECT_DIR or .]',
          })
          .option('log-file', {
            type: 'string',
            requiresArg: true,
            describe: "Append timestamped lines (ours and the dashboard's) to this file",
          })
          .option('stop-timeout', {
            type: 'string',
            requiresArg: true,
            describe: 'With --on-conflict stop: seconds for a graceful stop [default: 10]',
          })
          .option('force', {
            type: 'boolean',
            default: false,
            describe: 'With --on-conflict stop: force the stop after --stop-timeout',
          })
          .option('confirmed', {
            type: 'string',
            array: true,
            requiresArg: true,
            describe:
              'With --on-conflict stop: stop only when every holder is one of these (PID@START-TIME or container:ID, from stop --dry-run --json)',
          })
          .option('json', {
            type: 'boolean',
            default: false,
            describe: "One JSON document on stdout when start ends (the dashboard's stdout goes to stderr)",
          })
          .example(
            '$0 start',
            'Start on 7777; if our dashboard already runs and answers there, say so and exit 0',
          )
          .example('$0 start --on-conflict next', 'Start on the next free port when 7777 is taken')
          .example('$0 start --port 8080 -- python app.py --port {port}', 'Any command, with placeholders')
          .epilogue(exitCodeHelp),
      (args) => {
        parsed = {
          command: 'start',
          port: args.port ?? '7777',
          host: args.host ?? '0.0.0.0',
          onConflict: args['on-conflict'] ?? 'reuse',
          healthUrl: args['health-url'] ?? '/api/health',
          healthTimeout: args['health-timeout'] ?? '10',
          readyTimeout: args['ready-timeout'] ?? '60',
          skipDependencyCheck: args['skip-dependency-check'],
          projectDir: args['project-dir'],
          logFile: args['log-file'],
          force: args.force,
          stopTimeout: args['stop-timeout'] ?? '10',
          confirmed: args.confirmed,
          json: args.json,
          // yargs leaves `--` with nothing after it undefined: that is an empty command, not none.
          commandWords: (args['--'] as unknown[] | undefined) ?? (argv.includes('--') ? [] : undefined),
        };
      },
    )
    .command(
      'status',
      'What the last start recorded for the port, and how that dashboard is now (process, port, health).',
      (command) =>
        command
          .option('port', {
            type: 'string',
            requiresArg: true,
            describe: 'The port the dashboard was started for [default: 7777]',
          })
          .option('health-timeout', {
            type: 'string',
            requiresArg: true,
            describe: 'Seconds to wait for /api/health to answer [default: 10]',
          })
          .option('json', {
            type: 'boolean',
            default: false,
            describe: 'One versioned JSON document on stdout',
          })
          .example('$0 status', 'Is the dashboard started for 7777 running, and healthy?')
          .epilogue(exitCodeHelp),
      (args) => {
        parsed = {
          command: 'status',
          port: args.port ?? '7777',
          healthTimeout: args['health-timeout'] ?? '10',
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

export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h') || argv.length === 0;
}
