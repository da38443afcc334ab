declare const __TAPO_VERSION__: string | undefined;

/** Set by the bundler from package.json; the fallback serves unbundled test runs. */
export const VERSION: string = typeof __TAPO_VERSION__ === 'string' ? __TAPO_VERSION__ : '0.0.0-dev';
