// What the benchmark runs and how each answer is judged. Each tool is a whole process, started the
// way a user would start it; `verify` is pure: (exit code, stdout) and the known holders in, a
// verdict out.

/** The floor and the tool under test; the rows the ratio columns divide by. */
export const FLOOR_ID = 'node-e-0';
export const CHECK_ID = 'check';

// find-process is dual CJS/ESM: the CommonJS form is how most callers load it, and the cheaper one.
const findProcessScript = (port) =>
  [
    "require('find-process')",
    `.default('port', ${port})`,
    '.then((list) => console.log(JSON.stringify(list.map((p) => ({ pid: p.pid, name: p.name })))))',
    '.catch((error) => { console.error(error.message); process.exitCode = 2; });',
  ].join('');

// pid-port and ps-list are ESM only. host '*' is needed: pid-port's default looks at localhost only
// and misses a server on 0.0.0.0 (see shared FIELD-NOTES).
const pidPortScript = (port) =>
  [
    "import { portToPid } from 'pid-port';",
    "import psList from 'ps-list';",
    `const pid = await portToPid({ port: ${port}, host: '*' });`,
    'const name = (await psList()).find((p) => p.pid === pid)?.name ?? null;',
    'console.log(JSON.stringify({ pid: pid ?? null, name }));',
  ].join(' ');

/**
 * The rows of the table, in their first-round order.
 * @param {{ nodePath: string, cliPath: string, port: number, version: string, checkEnv: object }} setup
 */
export function defineTools({ nodePath, cliPath, port, version, checkEnv, executable = null }) {
  return [
    ...executableTools({
      executable,
      version,
      args: ['check', '--port', String(port), '--json'],
      env: checkEnv,
      verify: verifyCheck,
    }),
    {
      id: FLOOR_ID,
      label: 'node -e 0',
      command: nodePath,
      args: ['-e', '0'],
      verify: ({ code }) => verdict(null, code === 0 ? 'floor' : `exit code ${code}`),
    },
    {
      id: CHECK_ID,
      label: 'tapo-port check',
      command: nodePath,
      args: [cliPath, 'check', '--port', String(port), '--json'],
      env: checkEnv,
      verify: verifyCheck,
    },
    {
      id: 'version',
      label: 'tapo-port --version',
      command: nodePath,
      args: [cliPath, '--version'],
      informational: 'start-up only: bundle load and yargs, no lookup',
      verify: ({ code, stdout }) =>
        stdout.trim() === version && code === 0
          ? verdict(null, 'start-up only')
          : verdict(false, `printed ${JSON.stringify(stdout.trim())} (exit ${code})`),
    },
    {
      id: 'ss',
      label: 'ss -Hltnp',
      command: 'ss',
      args: ['-Hltnp', `sport = :${port}`],
      verify: ({ code, stdout }, expected) =>
        code === 0 ? judgePids(pidsFromSs(stdout), expected) : verdict(false, `exit code ${code}`),
    },
    {
      id: 'lsof',
      label: 'lsof -iTCP -sTCP:LISTEN',
      command: 'lsof',
      args: ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN'],
      verify: ({ code, stdout }, expected) =>
        code === 0 ? judgePids(pidsFromLsof(stdout), expected) : verdict(false, `exit code ${code}`),
    },
    {
      id: 'find-process',
      label: 'find-process',
      command: nodePath,
      args: ['-e', findProcessScript(port)],
      verify: ({ code, stdout }, expected) =>
        code === 0 ? judgePids(pidsFromJsonList(stdout), expected) : verdict(false, `exit code ${code}`),
    },
    {
      id: 'pid-port',
      label: 'pid-port + ps-list',
      command: nodePath,
      args: ['--input-type=module', '-e', pidPortScript(port)],
      verify: ({ code, stdout }, expected) =>
        code === 0 ? judgePids(pidsFromJsonList(stdout), expected) : verdict(false, `exit code ${code}`),
    },
  ];
}

/** Ids of the single executable's rows (npm run package), present when it was built. */
export const EXE_FLOOR_ID = 'node22-e-0';
export const EXE_TOOL_ID = 'exe';
export const EXE_VERSION_ID = 'exe-version';

