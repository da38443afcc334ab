import type { ContainerFacts } from '../docker/container-facts.ts';
import type { HealthReport } from '../health/health-report.ts';
import type { ProcessFacts } from './process-facts.ts';

export type OwnerKind =
  'process' | 'container' | 'forwarder' | 'wsl' | 'http.sys' | 'service' | 'dashboard' | 'hidden';

/**
 * Who holds (or publishes) the port. One flat shape for every kind: each key is always present,
 * the sub-object of the other kinds is null, so readers (PowerShell) need no type switch.
 */
export interface Owner {
  kind: OwnerKind;
  /**
   * The PID to act on when stopping this owner. Null for containers (stopped through Docker,
   * never through their forwarder), http.sys and hidden owners.
   */
  pid: number | null;
  /** One plain sentence: "python3 (PID 4242) listening on 0.0.0.0:7777". */
  description: string;
  /** Host addresses this owner listens on for the port, e.g. ["0.0.0.0", "::"]. */
  addresses: string[];
  process: ProcessFacts | null;
  container: ContainerFacts | null;
  /** Forwarder product when the holder forwards for something else (docker-proxy, Docker Desktop, wslrelay). */
  forwarder: ForwarderFacts | null;
  services: string[] | null;
  httpSys: { urls: string[]; processIds: number[] } | null;
  dashboard: DashboardFacts | null;
  hidden: { uid: number | null; reason: string; revealCommand: string } | null;
}

/** A process that holds the port for something else, and whether that something is still there. */
export interface ForwarderFacts {
  product: string;
  name: string | null;
  pid: number | null;
  /**
   * True when the one who knows said nothing is behind it any more (the Docker engine publishes no
   * container on the port; WSL runs no distribution, or nothing inside listens): a leftover.
   * False when something is (a container, a program inside WSL). Null when that could not be asked.
   */
  stale: boolean | null;
  /** The WSL distribution whose table was read (a WSL relay only), else null. */
  wslDistribution: string | null;
}

/** Our own dashboard holding the port: how it was recognised and what its health URL said. */
export interface DashboardFacts {
  healthUrl: string;
  /** The status word of its health answer (`healthy`, `warning`, ...); null when it did not answer. */
  healthStatus: string | null;
  /** The whole answer: slow, silent or not the dashboard's, its issues and cameras. */
  health: HealthReport;
  /** `status-record`: a `tapo-port start` recorded this PID and start time; else its command line. */
  recognizedBy: 'status-record' | 'command-line';
}

/** An owner of `kind` with every fact empty (each key present, as the contract wants); `fields` fills in what is known. */
export function emptyOwner(kind: OwnerKind, pid: number | null, fields: Partial<Owner> = {}): Owner {
  return {
    kind,
    pid,
    description: '',
    addresses: [],
    process: null,
    container: null,
    forwarder: null,
    services: null,
    httpSys: null,
    dashboard: null,
    hidden: null,
    ...fields,
  };
}
