// Mutation testing of the decision modules (`npm run mutate`): StrykerJS with its TAP runner,
// which runs each unit test file with Node's test runner (TypeScript through tsx) and, per mutant,
// only the test files that reach it. See README "Mutation testing".
const decisionModules = [
  'src/check/port-status.ts',
  'src/check/plan-fixes.ts',
  'src/stop/plan-stop.ts',
  'src/stop/find-supervisor.ts',
  'src/start/plan-start.ts',
  'src/find-port/plan-port-search.ts',
  'src/find-port/run-find-port.ts',
  'src/text/quote-powershell.ts',
  'src/text/quote-cmd.ts',
  'src/text/quote-posix.ts',
  'src/sockets/parse-netstat-windows.ts',
  'src/sockets/parse-netstat-macos.ts',
  'src/sockets/parse-ss.ts',
  'src/sockets/parse-proc-net-tcp.ts',
  'src/sockets/parse-lsof.ts',
  'src/sockets/parse-netsh-excluded-ranges.ts',
];

/** `STRYKER_MUTATE=src/check/port-status.ts,...` narrows a run to some modules. */
const only = process.env.STRYKER_MUTATE?.split(',').filter(Boolean);
/** Where this run's report and incremental file go (`STRYKER_RUN=quoting` → reports/mutation/quoting.json). */
const run = process.env.STRYKER_RUN ?? 'all';
/** Each named run gets its own sandbox folder, so that two runs at once do not clean each other's. */
const tempDirName = run === 'all' ? '.stryker-tmp' : `.stryker-tmp-${run}`;

export default {
  testRunner: 'tap',
  tap: {
    testFiles: ['test/unit/**/*.test.ts'],
    nodeArgs: ['--import', 'tsx'],
  },
  mutate: only ?? decisionModules,
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${run}.json` },
  incremental: true,
  incrementalFile: `reports/mutation/${run}.incremental.json`,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName,
  // Not copied into the sandboxes: the pwsh and Pester install, builds, and other runs' sandboxes.
  ignorePatterns: ['/.tools', '/.cache', '/dist', '/package', '/bench/results', '/.stryker-tmp*'],
  cleanTempDir: 'always',
};
