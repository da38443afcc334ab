/**
 * A PID a script may put into a Windows API call: a whole number from 1 below 0xFFFFFFFF.
 * 0xFFFFFFFF is ATTACH_PARENT_PROCESS (AttachConsole would join our parent's console, not the
 * target's) and (DWORD)-1 elsewhere; 0 is the idle process. Anything else is refused before a
 * script is built around it.
 */
export function assertWindowsPid(pid: number): void {
  if (!Number.isSafeInteger(pid) || pid < 1 || pid >= 0xffffffff) {
    throw new RangeError(`not a process id: ${String(pid)}`);
  }
}
