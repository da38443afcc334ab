// The find-port part: what runs (as whole processes and in-process workers) and how each answer is
// judged. Pure: no I/O. Every tool searches from BASE for a port free for host 0.0.0.0 while
// BASE..BASE+999 are held on 127.0.0.1, ::1, 0.0.0.0 and :: in turn; the right answer is BASE+1000.
import { executableTools } from './tools.mjs';

export const FP_FLOOR_ID = 'node-e-0';
export const FP_TOOL_ID = 'find-port';
export const FP_VERSION_ID = 'version';

/** How far above BASE every tool may search (the right answer is BASE+1000). */
export const SEARCH_SPAN = 1100;

/** The hosts `test/fixtures/holders/hold_many.py` cycles through, in its order. */
export const HOLDER_HOSTS = ['127.0.0.1', '::1', '0.0.0.0', '::'];

// Each peer the way its README shows it, printing {"port": N}. get-port is ESM only and is called
// without `host`, as users do: it then binds every local address (and the default host) per port.
// portfinder and detect-port are loaded as CommonJS, their cheaper and most common form.
export const peerScripts = {
  'get-port': (base, end) =>
    [
      "import getPort, { portNumbers } from 'get-port';",
      `const port = await getPort({ port: portNumbers(${base}, ${end}) });`,
      'console.log(JSON.stringify({ port }));',
    ].join(' '),
  portfinder: (base, end) =>
    [
      "require('portfinder')",
      `.getPortPromise({ port: ${base}, stopPort: ${end} })`,
      '.then((port) => console.log(JSON.stringify({ port })))',
      '.catch((error) => { console.error(error.message); process.exitCode = 2; });',
    ].join(''),
  'detect-port': (base) =>
    [
      "require('detect-port')",
      `.detect(${base})`,
      '.then((port) => console.log(JSON.stringify({ port })))',
      '.catch((error) => { console.error(error.message); process.exitCode = 2; });',
    ].join(''),
};

export const PEERS = [
  { id: 'get-port', label: 'get-port', moduleType: 'module' },
  { id: 'portfinder', label: 'portfinder', moduleType: 'commonjs' },
  {
    id: 'detect-port',
    label: 'detect-port',
    moduleType: 'commonjs',
    note: 'tries 10 ports from BASE, then returns a random one',
  },
];

/**
 * The rows of the whole-process table, in their first-round order.
 * @param {{ nodePath: string, cliPath: string, base: number, version: string }} setup
 */
export function defineFindPortTools({ nodePath, cliPath, base, version, executable = null }) {
  const end = base + SEARCH_SPAN;
  const findPortArgs = [
    'find-port',
    '--start',
    String(base),
    '--end',
    String(end),
    '--host',
    '0.0.0.0',
    '--exclude',
    'none',
    '--json',
  ];
  return [
    ...executableTools({ executable, version, args: findPortArgs, verify: verifyFindPortProcess }),
    {
      id: FP_FLOOR_ID,
      label: 'node -e 0',
      command: nodePath,
      args: ['-e', '0'],
      verify: ({ code }) => verdict(null, code === 0 ? 'floor' : `exit code ${code}`),
    },
    {
      id: FP_TOOL_ID,
      label: 'tapo-port find-port',
      command: nodePath,
      args: [cliPath, ...findPortArgs],
      verify: verifyFindPortProcess,
    },
    {
      id: FP_VERSION_ID,
      label: 'tapo-port --version',
      command: nodePath,
      args: [cliPath, '--version'],
      informational: 'start-up only: bundle load and yargs, no search',
      verify: ({ code, stdout }) =>
        stdout.trim() === version && code === 0
          ? verdict(null, 'start-up only')
          : verdict(false, `printed ${JSON.stringify(stdout.trim())} (exit ${code})`),
    },
    ...PEERS.map((peer) => ({
      id: peer.id,
      label: peer.label,
      command: nodePath,
      args: [
        ...(peer.moduleType === 'module' ? ['--input-type=module'] : []),
        '-e',
        peerScripts[peer.id](base, end),
      ],
      verify: verifyPeerProcess,
    })),
  ];
}

/** `find-port --json`: exit 0, an ok envelope, and `data.port` is the expected port. */
export function verifyFindPortProcess({ code, stdout }, expected) {
  let envelope;
  try {
    envelope = JSON.parse(stdout);
  } catch {
    return verdict(false, `no JSON envelope on stdout (exit ${code})`);
  }
  if (envelope?.ok !== true) {
    return verdict(false, `error ${envelope?.error?.code ?? '?'}: ${envelope?.error?.message ?? '?'}`);
  }
  if (code !== 0) return verdict(false, `exit code ${code}, expected 0`);
  return judgePort(envelope.data?.port, expected);
}

/** A peer script prints {"port": N} and exits 0. */
export function verifyPeerProcess({ code, stdout }, expected) {
  if (code !== 0) return verdict(false, `exit code ${code}`);
  let parsed;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    return verdict(false, `no JSON on stdout`);
  }
  return judgePort(parsed?.port, expected);
}

/**
 * Right means exactly BASE+1000. A held port is named with the address that holds it, a port
 * outside the searched range is a random one (detect-port's fallback).
 * @param {unknown} port
 * @param {{ port: number, base: number, count: number, end: number }} expected
 */
export function judgePort(port, { port: want, base, count, end }) {
  if (!Number.isInteger(port)) return verdict(false, `no port in the answer (${JSON.stringify(port)})`);
  if (port === want) return verdict(true, `port ${port}`);
  if (port >= base && port < base + count) {
    return verdict(false, `returned ${port}, held on ${HOLDER_HOSTS[(port - base) % HOLDER_HOSTS.length]}`);
  }
  if (port > want && port <= end) return verdict(false, `returned ${port}, passed over the free ${want}`);
  return verdict(false, `random port ${port} (outside ${base}-${end})`);
}

function verdict(correct, detail) {
  return { correct, detail };
}
