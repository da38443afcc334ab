import { ExitCode, type ExitCodeValue } from '../contract/exit-codes.ts';
import type { PortStatus } from './port-status.ts';

export function exitCodeForStatus(status: PortStatus): ExitCodeValue {
  if (status === 'free') return ExitCode.ok;
  if (status === 'unknown') return ExitCode.unknown;
  return ExitCode.portUnavailable;
}
