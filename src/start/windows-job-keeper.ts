import { assertWindowsPid } from '../system/windows-pid.ts';

/**
 * The PowerShell script that holds the dashboard's whole process tree on Windows in a job object,
 * so `start` can end all of it, and nothing of it outlives `start`.
 *
 * Why a job of our own: Node (libuv, src/win/process.c, uv__init_global_job_handle) already puts
 * every non-detached child in a job with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, but also with
 * JOB_OBJECT_LIMIT_SILENT_BREAKAWAY_OK, "so only the processes that we explicitly add are
 * affected, and *their* subprocesses are not". The real interpreter behind a venv's python.exe
 * launcher, uvicorn's reloader and workers, are grandchildren: outside that job, and
 * child.kill() (TerminateProcess of the direct child) leaves them holding the port.
 *
 * The keeper (its own powershell.exe, started right after the dashboard):
 * 1. leaves the console (FreeConsole), so the terminal's Ctrl+C, meant for the dashboard, does
 *    not end the keeper and with it, through KILL_ON_JOB_CLOSE, the dashboard's graceful exit;
 * 2. opens the dashboard by PID and holds that handle (the PID cannot change hands while held),
 *    and acts only if its creation time lies within the spawn's time window and its parent is
 *    tapo-port: a PID reused after a very quick exit is never touched;
 * 3. creates a job with KILL_ON_JOB_CLOSE and no breakaway flag, assigns the dashboard (its later
 *    children are then in the job: the job is nested in libuv's, and children break away only
 *    when their immediate job allows it), then adopts the descendants it already had: a child
 *    is a process whose parent PID is a held process's and that was created after it (the held
 *    handle pins that PID, so the parent is not a stranger who had the PID before). One that
 *    cannot be assigned (it sits in another job) is held by handle and ended by handle;
 * 4. prints `ready <in job> <held outside>` and reads one command a line from stdin:
 *    - `close`: WM_CLOSE (CloseMainWindow) to every process of the tree that has a window;
 *      prints `closed <count>`. Console programs are not asked: they share tapo-port's
 *      console, and Ctrl+C or Ctrl+Break to it would reach tapo-port and the shell or script
 *      that started it (the dashboard is not a process-group leader: Node passes
 *      CREATE_NEW_PROCESS_GROUP only with `detached`, which also takes its console away). A
 *      Ctrl+C typed in the terminal reaches them all directly; otherwise `kill` follows.
 *    - `kill`: adopts descendants again, TerminateJobObject (the whole job at once) and
 *      TerminateProcess of those held outside it; prints `killed`.
 *    - end of stdin (tapo-port exited or died): the same as `kill`, then exit 0. Had the keeper
 *      itself been killed, closing its job handle ends the job's processes (KILL_ON_JOB_CLOSE).
 *
 * The C# is C# 5 (Windows PowerShell 5.1 compiles Add-Type with the .NET Framework compiler).
 */

/** What the keeper's exit code means. */
export const windowsJobKeeperExit = {
  done: 0,
  gone: 10,
  otherProcess: 11,
  cannotVerify: 13,
  cannotAssign: 14,
  notWindows: 15,
} as const;

export type JobKeeperCommand = 'close' | 'kill';

export interface JobKeeperRequest {
  dashboardPid: number;
  /** tapo-port: the dashboard's parent. */
  launcherPid: number;
  /** Date.now() just before spawn() and at its 'spawn' event: the dashboard started in between. */
  spawnedAfterMs: number;
  spawnedBeforeMs: number;
}

/** Windows' clock and Node's may round differently; a reused PID starts far later than this. */
const CREATION_SLACK_MS = 1000;
/** 100-ns ticks from 1601-01-01 (FILETIME) to 1970-01-01. */
const FILETIME_EPOCH_MS = 11_644_473_600_000n;

