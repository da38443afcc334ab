import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCheck, type CheckData } from '../../../src/check/run-check.ts';
import type { Warning } from '../../../src/contract/envelope.ts';
import { renderCheckText } from '../../../src/check/render-check-text.ts';
import { scenario } from './check-scenarios.ts';
import {
  container,
  dockerOk,
  facts,
  fakeDeps,
  host,
  listener,
  probe,
  readableTable,
  UNSAFE_FOR_TERMINAL,
  type FakeWorld,
} from '../../support/check-fakes.ts';
import { caseName } from '../../support/case-name.ts';

async function checkOf(name: string): Promise<{ data: CheckData; warnings: Warning[] }> {
  const { world, host: hostText, port } = scenario(name);
  return runCheck(fakeDeps(world).deps, host(hostText), port);
}

async function render(name: string, colour = false): Promise<string> {
  const { data, warnings } = await checkOf(name);
  return renderCheckText(data, warnings, { colour });
}

describe('renderCheckText: exact output', () => {
  it('a free port is one line', async () => {
    assert.equal(
      await render('linux-free'),
      '[OK] Port 7799 on 0.0.0.0 is free: the dashboard can use it.\n',
    );
  });

  it('Linux process: who, details, numbered POSIX fixes', async () => {
    assert.equal(
      await render('linux-python3-wildcard'),
      [
        '[X] Port 7781 on 0.0.0.0 is in use: python3 (PID 11849) listening on 0.0.0.0:7781.',
        '',
        'Who holds it:',
        '  - python3 (PID 11849) listening on 0.0.0.0:7781',
        '      path: /usr/bin/python3.11',
        '      command line: python3 -m http.server --bind 0.0.0.0 7781',
        '      user: root',
        '      started: 2026-11-24T09:15:02.410Z',
        '      parents: bash (PID 11700) < systemd (PID 1)',
        '',
        'Fixes:',
        '  1. Start the dashboard on the next free port, 7784',
        '       python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7784',
        '  2. Stop python3 (PID 11849)',
        '       kill 11849',
        '',
      ].join('\n'),
    );
  });

  it('Linux hidden owner: how to see it, sudo fix, the reader warning', async () => {
    assert.equal(
      await render('linux-hidden-owner-as-nonroot'),
      [
        '[X] Port 7781 on 0.0.0.0 is in use: a process of user id 0 that this account is not allowed to see, listening on 0.0.0.0:7781.',
        '',
        'Who holds it:',
        '  - a process of user id 0 that this account is not allowed to see, listening on 0.0.0.0:7781',
        "      to see it: sudo ss -ltnp 'sport = :7781'",
        '',
        'Fixes:',
        '  1. Start the dashboard on the next free port, 7784',
        '       python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7784',
        '  2. See which process it is (needs sudo)',
        "       sudo ss -ltnp 'sport = :7781'",
        '',
        'Warnings:',
        '  - The process holding port 7781 is not visible to this user (socket uid 0); run the same command with sudo to see it.',
        '',
      ].join('\n'),
    );
  });

  it('Windows: PowerShell and cmd commands side by side, administrator marks, notes, warnings', async () => {
    assert.equal(
      await render('win32-docker-desktop-unresponsive'),
      [
        '[X] Port 80 on 0.0.0.0 is in use: Windows service iphlpsvc in svchost.exe (PID 9676) listening on 0.0.0.0:80; unknown process (PID 2672) listening on [::1]:80; Docker Desktop: com.docker.backend.exe (PID 4332) forwards the port, but the Docker engine did not answer (unresponsive), so which container is behind it is unknown.',
        '',
        'Who holds it:',
        '  - Windows service iphlpsvc in svchost.exe (PID 9676) listening on 0.0.0.0:80',
        '      path: C:\\Windows\\System32\\svchost.exe',
        '      command line: C:\\Windows\\system32\\svchost.exe -k NetSvcs -p -s iphlpsvc',
        '      user: NT AUTHORITY\\SYSTEM',
        '      started: 2026-11-24T07:58:30.000Z',
        '      parents: services.exe (PID 1012) < wininit.exe (PID 900)',
        '  - unknown process (PID 2672) listening on [::1]:80',
        '  - Docker Desktop: com.docker.backend.exe (PID 4332) forwards the port, but the Docker engine did not answer (unresponsive), so which container is behind it is unknown',
        '      path: C:\\Program Files\\Docker\\Docker\\resources\\com.docker.backend.exe',
        '      command line: "C:\\Program Files\\Docker\\Docker\\resources\\com.docker.backend.exe"',
        '      user: WIN11\\alice',
        '      started: 2026-11-24T08:01:12.345Z',
        '      parents: Docker Desktop.exe (PID 4100)',
        '',
        'Fixes:',
        '  1. Start the dashboard on the next free port, 81',
        '       PowerShell  python -m tapo_camera_mcp.web --host 0.0.0.0 --port 81',
        '       cmd         python -m tapo_camera_mcp.web --host 0.0.0.0 --port 81',
        '  2. A port proxy rule (netsh interface portproxy) may listen here; list the rules and delete the one for this port',
        '       PowerShell  netsh interface portproxy show all',
        '       cmd         netsh interface portproxy show all',
        '     note: Delete it with: netsh interface portproxy delete v4tov4 listenport=80 listenaddress=<address shown>',
        '  3. Stop the Windows service iphlpsvc (as administrator)',
        '       PowerShell  Stop-Service -Name iphlpsvc',
        '       cmd         net stop iphlpsvc',
        '  4. PID 2672 could not be read (it may have exited); run the check again',
        '  5. Docker Desktop holds the port, but the Docker engine did not answer (unresponsive); list the containers publishing it',
        '       PowerShell  docker ps --filter publish=80',
        '       cmd         docker ps --filter "publish=80"',
        '     note: Do not kill the forwarder: stop the container instead.',
        '',
        'Warnings:',
        '  - The Docker engine at npipe:////./pipe/dockerDesktopLinuxEngine did not answer within 2000 ms; it may be starting, paused or hung.',
        '',
      ].join('\n'),
    );
  });

  it('a container: id, restart policy, compose and container fixes', async () => {
    assert.equal(
      await render('linux-compose-container-no-host-socket'),
      [
        '[X] Port 18080 on 127.0.0.1 is in use: Docker container probe1 (image tapo-busybox, compose project tapo service web) publishes the port.',
        '',
        'Who holds it:',
        '  - Docker container probe1 (image tapo-busybox, compose project tapo service web) publishes the port',
        '      container id: 9e1c15de3f30',
        '      restart policy: unless-stopped',
        '',
        'Fixes:',
        '  1. Start the dashboard on the next free port, 18081',
        '       python -m tapo_camera_mcp.web --host 127.0.0.1 --port 18081',
        '  2. Stop compose service web of project tapo',
        '       docker compose -p tapo stop web',
        '  3. Stop container probe1',
        '       docker stop probe1',
        '  4. Keep it stopped: its restart policy "unless-stopped" starts it again with Docker',
        '       docker update --restart no probe1',
        '',
      ].join('\n'),
    );
  });

  it('a hostile process name, path and command line are shown escaped, on their own lines', async () => {
    assert.equal(
      await render('linux-hostile-process-name'),
      [
        '[X] Port 7781 on 0.0.0.0 is in use: \\x1B[31mevil\\x1B[0m\\x0AFAKE LINE\\x0D (PID 31337) listening on 0.0.0.0:7781.',
        '',
        'Who holds it:',
        '  - \\x1B[31mevil\\x1B[0m\\x0AFAKE LINE\\x0D (PID 31337) listening on 0.0.0.0:7781',
        '      path: /tmp/caf\\u{00E9}/\\u{4E2D}\\u{6587}/\\u{1F525}\\u{202E}exe.txt',
        '      command line: sh -c \'echo $(id) `id` "q"\'\\x0D\\x0A[OK] Port 7781 is free\\x1B]0;pwned\\x07',
        '      user: b\\u{00F6}b',
        '      started: 2026-11-24T11:11:11.000Z',
        '      parents: bash\\x1B[2J (PID 31000)',
        '',
        'Fixes:',
        '  1. Start the dashboard on the next free port, 7784',
        '       python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7784',
        '  2. Stop \\x1B[31mevil\\x1B[0m\\x0AFAKE LINE\\x0D (PID 31337)',
        '       kill 31337',
        '',
      ].join('\n'),
    );
  });
});

