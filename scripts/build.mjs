// Bundles the core into one CommonJS file that Node runs directly, plus the
// lazily loaded Docker engine client, and copies ps-list's Windows helpers.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, 'vendor'), { recursive: true });

const shared = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // Less to parse at every start; the source map keeps TAPO_DEBUG=1 stacks readable
  // (node --enable-source-maps dist/tapo-port.cjs ...).
  minify: true,
  sourcemap: 'linked',
  // ESM-only dependencies (ps-list, yargs, pid-port) read import.meta.url; in a
  // CJS bundle it must come from __filename or they crash at start-up.
  banner: { js: 'const __import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__import_meta_url', __TAPO_VERSION__: JSON.stringify(version) },
  // cpu-features is an optional native speed-up of ssh2 (Docker over ssh).
  external: ['cpu-features', '*.node', './docker-engine.cjs'],
};

// The same file runs in the single executable (scripts/sea/), whose require loads only Node's
// built-in modules: there the engine client is the SEA asset docker-engine.cjs, compiled as
// CommonJS with that require (it needs nothing else), and still only when Docker is asked.
const dockerEngineLoader = `const sea = require('node:sea');
if (sea.isSea()) {
  const path = require('node:path');
  const filename = path.join(path.dirname(process.execPath), 'docker-engine.cjs');
  const engine = { exports: {} };
  require('node:vm')
    .compileFunction(sea.getAsset('docker-engine.cjs', 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], { filename })
    .call(engine.exports, engine.exports, require, engine, filename, path.dirname(filename));
  module.exports = engine.exports;
} else {
  module.exports = require('./docker-engine.cjs');
}
`;

// In the main bundle, load-docker-engine.ts's `import('./docker-engine-entry.ts')` loads
// `require('./docker-engine.cjs')` instead: require resolves it relative to dist/tapo-port.cjs,
// so the engine client (dockerode, ssh2, grpc) stays out of the main file and is parsed only when
// Docker is asked. A real require, not an external import(), avoids starting Node's ESM loader.
const dockerEngineExternal = {
  name: 'docker-engine-external',
  setup(pluginBuild) {
    const namespace = 'docker-engine-external';
    pluginBuild.onResolve({ filter: /(^|\/)docker-engine-entry\.ts$/ }, () => ({
      path: 'docker-engine',
      namespace,
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace }, () => ({
      contents: dockerEngineLoader,
      loader: 'js',
    }));
    pluginBuild.onResolve({ filter: /^\.\/docker-engine\.cjs$/, namespace }, (args) => ({
      path: args.path,
      external: true,
    }));
  },
};

// string-width (used by yargs and cliui only to lay out help text) builds an Intl.Segmenter and
// a \p{RGI_Emoji} regex when it is loaded: about 25 ms of every start, measured. This shim
// answers printable ASCII itself and loads the real module only for other text, resolving it
// from the importer's own folder (several versions are installed).
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^string-width$/ }, (args) =>
      args.pluginData?.real ? undefined : { path: args.resolveDir, namespace: 'lazy-string-width' },
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents:
        'let real;\n' +
        'export default function stringWidth(text, options) {\n' +
        // yargs lays out its help text after every command, even when it is not shown. Printable
        // ASCII is one column a character, so the real module is only needed for other text.
        // (A newline is a control character: zero columns, as string-width counts it.)
        "  if (typeof text === 'string' && /^[\\x20-\\x7e\\n]*$/.test(text)) return text.replace(/\\n/g, '').length;\n" +
        "  real ??= require('string-width?real');\n" +
        '  return (real.default ?? real)(text, options);\n' +
        '}\n',
      resolveDir: args.path,
      loader: 'js',
    }));
    pluginBuild.onResolve({ filter: /^string-width\?real$/ }, (args) =>
      pluginBuild.resolve('string-width', {
        resolveDir: args.resolveDir,
        kind: 'require-call',
        pluginData: { real: true },
      }),
    );
  },
};

