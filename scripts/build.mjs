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
  // ESM-only dependencies (ps-list, yargs, pid-port) read import.meta.url; in a
  // CJS bundle it must come from __filename or they crash at start-up.
  banner: { js: 'const __import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__import_meta_url', __TAPO_VERSION__: JSON.stringify(version) },
  // cpu-features is an optional native speed-up of ssh2 (Docker over ssh).
  external: ['cpu-features', '*.node', './docker-engine.cjs'],
};

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
      contents: "module.exports = require('./docker-engine.cjs');",
      loader: 'js',
    }));
    pluginBuild.onResolve({ filter: /^\.\/docker-engine\.cjs$/, namespace }, (args) => ({
      path: args.path,
      external: true,
    }));
  },
};

await build({
  ...shared,
  entryPoints: [path.join(root, 'src/cli.ts')],
  outfile: path.join(dist, 'tapo-port.cjs'),
  banner: { js: '#!/usr/bin/env node\n' + shared.banner.js },
  plugins: [dockerEngineExternal],
});
// dockerode and its dependencies are big; loading them only when Docker is
// actually asked keeps `check` on a machine without Docker close to `node -e 0`.
await build({
  ...shared,
  entryPoints: [path.join(root, 'src/docker/docker-engine-entry.ts')],
  outfile: path.join(dist, 'docker-engine.cjs'),
});

// ps-list finds fastlist next to its own file: in the bundle that is dist/.
const vendor = path.join(root, 'node_modules/ps-list/vendor');
for (const file of await readdir(vendor)) {
  if (file.endsWith('.exe')) await copyFile(path.join(vendor, file), path.join(dist, 'vendor', file));
}
