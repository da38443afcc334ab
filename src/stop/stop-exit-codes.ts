import { ExitCode, type ExitCodeValue } from '../contract/exit-codes.ts';
import type { StopOutcome } from './stop-types.ts';

/** The exit code of each stop outcome: for `stop`, and for `start --on-conflict stop` when the stop fails. */
export const stopExitCodes: Record<StopOutcome, ExitCodeValue> = {
  stopped: ExitCode.stopped,
  'would-stop': ExitCode.ok,
  'nothing-to-stop': ExitCode.nothingToStop,
  refused: ExitCode.refused,
  failed: ExitCode.stopFailed,
  'timed-out': ExitCode.stopFailed,
};
