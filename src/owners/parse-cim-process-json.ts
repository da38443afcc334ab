import type { ProcessFacts } from './process-facts.ts';

export interface CimProcessReport {
  /** Facts per PID; a key present in the JSON but null there stays null (unknown), never guessed. */
  processes: Map<number, Partial<ProcessFacts>>;
  /** Service names (for `Stop-Service`) hosted by each PID, in the order PowerShell listed them. */
  services: Map<number, string[]>;
}

/**
 * Reads the document printed by `buildCimQueryScript`. Tolerates what Windows PowerShell 5.1 does
 * differently from 7: a lone element serialised as an object instead of an array, `null` or a
 * missing key for no elements, arrays wrapped as `{"value":[...],"Count":n}`, dates as
 * `\/Date(ms)\/` (or `{"value":"\/Date(ms)\/",...}`), a UTF-8 BOM and CRLF.
 * Throws a SyntaxError when there is no JSON object to read.
 */
export function parseCimProcessJson(text: string): CimProcessReport {
  const document = readDocument(text);
  const processes = new Map<number, Partial<ProcessFacts>>();
  for (const item of toArray(document['processes'])) {
    const pid = readInteger(item['ProcessId']);
    if (pid === null) continue;
    processes.set(pid, {
      pid,
      name: readText(item['Name']),
      path: readText(item['ExecutablePath']),
      commandLine: readText(item['CommandLine']),
      user: readText(item['Owner']),
      startTime: readDate(item['CreationDate']),
      ppid: readInteger(item['ParentProcessId']),
    });
  }
  const services = new Map<number, string[]>();
  for (const item of toArray(document['services'])) {
    const pid = readInteger(item['ProcessId']);
    const name = readText(item['Name']);
    if (pid === null || name === null) continue;
    const names = services.get(pid) ?? [];
    if (!names.includes(name)) names.push(name);
    services.set(pid, names);
  }
  return { processes, services };
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readDocument(text: string): JsonObject {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    // A warning or progress text on stdout ahead of the document: the document is the last line.
    const lastLine = trimmed
      .split(/\r\n|\r|\n/)
      .reverse()
      .find((line) => line.trim().startsWith('{'));
    if (lastLine === undefined) throw new SyntaxError('no JSON object in the PowerShell output');
    parsed = JSON.parse(lastLine.replace(/^\uFEFF/, ''));
  }
  if (!isObject(parsed)) throw new SyntaxError('the PowerShell output is not a JSON object');
  return parsed;
}

function toArray(value: unknown): JsonObject[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.filter(isObject);
  if (isObject(value)) {
    // 5.1's ETS wrapper for arrays: {"value":[...],"Count":n}.
    if (Array.isArray(value['value']) && 'Count' in value) return value['value'].filter(isObject);
    return [value];
  }
  return [];
}

function readInteger(value: unknown): number | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return null;
}

/** An empty string is what CIM gives for a hidden or absent value: unknown, like null. */
function readText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** ISO-8601 UTC with milliseconds, or null. */
function readDate(value: unknown): string | null {
  if (isObject(value)) return readDate(value['value']);
  if (typeof value !== 'string' || value === '') return null;
  // `\/Date(1700000000000)\/` arrives from JSON.parse as `/Date(1700000000000)/`; an offset
  // suffix (`+0100`) only tells the writer's zone, the number is already UTC.
  const epoch = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(value);
  const date = epoch ? new Date(Number(epoch[1])) : parseIsoDate(value);
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function parseIsoDate(value: string): Date | null {
  // Only ISO strings with a zone: a zone-less or localized date (ko-KR `2020-08-28 PM 12:52:04` style)
  // would be read in this machine's zone or not at all.
  const iso = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (iso === null) return null;
  const fraction = (iso[2] ?? '').slice(0, 3).padEnd(3, '0');
  return new Date(`${iso[1]}.${fraction}${iso[3]}`);
}
