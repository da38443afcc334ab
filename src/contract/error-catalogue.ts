import { ExitCode, type ExitCodeValue } from './exit-codes.ts';

/** Every error the core can report: a stable code, its exit code and a hint that names the fix. */
export const errorCatalogue = {
  E_INVALID_PORT: {
    exit: ExitCode.usage,
    hint: 'Give a whole number from 1 to 65535, for example --port 7777.',
  },
  E_INVALID_HOST: {
    exit: ExitCode.usage,
    hint: 'Give an IP address such as 0.0.0.0, 127.0.0.1, :: or ::1, or localhost.',
  },
  E_HOST_NOT_LOCAL: {
    exit: ExitCode.usage,
    hint: 'Use 0.0.0.0 (all interfaces), 127.0.0.1 (this machine only) or an address of this machine.',
  },
  E_USAGE: {
    exit: ExitCode.usage,
    hint: 'Run tapo-port --help to see the commands and their options.',
  },
  E_NO_FREE_PORT: {
    exit: ExitCode.noFreePort,
    hint: 'Widen the range with --end, or free a port: tapo-port check --port <port> shows who holds it.',
  },
  E_SOCKET_TABLE: {
    exit: ExitCode.unknown,
    hint: 'Run again with elevated rights (sudo, or an administrator PowerShell).',
  },
  E_DEPENDENCY_MISSING: {
    exit: ExitCode.dependencyMissing,
    hint: 'Install the named tool or run on a system where it is available.',
  },
  E_NOT_AN_OWNER: {
    exit: ExitCode.usage,
    hint: 'Run tapo-port check --port <port> to see which PIDs and containers hold the port, and pass one of them.',
  },
  E_STATE_DIR: {
    exit: ExitCode.unexpected,
    hint: 'Point TAPO_STATE_DIR at a private directory of yours (mode 700), or fix the one named.',
  },
  E_UNEXPECTED: {
    exit: ExitCode.unexpected,
    hint: 'This is a bug in tapo-port. Run again with TAPO_DEBUG=1 and report the output.',
  },
} as const satisfies Record<string, { exit: ExitCodeValue; hint: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error a user can cause or fix; the CLI prints it as one line, never as a stack trace. */
export class TapoError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  constructor(code: ErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'TapoError';
    this.code = code;
    this.hint = hint ?? errorCatalogue[code].hint;
  }
  get exitCode(): ExitCodeValue {
    return errorCatalogue[this.code].exit;
  }
}
