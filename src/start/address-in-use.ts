/**
 * Recognises, in what a dashboard printed before it died, that it could not bind its port: the
 * one case where `start` re-checks the port and explains the holder instead of passing a crash
 * on. The dashboard is another program, so its output is the only evidence; the patterns are the
 * fixed texts and codes of the socket layers it may use, never free prose such as "port 98 in use".
 */

export type BindFailure = 'in-use' | 'forbidden';

/**
 * Someone else holds the address (EADDRINUSE / WSAEADDRINUSE 10048). All patterns are global
 * so that matchAll finds the last occurrence.
 */
const IN_USE_PATTERNS: readonly RegExp[] = [
  // strerror(EADDRINUSE) on Linux (errno 98), macOS and the BSDs (48); Python, uvicorn/asyncio
  // (lower case), Go (`bind: address already in use`), Java, Rust, .NET on Unix, Node.
  /\baddress already in use\b/gi,
  // Node's error code (`listen EADDRINUSE: address already in use :::7777`).
  /\bEADDRINUSE\b/g,
  // The Windows text of WSAEADDRINUSE: Python's [WinError 10048], asyncio's lower-case copy,
  // .NET SocketException, Rust `(os error 10048)`.
  /\bonly one usage of each socket address\b/gi,
  // The code itself, for a localized Windows, in the wrappers that print it.
  /\[(?:WinError|Errno) 10048\]|SocketException \(10048\)|\(os error 10048\)|\bWSAEADDRINUSE\b/g,
];

/**
 * The system refused the bind although no one may hold the port: on Windows a range reserved by
 * Hyper-V / WinNAT / WSL / Docker Desktop (WSAEACCES 10013); elsewhere a port below 1024 without
 * the right to bind it.
 */
const FORBIDDEN_PATTERNS: readonly RegExp[] = [
  /\ban attempt was made to access a socket in a way forbidden by its access permissions\b/gi,
  /\[(?:WinError|Errno) 10013\]|SocketException \(10013\)|\(os error 10013\)|\bWSAEACCES\b/g,
  // Node (`listen EACCES: permission denied 0.0.0.0:80`); a bare EACCES could be any file.
  /\b(?:listen|bind) EACCES\b/g,
  // asyncio / uvicorn name the bind in the same message as the errno's text.
  /\berror while attempting to bind on address\b.*\bpermission denied\b/gi,
];

/**
 * 'in-use' when the text says the address is already in use, 'forbidden' when it says the bind
 * was not permitted, null otherwise. When both appear, the later one wins: it is the failure the
 * program ended with.
 */
export function classifyBindFailure(text: string): BindFailure | null {
  const inUse = lastMatchIndex(text, IN_USE_PATTERNS);
  const forbidden = lastMatchIndex(text, FORBIDDEN_PATTERNS);
  if (inUse === -1 && forbidden === -1) return null;
  return inUse >= forbidden ? 'in-use' : 'forbidden';
}

/** True for either bind failure: the port could not be taken, whatever the reason. */
export function looksLikeAddressInUse(text: string): boolean {
  return classifyBindFailure(text) !== null;
}

function lastMatchIndex(text: string, patterns: readonly RegExp[]): number {
  let last = -1;
  for (const pattern of patterns) {
    // matchAll copies the (global) pattern, so no lastIndex is shared between calls.
    for (const match of text.matchAll(pattern)) last = Math.max(last, match.index);
  }
  return last;
}