/**
 * The executable's rows: its own Node's `node -e 0` (the floor it is judged against), the command
 * run by the executable, and its --version. None when no executable was built.
 */
export function executableTools({ executable, version, args, env, verify }) {
  if (executable === null) return [];
  return [
    {
      id: EXE_FLOOR_ID,
      label: `node ${executable.nodeVersion} -e 0`,
      command: executable.runtimeNode,
      args: ['-e', '0'],
      informational: "the executable's own Node",
      verify: ({ code }) => verdict(null, code === 0 ? 'floor' : `exit code ${code}`),
    },
    {
      id: EXE_TOOL_ID,
      label: `tapo-port ${args[0]} (executable)`,
      command: executable.executable,
      args,
      env,
      verify,
    },
    {
      id: EXE_VERSION_ID,
      label: 'tapo-port --version (executable)',
      command: executable.executable,
      args: ['--version'],
      informational: 'start-up only',
      verify: ({ code, stdout }) =>
        stdout.trim() === version && code === 0
          ? verdict(null, 'start-up only')
          : verdict(false, `printed ${JSON.stringify(stdout.trim())} (exit ${code})`),
    },
  ];
}

/**
 * `check` must say in-use, exit 1, and name the TCP holder as the only owner. The Docker state is
 * carried along: a run whose Docker lookup did not complete is not the run we meant to time.
 */
export function verifyCheck({ code, stdout }, expected) {
  let envelope;
  try {
    envelope = JSON.parse(stdout);
  } catch {
    return verdict(false, `no JSON envelope on stdout (exit ${code})`);
  }
  const data = envelope?.data;
  const docker = { dockerState: data?.docker?.state ?? null, dockerMessage: data?.docker?.message ?? null };
  if (data?.status !== 'in-use') {
    return { ...verdict(false, `status ${JSON.stringify(data?.status)}, expected "in-use"`), ...docker };
  }
  if (code !== 1) return { ...verdict(false, `exit code ${code}, expected 1 (in use)`), ...docker };
  const pids = (Array.isArray(data.owners) ? data.owners : [])
    .map((owner) => owner?.pid)
    .filter((pid) => pid !== null && pid !== undefined);
  return { ...judgePids(pids, expected), ...docker };
}

/**
 * Right means: the TCP holder is named and nobody else is. Naming the UDP holder on the same
 * number is the known pid-port / find-process bug and is reported as such.
 */
export function judgePids(pids, { tcpPid, udpPid }) {
  const unique = [...new Set(pids)];
  if (unique.includes(udpPid)) {
    const also = unique.includes(tcpPid) ? ` (and the TCP holder ${tcpPid})` : '';
    return verdict(false, `wrong answer: names PID ${udpPid}, the UDP holder${also}`);
  }
  if (!unique.includes(tcpPid)) {
    const named = unique.length === 0 ? 'no PID' : `PID ${unique.join(', ')}`;
    return verdict(false, `wrong answer: names ${named}, not the TCP holder ${tcpPid}`);
  }
  const others = unique.filter((pid) => pid !== tcpPid);
  if (others.length > 0) return verdict(false, `also names unrelated PID ${others.join(', ')}`);
  return verdict(true, `PID ${tcpPid}`);
}

export function pidsFromSs(stdout) {
  return [...stdout.matchAll(/\bpid=(\d+)/g)].map((match) => Number(match[1]));
}

/** lsof's second column, below its header line. */
export function pidsFromLsof(stdout) {
  return stdout
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/)[1])
    .filter((field) => field !== undefined && /^\d+$/.test(field))
    .map(Number);
}

/** A JSON object or list of objects with a `pid`, as the find-process and pid-port scripts print. */
export function pidsFromJsonList(stdout) {
  try {
    const parsed = JSON.parse(stdout);
    return (Array.isArray(parsed) ? parsed : [parsed])
      .map((entry) => entry?.pid)
      .filter((pid) => Number.isInteger(pid));
  } catch {
    return [];
  }
}

function verdict(correct, detail) {
  return { correct, detail };
}
