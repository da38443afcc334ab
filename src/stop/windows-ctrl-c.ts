import { assertWindowsPid } from '../system/windows-pid.ts';

/**
 * The one PowerShell script that ends a Windows process for `stop`, holding a handle to it from
 * the identity check to the action, so a PID that changed hands in between is never hit.
 *
 * - `close`: a window gets WM_CLOSE (CloseMainWindow, what its close button does); a console
 *   program, which never sees WM_CLOSE, gets Ctrl+C through its console. Node's process.kill is
 *   always TerminateProcess on Windows, so it is not used.
 * - `kill`: TerminateProcess of that process only (no tree: Windows does not reparent orphans,
 *   so a tree walk by parent PID can reach unrelated processes whose parent PID was reused).
 *
 * Ctrl+C goes to every process attached to a console. The script joins the target's console,
 * lists the processes there, and sends nothing when tapo-port or one of its parents is among
 * them (the target shares our console: our shell or controller script would be interrupted too).
 * It runs in its own powershell.exe, which leaves its console first and ignores the event itself.
 */
export type WindowsStopMode = 'close' | 'kill';

/** What the script's exit code means. */
export const windowsStopExit = {
  done: 0,
  noConsole: 2,
  eventFailed: 3,
  gone: 10,
  otherProcess: 11,
  sharesOurConsole: 12,
  cannotVerify: 13,
} as const;

export function buildWindowsStopScript(request: {
  pid: number;
  /** ISO-8601 UTC, as `check` read it: the identity to confirm before acting. */
  startTime: string;
  mode: WindowsStopMode;
  /** tapo-port and its parents: never sent Ctrl+C. */
  protectedPids: readonly number[];
}): string {
  const { pid, startTime, mode } = request;
  assertWindowsPid(pid);
  const protectedPids = request.protectedPids.filter((p) => Number.isSafeInteger(p) && p > 0);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(startTime)) {
    throw new RangeError(`not an ISO-8601 UTC time: ${startTime}`);
  }
  const lines = [
    "$ErrorActionPreference = 'Stop'",
    `try { $p = [System.Diagnostics.Process]::GetProcessById(${pid}) } catch { exit ${windowsStopExit.gone} }`,
    `try { $started = $p.StartTime.ToUniversalTime() } catch { exit ${windowsStopExit.cannotVerify} }`,
    `$expected = [DateTime]::Parse('${startTime}', $null, [System.Globalization.DateTimeStyles]::RoundtripKind).ToUniversalTime()`,
    // CIM and .NET round start times differently; a reused PID starts far later than a second.
    `if ([Math]::Abs(($started - $expected).TotalSeconds) -ge 1) { exit ${windowsStopExit.otherProcess} }`,
  ];
  if (mode === 'kill') {
    return [...lines, '$p.Kill()', `exit ${windowsStopExit.done}`].join('\n');
  }
  return [
    ...lines,
    `if ($p.MainWindowHandle -ne [System.IntPtr]::Zero -and $p.CloseMainWindow()) { exit ${windowsStopExit.done} }`,
    "Add-Type -Namespace TapoPort -Name ConsoleControl -MemberDefinition @'",
    '[DllImport("kernel32.dll", SetLastError = true)] public static extern bool FreeConsole();',
    '[DllImport("kernel32.dll", SetLastError = true)] public static extern bool AttachConsole(uint processId);',
    '[DllImport("kernel32.dll", SetLastError = true)] public static extern uint GetConsoleProcessList(uint[] processList, uint count);',
    '[DllImport("kernel32.dll", SetLastError = true)] public static extern bool SetConsoleCtrlHandler(System.IntPtr handler, bool add);',
    '[DllImport("kernel32.dll", SetLastError = true)] public static extern bool GenerateConsoleCtrlEvent(uint ctrlEvent, uint processGroupId);',
    "'@",
    '[void][TapoPort.ConsoleControl]::FreeConsole()',
    `if (-not [TapoPort.ConsoleControl]::AttachConsole(${pid})) { exit ${windowsStopExit.noConsole} }`,
    '$list = New-Object uint32[] 1024',
    '$count = [TapoPort.ConsoleControl]::GetConsoleProcessList($list, 1024)',
    `$protected = @(${protectedPids.join(', ')})`,
    `for ($i = 0; $i -lt $count; $i++) { if ($protected -contains [int]$list[$i]) { [void][TapoPort.ConsoleControl]::FreeConsole(); exit ${windowsStopExit.sharesOurConsole} } }`,
    // Without this the event (sent to the whole console) would end this helper before it exits 0.
    '[void][TapoPort.ConsoleControl]::SetConsoleCtrlHandler([System.IntPtr]::Zero, $true)',
    // CTRL_C_EVENT = 0; process group 0 = every process attached to the console.
    `if (-not [TapoPort.ConsoleControl]::GenerateConsoleCtrlEvent(0, 0)) { exit ${windowsStopExit.eventFailed} }`,
    `exit ${windowsStopExit.done}`,
  ].join('\n');
}
