/**
 * A PowerShell script (for `powershell.exe -NoProfile -NonInteractive -Command <script>`) that
 * prints one compressed JSON document about the given PIDs only:
 * `{"processes":[{ProcessId,ParentProcessId,Name,ExecutablePath,CommandLine,CreationDate,Owner}],
 *   "services":[{ProcessId,Name,DisplayName,State}]}`.
 *
 * The PIDs are validated integers and become a WQL filter, so the script never lists every process
 * (slow) and no caller text reaches PowerShell. The script contains no double quote: Windows has
 * no single quoting rule for a native command line, and a `"` is where `-Command` arguments break.
 * It runs unchanged on Windows PowerShell 5.1 and PowerShell 7.
 */
export function buildCimQueryScript(pids: readonly number[]): string {
  const unique = [...new Set(pids)].sort((a, b) => a - b);
  // An empty filter would select every process and, for services, every stopped service (PID 0).
  if (unique.length === 0) throw new RangeError('buildCimQueryScript needs at least one PID');
  for (const pid of unique) {
    if (!Number.isInteger(pid) || pid < 1 || pid > 0xffffffff) {
      throw new RangeError(`not a process id: ${String(pid)}`);
    }
  }
  const filter = unique.map((pid) => `ProcessId = ${pid}`).join(' OR ');
  return [
    "$ErrorActionPreference = 'Stop'",
    "$ProgressPreference = 'SilentlyContinue'",
    // 5.1 wraps arrays in {value, Count} when System.Array carries ETS type data; 7 has none.
    'try { Remove-TypeData -TypeName System.Array -ErrorAction Stop } catch { }',
    // We read the bytes as UTF-8; without this 5.1 writes in the OEM code page. Setting it throws
    // "The handle is invalid" when there is no console (windowsHide), hence the escape step below.
    'try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false } catch { }',
    `$filter = '${filter}'`,
    '$processes = @(Get-CimInstance -ClassName Win32_Process -Filter $filter | ForEach-Object {',
    // $_ is the error record inside catch; keep the process in a variable of its own.
    '  $process = $_',
    '  $owner = $null',
    '  try {',
    '    $result = Invoke-CimMethod -InputObject $process -MethodName GetOwner -ErrorAction Stop',
    // GetOwner answers with a ReturnValue (2 = access denied) instead of failing; both mean unknown.
    '    if ($result.ReturnValue -eq 0 -and $result.User) {',
    "      if ($result.Domain) { $owner = $result.Domain + '\\' + $result.User } else { $owner = $result.User }",
    '    }',
    '  } catch { $owner = $null }',
    '  $created = $null',
    // A DateTime left to ConvertTo-Json is \/Date(ms)\/ on 5.1 and a local-offset string on 7.
    "  if ($process.CreationDate) { $created = $process.CreationDate.ToUniversalTime().ToString('o') }",
    '  [pscustomobject]@{',
    '    ProcessId = [int64]$process.ProcessId',
    '    ParentProcessId = [int64]$process.ParentProcessId',
    '    Name = $process.Name',
    '    ExecutablePath = $process.ExecutablePath',
    '    CommandLine = $process.CommandLine',
    '    CreationDate = $created',
    '    Owner = $owner',
    '  }',
    '})',
    '$services = @(Get-CimInstance -ClassName Win32_Service -Filter $filter | ForEach-Object {',
    '  [pscustomobject]@{ ProcessId = [int64]$_.ProcessId; Name = $_.Name; DisplayName = $_.DisplayName; State = $_.State }',
    '})',
    '$json = [pscustomobject]@{ processes = $processes; services = $services } | ConvertTo-Json -Depth 4 -Compress',
    // Escape every non-ASCII character as \\uXXXX so the document survives any output code page.
    '$ascii = New-Object System.Text.StringBuilder',
    "foreach ($c in $json.ToCharArray()) { if ([int]$c -gt 127) { [void]$ascii.AppendFormat('\\u{0:x4}', [int]$c) } else { [void]$ascii.Append($c) } }",
    '$ascii.ToString()',
  ].join('\n');
}
