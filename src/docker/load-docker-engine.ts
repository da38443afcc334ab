/**
 * Loads the Docker engine client on demand. In the bundle, scripts/build.mjs resolves this import
 * to the separate dist/docker-engine.cjs, so dockerode is parsed only when Docker is asked; under
 * tsx (tests, development) it is an ordinary dynamic import of the TypeScript source.
 */
export function loadDockerEngine(): Promise<typeof import('./docker-engine-entry.ts')> {
  return import('./docker-engine-entry.ts');
}