export const jobKeeperCSharp = String.raw`using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
namespace TapoPort {
public static class JobKeeper {
  const uint Access = 0x0001 | 0x0100 | 0x1000 | 0x100000;
  [StructLayout(LayoutKind.Sequential)] struct BasicLimit { public long PerProcessUserTimeLimit; public long PerJobUserTimeLimit; public uint LimitFlags; public UIntPtr MinimumWorkingSetSize; public UIntPtr MaximumWorkingSetSize; public uint ActiveProcessLimit; public UIntPtr Affinity; public uint PriorityClass; public uint SchedulingClass; }
  [StructLayout(LayoutKind.Sequential)] struct IoCounters { public ulong R, W, O, RB, WB, OB; }
  [StructLayout(LayoutKind.Sequential)] struct ExtendedLimit { public BasicLimit Basic; public IoCounters Io; public UIntPtr ProcessMemoryLimit; public UIntPtr JobMemoryLimit; public UIntPtr PeakProcessMemoryUsed; public UIntPtr PeakJobMemoryUsed; }
  [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)] struct ProcessEntry { public uint dwSize; public uint cntUsage; public uint th32ProcessID; public IntPtr th32DefaultHeapID; public uint th32ModuleID; public uint cntThreads; public uint th32ParentProcessID; public int pcPriClassBase; public uint dwFlags; [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 260)] public string szExeFile; }
  [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)] static extern IntPtr CreateJobObjectW(IntPtr attributes, string name);
  [DllImport("kernel32.dll", SetLastError = true)] static extern bool SetInformationJobObject(IntPtr job, int infoClass, ref ExtendedLimit info, uint length);
  [DllImport("kernel32.dll", SetLastError = true)] static extern bool AssignProcessToJobObject(IntPtr job, IntPtr process);
  [DllImport("kernel32.dll", SetLastError = true)] static extern bool TerminateJobObject(IntPtr job, uint exitCode);
  [DllImport("kernel32.dll", SetLastError = true)] static extern bool QueryInformationJobObject(IntPtr job, int infoClass, IntPtr info, uint length, IntPtr returned);
  [DllImport("kernel32.dll", SetLastError = true)] static extern bool IsProcessInJob(IntPtr process, IntPtr job, out bool result);
  [DllImport("kernel32.dll", SetLastError = true)] static extern IntPtr OpenProcess(uint access, bool inherit, uint pid);
  [DllImport("kernel32.dll", SetLastError = true)] static extern bool GetProcessTimes(IntPtr process, out long creation, out long exit, out long kernel, out long user);
  [DllImport("kernel32.dll", SetLastError = true)] static extern uint WaitForSingleObject(IntPtr handle, uint milliseconds);
  [DllImport("kernel32.dll", SetLastError = true)] static extern bool TerminateProcess(IntPtr process, uint exitCode);
  [DllImport("kernel32.dll", SetLastError = true)] static extern bool CloseHandle(IntPtr handle);
  [DllImport("kernel32.dll", SetLastError = true)] static extern bool FreeConsole();
  [DllImport("kernel32.dll", SetLastError = true)] static extern IntPtr CreateToolhelp32Snapshot(uint flags, uint pid);
  [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)] static extern bool Process32FirstW(IntPtr snapshot, ref ProcessEntry entry);
  [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)] static extern bool Process32NextW(IntPtr snapshot, ref ProcessEntry entry);

  class Held { public uint Pid; public IntPtr Handle; public long Created; public bool InJob; }
  static IntPtr job;
  static readonly List<Held> held = new List<Held>();

  public static int Run(uint pid, uint launcherPid, long notBefore, long notAfter, TextReader input, TextWriter output) {
    if (Environment.OSVersion.Platform != PlatformID.Win32NT) return 15;
    FreeConsole();
    if (pid == (uint)Process.GetCurrentProcess().Id) return 10;
    IntPtr handle = OpenProcess(Access, false, pid);
    if (handle == IntPtr.Zero) return Marshal.GetLastWin32Error() == 87 ? 10 : 13;
    long created = CreatedAt(handle);
    if (created == 0) { CloseHandle(handle); return 13; }
    if (!Alive(handle)) { CloseHandle(handle); return 10; }
    uint parent;
    if (created < notBefore || created > notAfter || !Parents().TryGetValue(pid, out parent) || parent != launcherPid) { CloseHandle(handle); return 11; }
    job = CreateJobObjectW(IntPtr.Zero, null);
    ExtendedLimit info = new ExtendedLimit();
    info.Basic.LimitFlags = 0x2000;
    if (job == IntPtr.Zero || !SetInformationJobObject(job, 9, ref info, (uint)Marshal.SizeOf(typeof(ExtendedLimit))) || !AssignProcessToJobObject(job, handle)) { CloseHandle(handle); return 14; }
    Held dashboard = new Held(); dashboard.Pid = pid; dashboard.Handle = handle; dashboard.Created = created; dashboard.InJob = true;
    held.Add(dashboard);
    Adopt();
    output.WriteLine("ready " + held.FindAll(h => h.InJob).Count + " " + held.FindAll(h => !h.InJob).Count);
    output.Flush();
    for (;;) {
      string line = input.ReadLine();
      if (line == null) { Kill(); return 0; }
      line = line.Trim();
      if (line == "close") output.WriteLine("closed " + CloseWindows());
      else if (line == "kill") { Kill(); output.WriteLine("killed"); }
      else output.WriteLine("unknown");
      output.Flush();
    }
  }

  static long CreatedAt(IntPtr handle) {
    long created, exit, kernel, user;
    return GetProcessTimes(handle, out created, out exit, out kernel, out user) ? created : 0;
  }

  static bool Alive(IntPtr handle) { return WaitForSingleObject(handle, 0) == 0x102; }

  static Dictionary<uint, uint> Parents() {
    Dictionary<uint, uint> parents = new Dictionary<uint, uint>();
    IntPtr snapshot = CreateToolhelp32Snapshot(2, 0);
    if (snapshot == new IntPtr(-1)) return parents;
    ProcessEntry entry = new ProcessEntry();
    entry.dwSize = (uint)Marshal.SizeOf(typeof(ProcessEntry));
    for (bool more = Process32FirstW(snapshot, ref entry); more; more = Process32NextW(snapshot, ref entry)) parents[entry.th32ProcessID] = entry.th32ParentProcessID;
    CloseHandle(snapshot);
    return parents;
  }

  static void Adopt() {
    for (int pass = 0; pass < 16; pass++) {
      bool added = false;
      foreach (KeyValuePair<uint, uint> pair in Parents()) {
        if (held.Exists(h => h.Pid == pair.Key)) continue;
        Held parent = held.Find(h => h.Pid == pair.Value);
        if (parent == null) continue;
        IntPtr handle = OpenProcess(Access, false, pair.Key);
        if (handle == IntPtr.Zero) continue;
        long created = CreatedAt(handle);
        if (created == 0 || created < parent.Created) { CloseHandle(handle); continue; }
        bool inJob;
        Held child = new Held(); child.Pid = pair.Key; child.Handle = handle; child.Created = created;
        child.InJob = (IsProcessInJob(handle, job, out inJob) && inJob) || AssignProcessToJobObject(job, handle);
        held.Add(child);
        added = true;
      }
      if (!added) return;
    }
  }

  static int CloseWindows() {
    int asked = 0;
    foreach (Held h in held) {
      if (!Alive(h.Handle)) continue;
      try { Process p = Process.GetProcessById((int)h.Pid); if (p.MainWindowHandle != IntPtr.Zero && p.CloseMainWindow()) asked++; } catch (Exception) { }
    }
    return asked;
  }

  static void Kill() {
    Adopt();
    TerminateJobObject(job, 1);
    foreach (Held h in held) if (!h.InJob && Alive(h.Handle)) TerminateProcess(h.Handle, 1);
  }
}
}`;

