/**
 * Makes untrusted text (process names, paths, command lines, container names) safe to print on
 * a terminal. Any program can name itself `\x1b[2J` or `evil\rsshd`, so every character that
 * could move the cursor, clear or retitle the screen, fake a line break or reorder text is shown
 * as a visible escape instead:
 * - C0 controls, DEL and C1 controls (ESC, CR, LF, TAB, BEL, U+0085 NEL, U+009B CSI...) become
 *   `\xNN`. Escaping the ESC (or CSI) byte is what disarms an ANSI sequence: the rest of it,
 *   `[31m`, is plain text;
 * - format characters (bidi overrides and isolates U+202A-202E, U+2066-2069, marks U+200E/F,
 *   zero-width characters, BOM, tag characters), the line and paragraph separators
 *   U+2028/U+2029, and unpaired surrogates become `\u{NNNN}`;
 * - with asciiOnly (the default) every other non-ASCII character becomes `\u{NNNN}` too, so
 *   Windows PowerShell 5.1 and consoles on an OEM code page show no mojibake.
 *
 * This is display text, not an encoding: `\` is not escaped, so Windows paths stay readable
 * and the output cannot be decoded back unambiguously.
 */

export interface DisplayOptions {
  /**
   * Most characters of text to keep, counted after escaping (an escape counts in full and is
   * never cut). Longer text is cut and gets a `... (N more characters)` suffix, N counting the
   * input's code points left out. Default 200; Infinity keeps everything.
   */
  maxLength?: number;
  /** Escape every non-ASCII character as well. Default true. */
  asciiOnly?: boolean;
}

const DEFAULT_MAX_LENGTH = 200;

/** Invisible or layout-changing non-ASCII characters, escaped even when asciiOnly is false. */
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Every character that toDisplayText escapes regardless of asciiOnly (C0, DEL, C1 + INVISIBLE). */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** Returns text that cannot control a terminal; see the module comment for the rules. */
export function toDisplayText(s: string, options: DisplayOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (!(maxLength === Infinity || (Number.isInteger(maxLength) && maxLength >= 0))) {
    throw new RangeError(`maxLength must be a whole number from 0 up, or Infinity; got ${maxLength}`);
  }
  const asciiOnly = options.asciiOnly ?? true;

  const parts: string[] = [];
  let used = 0;
  let index = 0;
  // One pass over the input that stops as soon as the budget is spent: linear in the part
  // shown, whatever the input holds. Walking by code point keeps surrogate pairs whole.
  while (index < s.length) {
    const codePoint = s.codePointAt(index) ?? 0;
    const width = codePoint > 0xffff ? 2 : 1;
    const escaped = escapeCodePoint(codePoint, asciiOnly);
    const cost = escaped === null ? 1 : escaped.length;
    if (used + cost > maxLength) break;
    parts.push(escaped ?? s.slice(index, index + width));
    used += cost;
    index += width;
  }
  const shown = parts.join('');
  if (index >= s.length) return shown;
  const left = countCodePoints(s, index);
  return `${shown}... (${left} more character${left === 1 ? '' : 's'})`;
}

/**
 * True when the text holds a character that toDisplayText escapes even with asciiOnly off:
 * a control, format or separator character, or an unpaired surrogate. Text without them can
 * be printed as it is (used for copy-paste commands, which escaping would break).
 */
export function hasUnsafeDisplayCharacter(s: string): boolean {
  return UNSAFE.test(s);
}

function escapeCodePoint(codePoint: number, asciiOnly: boolean): string | null {
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) {
    return `\\x${codePoint.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (codePoint < 0x7f) return null;
  if (asciiOnly || INVISIBLE.test(String.fromCodePoint(codePoint))) {
    return `\\u{${codePoint.toString(16).toUpperCase().padStart(4, '0')}}`;
  }
  return null;
}

function countCodePoints(s: string, from: number): number {
  let count = 0;
  for (let index = from; index < s.length; index += 1) {
    const unit = s.charCodeAt(index);
    const isPairedLow =
      unit >= 0xdc00 && unit <= 0xdfff && index > from && isHighSurrogate(s.charCodeAt(index - 1));
    if (!isPairedLow) count += 1;
  }
  return count;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

/**
 * A name from another program (process, container, service, unit) for use inside a sentence:
 * escaped and short, so it can never move the cursor or fake a line.
 */
export function toDisplayName(name: string): string {
  return toDisplayText(name, { maxLength: 80 });
}