describe('renderCheckText: colour only when asked', () => {
  const marks: [string, string][] = [
    ['linux-free', '\x1b[32m[OK]\x1b[0m '],
    ['linux-python3-wildcard', '\x1b[31m[X]\x1b[0m '],
    ['win32-reserved-range', '\x1b[31m[X]\x1b[0m '],
    ['linux-forbidden-below-1024', '\x1b[31m[X]\x1b[0m '],
    ['linux-shadowed-ipv6-loopback', '\x1b[33m[!]\x1b[0m '],
    ['linux-unknown-table-unreadable', '\x1b[33m[?]\x1b[0m '],
  ];
  for (const [name, mark] of marks) {
    it(`${name}: the status mark is painted, nothing else`, async () => {
      const coloured = await render(name, true);
      const plain = await render(name, false);
      assert.ok(coloured.startsWith(mark), JSON.stringify(coloured.slice(0, 20)));
      assert.equal(coloured.split('\x1b').length - 1, 2, 'exactly two escape sequences');
      assert.equal(coloured.replace(/\x1b\[\d+m/g, ''), plain);
      assert.doesNotMatch(plain, /\x1b/);
    });
  }
});

describe('renderCheckText: hostile names cannot act on the terminal', () => {
  const BIG = `python -c "${'A'.repeat(100_000)}"`;
  const hostile = [
    '\x1b[31mred\x1b[0m',
    '\x1b]0;t\x07',
    'x\n  9. INJECTED fix',
    'x\r  9. INJECTED fix',
    'x\u2028  9. INJECTED fix',
    'x\u0085  9. INJECTED fix',
    'it\'s "quoted"',
    '$(touch pwned) `id`',
    'caf\u00e9 \u4e2d\u6587 \u{1F525} \u202eexe.txt',
    '\x9b31mC1 CSI',
  ];

  const worlds = (text: string): [string, FakeWorld, string][] => [
    [
      'Linux process facts',
      {
        platform: 'linux',
        probe: probe('in-use', 'EADDRINUSE'),
        table: readableTable([listener({ address: '0.0.0.0', family: 4, pid: 31337 })]),
        processes: [
          facts(31337, {
            name: text,
            path: `/tmp/${text}`,
            commandLine: `${text} ${BIG}`,
            user: text,
            uid: 1001,
            startTime: '2026-11-24T11:11:11.000Z',
            parentChain: [{ pid: 2, name: text }],
            systemdUnit: `${text}.service`,
          }),
        ],
      },
      '0.0.0.0',
    ],
    [
      'a Linux dashboard with a hostile health answer',
      {
        platform: 'linux',
        probe: probe('in-use', 'EADDRINUSE'),
        table: readableTable([listener({ address: '0.0.0.0', family: 4, pid: 4242 })]),
        processes: [facts(4242, { name: text, commandLine: `python -m tapo_camera_mcp.web ${text}` })],
        health: { 'http://127.0.0.1:7777/api/health': text },
      },
      '0.0.0.0',
    ],
    [
      'a container',
      {
        platform: 'linux',
        probe: probe('bound'),
        table: readableTable([]),
        docker: {
          status: { ...dockerOk, message: text },
          containers: [
            container({
              name: text,
              image: text,
              composeProject: text,
              composeService: text,
              restartPolicy: 'always',
            }),
          ],
        },
      },
      '0.0.0.0',
    ],
    [
      'Windows services and http.sys URLs, warnings',
      {
        platform: 'win32',
        probe: probe('in-use', 'EADDRINUSE'),
        table: readableTable(
          [
            listener({ address: '0.0.0.0', family: 4, pid: 700 }),
            listener({ address: '::', family: 6, pid: 4 }),
          ],
          'netstat -ano',
          [text],
        ),
        processes: [facts(700, { name: text, path: `C:\\${text}` }), facts(5000, { name: text })],
        services: { 700: [text], 5000: [text] },
        httpSys: { urls: [`http://+:7777/${text}/`], processIds: [5000] },
      },
      '0.0.0.0',
    ],
  ];

  for (const text of hostile) {
    for (const [what, world, hostText] of worlds(text)) {
      it(`${what}: ${caseName(text)}`, async () => {
        const { data, warnings } = await runCheck(fakeDeps(world).deps, host(hostText), 7777);
        const output = renderCheckText(data, warnings, { colour: false });
        assert.doesNotMatch(output, UNSAFE_FOR_TERMINAL);
        // The only lines are the renderer's own: none was started by a newline inside a name.
        for (const line of output.split('\n')) assert.doesNotMatch(line, /^\s*9\. INJECTED/, line);
        assert.ok(
          output.split('\n').every((line) => line.length < 5000),
          'no line carries a 100 kB field',
        );
      });
    }
  }

  it('a 100 kB command line is cut in the text, kept whole in the data', async () => {
    const world = worlds('x')[0]?.[1];
    assert.ok(world);
    const { data, warnings } = await runCheck(fakeDeps(world).deps, host('0.0.0.0'), 7777);
    const output = renderCheckText(data, warnings, { colour: false });
    const line = output.split('\n').find((l) => l.startsWith('      command line: '));
    assert.ok(line);
    assert.match(line, /\.\.\. \(\d+ more characters\)$/);
    assert.ok(line.length < 400, String(line.length));
    assert.ok((data.owners[0]?.process?.commandLine ?? '').length > 100_000);
  });

  it('commands are printed quoted for their shell; ones the terminal cannot show point to --json', async () => {
    const quoted = await runCheck(
      fakeDeps({
        platform: 'linux',
        probe: probe('bound'),
        table: readableTable([]),
        docker: { status: dockerOk, containers: [container({ name: 'web$(touch pwned)' })] },
      }).deps,
      host('0.0.0.0'),
      7777,
    );
    const text = renderCheckText(quoted.data, quoted.warnings, { colour: false });
    assert.match(text, /^ {7}docker stop 'web\$\(touch pwned\)'$/m);
    assert.doesNotMatch(text, /^ {7}docker stop web\$/m);

    const nonAscii = await runCheck(
      fakeDeps({
        platform: 'win32',
        probe: probe('bound'),
        table: readableTable([]),
        docker: { status: dockerOk, containers: [container({ name: 'caf\u00e9' })] },
      }).deps,
      host('0.0.0.0'),
      7777,
    );
    assert.equal(nonAscii.data.fixes.at(-1)?.commands.powershell, "docker stop 'caf\u00e9'");
    const lines = renderCheckText(nonAscii.data, nonAscii.warnings, { colour: false }).split('\n');
    const at = lines.indexOf('  2. Stop container caf\\u{00E9}');
    assert.notEqual(at, -1, lines.join('\n'));
    assert.deepEqual(lines.slice(at + 1, at + 3), [
      '       (command contains characters this terminal output cannot show; see --json)',
      '       (command contains characters this terminal output cannot show; see --json)',
    ]);
  });
});
