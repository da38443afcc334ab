/**
 * The last lines a dashboard printed, kept so that a failed start can show them (a timeout, a
 * crash, an address in use). Memory stays bounded whatever the program writes: at most
 * `maxLines` lines of at most `maxLineLength` characters, plus one partial line of that size.
 */

export interface OutputTailOptions {
  /** Lines to keep. Default 20. */
  maxLines?: number;
  /**
   * Characters kept of each line. A longer line keeps its beginning (where an error names
   * itself) and ends in `...`, the whole within this length. Default 500, at least 4.
   */
  maxLineLength?: number;
}

const TRUNCATION_MARK = '...';

export class OutputTail {
  readonly #maxLines: number;
  readonly #maxLineLength: number;
  #lines: string[] = [];
  /** The line being written, already capped at #maxLineLength. */
  #current = '';
  #currentTruncated = false;
  /** A `\r` was the last character seen; whether it ends a line depends on the next chunk. */
  #pendingCarriageReturn = false;
  /** After a lone `\r`: the next text replaces the line (which stays shown until then). */
  #returned = false;

  constructor(options: OutputTailOptions = {}) {
    const maxLines = options.maxLines ?? 20;
    const maxLineLength = options.maxLineLength ?? 500;
    if (!Number.isInteger(maxLines) || maxLines < 1) {
      throw new RangeError(`maxLines must be a whole number of at least 1, not ${maxLines}.`);
    }
    if (!Number.isInteger(maxLineLength) || maxLineLength < TRUNCATION_MARK.length + 1) {
      throw new RangeError(`maxLineLength must be a whole number of at least 4, not ${maxLineLength}.`);
    }
    this.#maxLines = maxLines;
    this.#maxLineLength = maxLineLength;
  }

  /**
   * Adds output as it arrives, in chunks cut anywhere. `\n` and `\r\n` end a line (also when the
   * `\r` and the `\n` arrive in different chunks). A lone `\r` returns to the start of the line,
   * as on a terminal: text written after it replaces the line, so a progress bar redrawn with `\r`
   * leaves only its last state instead of pushing the lines that matter out of the tail.
   */
  push(chunk: string): void {
    let start = 0;
    if (this.#pendingCarriageReturn && chunk !== '') {
      this.#pendingCarriageReturn = false;
      if (chunk.startsWith('\n')) {
        this.#endLine();
        start = 1;
      } else {
        this.#returned = true;
      }
    }
    const lineBreak = /[\r\n]/g;
    lineBreak.lastIndex = start;
    let match: RegExpExecArray | null;
    while ((match = lineBreak.exec(chunk)) !== null) {
      const index = match.index;
      this.#append(chunk, start, index);
      if (chunk[index] === '\n') {
        this.#endLine();
        start = index + 1;
      } else if (index + 1 === chunk.length) {
        this.#pendingCarriageReturn = true;
        start = index + 1;
      } else if (chunk[index + 1] === '\n') {
        this.#endLine();
        start = index + 2;
      } else {
        this.#returned = true;
        start = index + 1;
      }
      lineBreak.lastIndex = start;
    }
    this.#append(chunk, start, chunk.length);
  }

  /** The kept lines, oldest first, then the line still being written if it is not empty. */
  lines(): string[] {
    const lines = this.#lines.slice();
    if (this.#current !== '') {
      lines.push(this.#finish());
      if (lines.length > this.#maxLines) lines.shift();
    }
    return lines;
  }

  #append(chunk: string, from: number, to: number): void {
    if (from >= to) return;
    if (this.#returned) this.#clearLine();
    const room = this.#maxLineLength - this.#current.length;
    // Only what fits is copied, so a 100 MB line without a newline costs maxLineLength characters.
    if (to - from > room) {
      this.#current += chunk.slice(from, from + room);
      this.#currentTruncated = true;
    } else {
      this.#current += chunk.slice(from, to);
    }
  }

  #finish(): string {
    if (!this.#currentTruncated) return this.#current;
    let kept = this.#current.slice(0, this.#maxLineLength - TRUNCATION_MARK.length);
    // Do not leave half of a surrogate pair before the mark.
    if (/[\ud800-\udbff]$/.test(kept)) kept = kept.slice(0, -1);
    return kept + TRUNCATION_MARK;
  }

  #endLine(): void {
    this.#lines.push(this.#finish());
    if (this.#lines.length > this.#maxLines) this.#lines.shift();
    this.#clearLine();
  }

  #clearLine(): void {
    this.#current = '';
    this.#currentTruncated = false;
    this.#returned = false;
  }
}