// yargs imports node:assert for two internal invariant checks; loading assert also loads its
// colour support, which opens process.stderr: about 5 ms of every start, measured. The same two
// checks, without the module:
const leanAssertForYargs = {
  name: 'lean-assert-for-yargs',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^assert$/ }, (args) =>
      /[\\/]yargs[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'lean-assert' } : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lean-assert' }, () => ({
      contents: `const fail = (message, actual, expected, operator) => {
  const error = new Error(message ?? \`Expected \${String(actual)} \${operator} \${String(expected)}\`);
  error.code = 'ERR_ASSERTION';
  throw error;
};
export function strictEqual(actual, expected, message) {
  if (!Object.is(actual, expected)) fail(message, actual, expected, '===');
}
export function notStrictEqual(actual, expected, message) {
  if (Object.is(actual, expected)) fail(message, actual, expected, '!==');
}
`,
      loader: 'js',
    }));
  },
};

await build({
  ...shared,
  entryPoints: [path.join(root, 'src/cli/entry.ts')],
  outfile: path.join(dist, 'tapo-port.cjs'),
  // The version line lets a test find this very script inside a single executable.
  banner: { js: `#!/usr/bin/env node\n// tapo-port ${version}\n` + shared.banner.js },
  plugins: [dockerEngineExternal, lazyStringWidth, leanAssertForYargs],
});
// dockerode and its dependencies are big; loading them only when Docker is
// actually asked keeps `check` on a machine without Docker close to `node -e 0`.
// dockerode loads BuildKit sessions (gRPC, protobuf), image-build helpers (tar-fs, dockerignore)
// and docker-modem loads ssh2 as soon as they are required, though `check` only lists and
// inspects containers over a socket, a pipe or TCP.
// Stubbing them removes most of the engine file's size and start-up cost; ssh:// endpoints are
// reported as unsupported by docker-engine-entry.ts before dockerode would reach the stub.
const unusedDockerFeatures = {
  name: 'unused-docker-features',
  setup(pluginBuild) {
    pluginBuild.onResolve(
      { filter: /^(@grpc\/grpc-js|@grpc\/proto-loader|protobufjs|ssh2|tar-fs|@balena\/dockerignore)$/ },
      (args) => ({
        path: args.path,
        namespace: 'unused-docker-feature',
      }),
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'unused-docker-feature' }, (args) => ({
      contents: `const fail = () => { throw new Error(${JSON.stringify(`${args.path} is not bundled with tapo-port`)}); };
module.exports = new Proxy({}, { get: (_target, key) => (key === '__esModule' ? false : fail) });`,
      loader: 'js',
    }));
  },
};

// docker-modem requires https (and with it tls) for TLS endpoints, and dockerode requires zlib
// for build contexts, both at load time: load them on first use instead, so a query over a unix
// socket or a named pipe does not pay for them.
const lazyBuiltins = { https: /[\\/]docker-modem[\\/]/, zlib: /[\\/]dockerode[\\/]/ };
const lazyBuiltinsForDocker = {
  name: 'lazy-builtins-for-docker',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^(https|zlib)$/ }, (args) =>
      lazyBuiltins[args.path].test(args.importer)
        ? { path: args.path, namespace: 'lazy-builtin' }
        : undefined,
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let real;\nmodule.exports = new Proxy({}, { get: (_target, key) => (real ??= require('node:${args.path}'))[key] });`,
      loader: 'js',
    }));
  },
};

// docker-modem's request logging: a no-op, as when DEBUG is unset.
const silentDebug = {
  name: 'silent-debug',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^debug$/ }, () => ({ path: 'debug', namespace: 'silent-debug' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'silent-debug' }, () => ({
      contents:
        'module.exports = function createDebug() { const log = () => {}; log.enabled = false; log.extend = () => log; return log; };',
      loader: 'js',
    }));
  },
};

await build({
  ...shared,
  // readable-stream (for attach/exec streams) is Node's own stream module, already loaded.
  alias: { 'readable-stream': 'node:stream' },
  entryPoints: [path.join(root, 'src/docker/docker-engine-entry.ts')],
  outfile: path.join(dist, 'docker-engine.cjs'),
  plugins: [unusedDockerFeatures, silentDebug, lazyBuiltinsForDocker],
});

// ps-list finds fastlist next to its own file: in the bundle that is dist/.
const vendor = path.join(root, 'node_modules/ps-list/vendor');
for (const file of await readdir(vendor)) {
  if (file.endsWith('.exe')) await copyFile(path.join(vendor, file), path.join(dist, 'vendor', file));
}
