// The import rule of src/: a folder imports only folders below it in LAYERS, never above, and no
// file is part of an import cycle. Checked by `npm run lint:layers` in npm test
// (dependency-cruiser); README.md "Layout" explains the floors.
'use strict';

/** From the top floor down. A verb imports verbs below it; every folder imports the shared floors below it. */
const LAYERS = [
  'cli', // argv, stdout/stderr, exit codes: the only place that touches them
  'start', // verbs, each with its types, planner, orchestration over Deps, deps and text
  'status',
  'stop',
  'check',
  'find-port',
  'adapters', // the PlatformAdapter interface and one file per OS
  'owners', // shared readers: pure parsers and thin readers
  'health', // the dashboard's /api/health: its answer read, fetched, and what it means
  'docker',
  'sockets',
  'system', // OS primitives: exec, /proc, process identity, bind probe
  'input', // parsing of user input: host, port, port lists, address family
  'text', // display-safe text, quoting for PowerShell, cmd and POSIX shells
  'contract', // the JSON envelope, error catalogue, exit codes, version
];

const upward = LAYERS.flatMap((layer, index) =>
  index === 0
    ? []
    : [
        {
          name: `no-upward-from-${layer}`,
          comment: `src/${layer} sits below ${LAYERS.slice(0, index).join(', ')}: it must not import them`,
          severity: 'error',
          from: { path: `^src/${layer}/` },
          to: { path: `^src/(${LAYERS.slice(0, index).join('|')})/` },
        },
      ],
);

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-circular',
      comment: 'an import cycle makes two files one: break it by moving the shared part down',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unknown-folder',
      comment: 'every file of src/ lives in a folder of LAYERS, so the rule covers it',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${LAYERS.join('|')})/` },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
