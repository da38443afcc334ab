import type { PortStatus } from './port-status.ts';
import type { BindHost } from '../input/parse-host.ts';
import { formatEndpoint } from '../input/address-family.ts';
import type { Owner } from '../owners/owner.ts';
import type { BindProbeResult } from '../system/bind-probe.ts';
import type { ReservedRange } from '../sockets/reserved-range.ts';

export interface SummaryInput {
  status: PortStatus;
  host: BindHost;
  port: number;
  owners: readonly Owner[];
  reservedRange: ReservedRange | null;
  probe: BindProbeResult;
  platform: NodeJS.Platform;
  tableReadable: boolean;
}

/** The one-sentence answer, in plain words. */
export function summarizeCheck(input: SummaryInput): string {
  const where = `Port ${input.port} on ${formatEndpoint(input.host.address, input.port).replace(/:\d+$/, '')}`;
  const held = input.owners.map((owner) => owner.description).join('; ');
  switch (input.status) {
    case 'free':
      return `${where} is free: the dashboard can use it.`;
    case 'in-use':
      return held
        ? `${where} is in use: ${held}.`
        : `${where} is in use, but the socket table shows no owner (the bind failed with ${input.probe.errno ?? 'an error'}).`;
    case 'reserved': {
      const range = input.reservedRange;
      const span = range ? `${range.start}-${range.end}` : 'a range';
      return `${where} is reserved by Windows (excluded port range ${span}${range?.administered ? ', added by an administrator' : ', usually Hyper-V, WSL or Docker Desktop'}); no process holds it, but nothing can bind it.`;
    }
    case 'forbidden': {
      const why =
        input.port < 1024 && input.platform !== 'win32'
          ? 'ports below 1024 need privileges'
          : 'an exclusive socket or security software refuses it';
      return `${where} cannot be bound (${input.probe.errno ?? 'access denied'}): ${why}.`;
    }
    case 'shadowed':
      return `${where} is free to bind, but ${held || 'another listener'} also answers "localhost" on this port, so browsers may reach it instead of the dashboard.`;
    case 'unknown':
      return input.tableReadable
        ? `${where}: could not decide (the bind probe failed with ${input.probe.errno ?? 'an error'}), so it is not reported as free.`
        : `${where}: could not decide (the socket table could not be read), so it is not reported as free.`;
  }
}
