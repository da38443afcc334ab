/**
 * Whether a Docker endpoint is this machine's engine. Only such an engine's containers can hold a
 * port here; a remote engine (DOCKER_HOST=tcp://server, an ssh or cloud context) must neither
 * decide the answer nor be offered a `docker stop`.
 */
export function isLocalDockerEndpoint(endpoint: string): boolean {
  const scheme = /^([a-z]+):\/\//i.exec(endpoint)?.[1]?.toLowerCase();
  if (scheme === 'unix' || scheme === 'npipe') return true;
  if (scheme !== 'tcp' && scheme !== 'http' && scheme !== 'https') return false;
  const host = endpoint
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[/?].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
