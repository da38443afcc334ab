// One long-lived child per tool for the in-process timing of the find-port part:
//   node [--import tsx] bench/find-port-worker.mjs <tool> <start> <end>
// Loads the tool's module once, prints {"ready": true, "loadMs": ...}, then for every `run` line on
// stdin runs one search and prints {"ms": ..., "port": ...} (or {"ms": ..., "error": ...}) as one
// JSON line. `ms` is performance.now() around the search call only: start-up and module loading
// are not in it. It exits when stdin closes. tapo-port's source is TypeScript: load this file with
// `node --import tsx` for the tapo-port worker.
import { performance } from 'node:perf_hooks';
import readline from 'node:readline';

const [toolId, startArg, endArg] = process.argv.slice(2);
const start = Number(startArg);
const end = Number(endArg);

const loaders = {
  // The same call the CLI makes for `find-port --host 0.0.0.0 --exclude none`.
  'find-port': async () => {
    const [{ runFindPort }, { createFindPortDeps }, { parseHost }] = await Promise.all([
      import('../src/find-port/run-find-port.ts'),
      import('../src/find-port/find-port-deps.ts'),
      import('../src/input/parse-host.ts'),
    ]);
    return {
      search: async () => {
        const { data } = await runFindPort(createFindPortDeps(), {
          host: parseHost('0.0.0.0'),
          start,
          end,
          exclude: [],
        });
        return data.port;
      },
    };
  },
  // get-port locks every port it returned for 15-30 s in its process, so a second search in the
  // same process would skip BASE+1000. A user calls it once per process: the lock is cleared before
  // each search, outside the timed call.
  'get-port': async () => {
    const { default: getPort, portNumbers, clearLockedPorts } = await import('get-port');
    return { before: clearLockedPorts, search: () => getPort({ port: portNumbers(start, end) }) };
  },
  portfinder: async () => {
    const { default: portfinder } = await import('portfinder');
    return { search: () => portfinder.getPortPromise({ port: start, stopPort: end }) };
  },
  'detect-port': async () => {
    const { detect } = await import('detect-port');
    return { search: () => detect(start) };
  },
};

const write = (object) => process.stdout.write(JSON.stringify(object) + '\n');

const loader = loaders[toolId];
if (!loader || !Number.isInteger(start) || !Number.isInteger(end)) {
  process.stderr.write(`usage: find-port-worker.mjs <${Object.keys(loaders).join('|')}> <start> <end>\n`);
  process.exit(2);
}

const loadStarted = performance.now();
const tool = await loader();
write({ ready: true, loadMs: performance.now() - loadStarted });

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() !== 'run') continue;
  tool.before?.();
  const started = performance.now();
  try {
    const port = await tool.search();
    const ms = performance.now() - started;
    write({ ms, port });
  } catch (error) {
    const ms = performance.now() - started;
    write({ ms, error: error instanceof Error ? error.message : String(error) });
  }
}
