import { VERSION } from './version.ts';

/** Terraform's rule: minor = additive, major = breaking. Readers refuse an unknown major. */
export const SCHEMA_VERSION = '1.2';

export type EnvelopeKind =
  'PortCheck' | 'PortSearch' | 'PortStop' | 'DashboardStart' | 'DashboardStatus' | 'Error';

export interface Warning {
  code: string;
  message: string;
}

export interface Envelope<T> {
  schemaVersion: string;
  kind: EnvelopeKind;
  tool: { name: 'tapo-port'; version: string };
  ok: boolean;
  data: T | null;
  error: { code: string; message: string; hint: string } | null;
  warnings: Warning[];
}

export function successEnvelope<T>(kind: EnvelopeKind, data: T, warnings: Warning[]): Envelope<T> {
  return { schemaVersion: SCHEMA_VERSION, kind, tool: toolInfo(), ok: true, data, error: null, warnings };
}

export function errorEnvelope(
  kind: EnvelopeKind,
  error: { code: string; message: string; hint: string },
): Envelope<null> {
  return {
    schemaVersion: SCHEMA_VERSION,
    kind,
    tool: toolInfo(),
    ok: false,
    data: null,
    error,
    warnings: [],
  };
}

function toolInfo(): { name: 'tapo-port'; version: string } {
  return { name: 'tapo-port', version: VERSION };
}

/**
 * One JSON document, pure ASCII: everything outside printable ASCII is a \uXXXX escape,
 * so Windows PowerShell 5.1 reading it through an OEM code page sees the same text.
 */
export function toAsciiJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
