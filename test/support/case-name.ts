/**
 * A test's name for a value: its JSON with everything outside printable ASCII escaped. Raw
 * U+2028/U+2029 in a test name end a TAP line for TAP readers (Stryker's tap-parser stops
 * understanding the file), and a bidi override or a control character makes the name itself
 * hard to read, so names never carry them.
 */
export function caseName(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).replace(
    /[^\x20-\x7e]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