export function buildWindowsJobKeeperScript(request: JobKeeperRequest): string {
  assertWindowsPid(request.dashboardPid);
  assertWindowsPid(request.launcherPid);
  const { spawnedAfterMs, spawnedBeforeMs } = request;
  for (const ms of [spawnedAfterMs, spawnedBeforeMs]) {
    if (!Number.isSafeInteger(ms) || ms < CREATION_SLACK_MS)
      throw new RangeError(`not a time: ${String(ms)}`);
  }
  if (spawnedBeforeMs < spawnedAfterMs) {
    throw new RangeError(`the spawn ended (${spawnedBeforeMs}) before it began (${spawnedAfterMs})`);
  }
  const notBefore = toFileTime(spawnedAfterMs - CREATION_SLACK_MS);
  const notAfter = toFileTime(spawnedBeforeMs + CREATION_SLACK_MS);
  return [
    "$ErrorActionPreference = 'Stop'",
    "Add-Type -TypeDefinition @'",
    jobKeeperCSharp,
    "'@",
    `exit [TapoPort.JobKeeper]::Run(${request.dashboardPid}, ${request.launcherPid}, ${notBefore}, ${notAfter}, [Console]::In, [Console]::Out)`,
  ].join('\n');
}

/** One line the keeper printed, understood; null for anything else (it is not trusted further). */
export function parseJobKeeperLine(
  line: string,
):
  | { kind: 'ready'; inJob: number; heldOutside: number }
  | { kind: 'closed'; windows: number }
  | { kind: 'killed' }
  | null {
  const ready = /^ready (\d{1,6}) (\d{1,6})$/.exec(line.trim());
  if (ready) return { kind: 'ready', inJob: Number(ready[1]), heldOutside: Number(ready[2]) };
  const closed = /^closed (\d{1,6})$/.exec(line.trim());
  if (closed) return { kind: 'closed', windows: Number(closed[1]) };
  return line.trim() === 'killed' ? { kind: 'killed' } : null;
}

/** Why the keeper is not holding the tree, from its exit code: the one warning line's reason. */
export function describeJobKeeperExit(code: number | null): string {
  switch (code) {
    case windowsJobKeeperExit.gone:
      return 'the dashboard had already exited';
    case windowsJobKeeperExit.otherProcess:
      return 'its PID no longer belonged to the dashboard';
    case windowsJobKeeperExit.cannotVerify:
      return "the dashboard's start time could not be read";
    case windowsJobKeeperExit.cannotAssign:
      return 'the dashboard could not be put in a job object';
    case windowsJobKeeperExit.notWindows:
      return 'this is not Windows';
    default:
      return `the helper exited with ${code === null ? 'a signal' : `code ${code}`}`;
  }
}

function toFileTime(ms: number): string {
  return ((BigInt(ms) + FILETIME_EPOCH_MS) * 10_000n).toString();
}
