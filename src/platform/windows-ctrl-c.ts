/**
 * Ctrl+C for a Windows console program, the only gentle stop it understands: taskkill without /F
 * sends WM_CLOSE, which a console program (python, node) never receives, and Node's
 * process.kill is always TerminateProcess.
 *
 * A process can send a console control event only to the console it is attached to, so the
 * script runs in its own powershell.exe: it leaves its console (FreeConsole), joins the
 * target's (AttachConsole), ignores Ctrl+C itself (SetConsoleCtrlHandler(NULL, TRUE)) and sends
 * CTRL_C_EVENT to every process of that console (GenerateConsoleCtrlEvent(0, 0)). Our own
 * console is never touched.
 *
 * Exit codes: 0 sent; 2 the target has no console we may attach to (gone, a GUI or service
 * process, another session, access denied); 3 the event could not be sent.
 */
export function buildCtrlCScript(pid: number): string {
  // 0xFFFFFFFF is ATTACH_PARENT_PROCESS: it would attach to our parent's console, not the target's.
  if (!Number.isSafeInteger(pid) || pid < 1 || pid >= 0xffffffff) {
    throw new RangeError(`not a process id: ${String(pid)}`);
  }
  return [
    "$ErrorActionPreference = 'Stop'",
    "Add-Type -Namespace TapoPort -Name ConsoleControl -MemberDefinition @'",
    '[DllImport("kernel32.dll", SetLastError = true)] public static extern bool FreeConsole();',
    '[DllImport("kernel32.dll", SetLastError = true)] public static extern bool AttachConsole(uint processId);',
    '[DllImport("kernel32.dll", SetLastError = true)] public static extern bool SetConsoleCtrlHandler(System.IntPtr handler, bool add);',
    '[DllImport("kernel32.dll", SetLastError = true)] public static extern bool GenerateConsoleCtrlEvent(uint ctrlEvent, uint processGroupId);',
    "'@",
    '[void][TapoPort.ConsoleControl]::FreeConsole()',
    `if (-not [TapoPort.ConsoleControl]::AttachConsole(${pid})) { exit 2 }`,
    // Without this the event (sent to the whole console) would end this helper before it exits 0.
    '[void][TapoPort.ConsoleControl]::SetConsoleCtrlHandler([System.IntPtr]::Zero, $true)',
    // CTRL_C_EVENT = 0; process group 0 = every process attached to the console.
    'if (-not [TapoPort.ConsoleControl]::GenerateConsoleCtrlEvent(0, 0)) { exit 3 }',
    'exit 0',
  ].join('\n');
}

/**
 * `powershell.exe -EncodedCommand` takes the script as base64 of UTF-16LE: the C# inside needs
 * double quotes, which a `-Command` argument cannot carry safely through a Windows command line.
 */
export function encodePowerShellCommand(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}
