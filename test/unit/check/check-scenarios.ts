// Scenarios for runCheck built from recorded outputs (test/fixtures, see the PROVENANCE.md files)
// run through the real parsers and readers, plus fixed process facts so the answer is
// deterministic. Used by the golden-file test and the text-rendering test.
import { answered } from '../../support/health.ts';
import { endianness } from 'node:os';
import { classifyDockerFailure } from '../../../src/docker/classify-docker-failure.ts';
import type { DockerStatus } from '../../../src/docker/container-facts.ts';
import { applyInspect, containersPublishingPort } from '../../../src/docker/match-containers.ts';
import type { Exec } from '../../../src/system/exec.ts';
import { windowsAdapter } from '../../../src/adapters/windows-adapter.ts';
import type { ListenerTable } from '../../../src/sockets/listener.ts';
import { parseExcludedPortRanges } from '../../../src/sockets/parse-netsh-excluded-ranges.ts';
import { parseWindowsNetstat } from '../../../src/sockets/parse-netstat-windows.ts';
import { NETSTAT_SOURCE } from '../../../src/sockets/read-listeners-windows.ts';
import { readLinuxListeners } from '../../../src/sockets/read-listeners-linux.ts';
import { makeFakeProcFs, makeStatLine, type FakeTree } from '../../support/fake-proc-fs.ts';
import { dockerOk, facts, fixture, fixtureJson, probe, type FakeWorld } from '../../support/check-fakes.ts';

export interface Scenario {
  /** Golden file name without `.json`. */
  name: string;
  host: string;
  port: number;
  world: FakeWorld;
}

const debian = 'linux/local-debian12-docker-20.10.24';

// /proc/net/tcp holds native-endian words; the captures come from a little-endian machine.
if (endianness() !== 'LE')
  throw new Error('the /proc/net/tcp fixtures were recorded on a little-endian host');

/** Only the header of /proc/net/tcp6: IPv6 on, no IPv6 listener. */
const TCP6_HEADER = fixture(`${debian}/proc-net-tcp6.mixed.txt`).split('\n')[0] + '\n';

interface FakeHolder {
  pid: number;
  comm: string;
  inodes: number[];
}

/**
 * The Linux socket table of a recorded /proc/net/tcp{,6}, with the given processes holding its
 * sockets, read by the real reader. `selfUid` other than 0 and holders of uid 0 make the
 * holders invisible, as for a non-root user.
 */
function linuxTable(
  port: number,
  options: { tcp: string | null; tcp6: string | null; holders?: FakeHolder[]; selfUid?: number },
): ListenerTable {
  const selfUid = options.selfUid ?? 0;
  const tree: Required<Pick<FakeTree, 'files' | 'links' | 'uids' | 'dirs'>> = {
    files: {},
    links: {},
    uids: { '/proc/self': selfUid },
    dirs: ['/proc'],
  };
  if (options.tcp !== null) tree.files['/proc/net/tcp'] = options.tcp;
  if (options.tcp6 !== null) tree.files['/proc/net/tcp6'] = options.tcp6;
  for (const holder of options.holders ?? []) {
    tree.files[`/proc/${holder.pid}/stat`] = makeStatLine(holder.pid, holder.comm, 1);
    tree.files[`/proc/${holder.pid}/comm`] = `${holder.comm}\n`;
    tree.uids[`/proc/${holder.pid}`] = 0;
    if (selfUid === 0) {
      holder.inodes.forEach((inode, index) => {
        tree.links[`/proc/${holder.pid}/fd/${index + 3}`] = `socket:[${inode}]`;
      });
    } else {
      // Another user's fd table: the directory exists but cannot be listed.
      tree.dirs.push(`/proc/${holder.pid}`);
    }
  }
  return readLinuxListeners(port, makeFakeProcFs(tree));
}

const mixedHolders: FakeHolder[] = [
  { pid: 11522, comm: 'docker-proxy', inodes: [404452] },
  { pid: 11527, comm: 'docker-proxy', inodes: [404455] },
  { pid: 11751, comm: 'docker-proxy', inodes: [404999] },
  { pid: 11849, comm: 'python3', inodes: [406159] },
  { pid: 11940, comm: 'python3', inodes: [406266, 406267] },
];

const mixed = (port: number, extra: Partial<Parameters<typeof linuxTable>[1]> = {}): ListenerTable =>
  linuxTable(port, {
    tcp: fixture(`${debian}/proc-net-tcp.mixed.txt`),
    tcp6: fixture(`${debian}/proc-net-tcp6.mixed.txt`),
    holders: mixedHolders,
    ...extra,
  });

const windowsTable = (file: string, port: number): ListenerTable => ({
  readable: true,
  source: NETSTAT_SOURCE,
  listeners: parseWindowsNetstat(fixture(`windows/${file}`, 'latin1'), port),
  warnings: [],
});

const rootParents = [
  { pid: 11700, name: 'bash' },
  { pid: 1, name: 'systemd' },
];

const python3 = facts(11849, {
  name: 'python3',
  path: '/usr/bin/python3.11',
  commandLine: 'python3 -m http.server --bind 0.0.0.0 7781',
  user: 'root',
  uid: 0,
  startTime: '2026-11-24T09:15:02.410Z',
  ppid: 11700,
  parentChain: rootParents,
});

const dockerProxy = (pid: number, hostIp: string): ReturnType<typeof facts> =>
  facts(pid, {
    name: 'docker-proxy',
    path: '/usr/sbin/docker-proxy',
    commandLine: `/usr/sbin/docker-proxy -proto tcp -host-ip ${hostIp} -host-port 7777 -container-ip 172.17.0.2 -container-port 80`,
    user: 'root',
    uid: 0,
    startTime: '2026-11-24T09:14:40.020Z',
    ppid: 11350,
    parentChain: [
      { pid: 11350, name: 'dockerd' },
      { pid: 1, name: 'systemd' },
    ],
    systemdUnit: 'docker.service',
  });

const desktopEngine = 'npipe:////./pipe/dockerDesktopLinuxEngine';
const dockerDesktopOk: DockerStatus = {
  state: 'ok',
  endpoint: desktopEngine,
  endpointSource: 'context desktop-linux',
  message: null,
};
const dockerDesktopUnresponsive: DockerStatus = {
  ...classifyDockerFailure({
    error: null,
    endpoint: desktopEngine,
    deadlineHit: true,
    elapsedMs: 2000,
    timeoutMs: 2000,
  }),
  endpoint: desktopEngine,
  endpointSource: 'context desktop-linux',
};

const dockerDesktopWorld = (docker: DockerStatus): FakeWorld => ({
  platform: 'win32',
  probe: probe('in-use', 'EADDRINUSE'),
  table: windowsTable('netstat-aon-findstr.docker-desktop-backend.for-win-12474.txt', 80),
  processes: [
    facts(4332, {
      name: 'com.docker.backend.exe',
      path: 'C:\\Program Files\\Docker\\Docker\\resources\\com.docker.backend.exe',
      commandLine: '"C:\\Program Files\\Docker\\Docker\\resources\\com.docker.backend.exe"',
      user: 'WIN11\\alice',
      startTime: '2026-11-24T08:01:12.345Z',
      ppid: 4100,
      parentChain: [{ pid: 4100, name: 'Docker Desktop.exe' }],
    }),
    facts(9676, {
      name: 'svchost.exe',
      path: 'C:\\Windows\\System32\\svchost.exe',
      commandLine: 'C:\\Windows\\system32\\svchost.exe -k NetSvcs -p -s iphlpsvc',
      user: 'NT AUTHORITY\\SYSTEM',
      startTime: '2026-11-24T07:58:30.000Z',
      ppid: 1012,
      parentChain: [
        { pid: 1012, name: 'services.exe' },
        { pid: 900, name: 'wininit.exe' },
      ],
    }),
    // PID 2672 ([::1]:80) exited between netstat and the process query: no facts.
  ],
  services: { 9676: ['iphlpsvc'] },
  docker: { status: docker, containers: [] },
});

/**
 * The Windows adapter's own http.sys reader, answered with the recorded servicestate output
 * (the server-session view; the parser reads both views). Any other command is a test error.
 */
const netshExec: Exec = async (file, args, options) => {
  if (!/netsh\.exe$/i.test(file) || args.join(' ') !== 'http show servicestate view=requestq') {
    throw new Error(`unexpected command ${file} ${args.join(' ')}`);
  }
  const text = fixture(
    'windows/servicestate.server-session-view.localhost8080.annotations-removed.uts-iotbay.txt',
    options?.encoding ?? 'utf8',
  );
  return { stdout: text, stderr: '', code: 0 };
};

const hostileName = '\x1b[31mevil\x1b[0m\nFAKE LINE\r';

export const scenarios: Scenario[] = [
  {
    name: 'linux-free',
    host: '0.0.0.0',
    port: 7799,
    world: { platform: 'linux', probe: probe('bound'), table: mixed(7799) },
  },
  {
    name: 'linux-python3-wildcard',
    host: '0.0.0.0',
    port: 7781,
    world: {
      // The recorded table holds [::1]:7782 and the dual-stack *:7783: the real scan skips both.
      nextFreePort: 7784,
      platform: 'linux',
      currentUid: 0,
      probe: probe('in-use', 'EADDRINUSE'),
      table: mixed(7781),
      processes: [python3],
    },
  },
  {
    name: 'linux-docker-proxy-container',
    host: '0.0.0.0',
    port: 7777,
    world: {
      platform: 'linux',
      probe: probe('in-use', 'EADDRINUSE'),
      table: linuxTable(7777, {
        tcp: fixture(`${debian}/proc-net-tcp.docker-proxy.txt`),
        tcp6: fixture(`${debian}/proc-net-tcp6.docker-proxy.txt`),
        holders: mixedHolders.slice(0, 2),
      }),
      processes: [dockerProxy(11522, '0.0.0.0'), dockerProxy(11527, '::')],
      docker: {
        status: dockerOk,
        containers: containersPublishingPort(
          fixtureJson('docker/local-engine-20.10.24/docker-api-v1.41-containers-json.json'),
          7777,
        ),
      },
    },
  },
  {
    name: 'linux-compose-container-no-host-socket',
    host: '127.0.0.1',
    port: 18080,
    world: {
      platform: 'linux',
      probe: probe('bound'),
      table: mixed(18080),
      docker: {
        status: dockerOk,
        containers: containersPublishingPort(
          fixtureJson(
            'docker/private-engine-20.10.24/docker-api-v1.41-containers-json-filter-publish-18080.json',
          ),
          18080,
        ).map((c) =>
          applyInspect(
            c,
            fixtureJson(
              'docker/private-engine-20.10.24/docker-api-v1.41-containers-inspect.probe1-compose-labels-unless-stopped.json',
            ),
          ),
        ),
      },
    },
  },
  {
    name: 'linux-hidden-owner-as-nonroot',
    host: '0.0.0.0',
    port: 7781,
    world: {
      // The recorded table holds [::1]:7782 and the dual-stack *:7783: the real scan skips both.
      nextFreePort: 7784,
      platform: 'linux',
      currentUid: 65534,
      probe: probe('in-use', 'EADDRINUSE'),
      table: mixed(7781, { selfUid: 65534 }),
    },
  },
  {
    name: 'linux-shadowed-ipv6-loopback',
    host: '0.0.0.0',
    port: 7782,
    world: {
      // The recorded table holds [::1]:7782 and the dual-stack *:7783: the real scan skips both.
      nextFreePort: 7784,
      platform: 'linux',
      currentUid: 0,
      probe: probe('bound'),
      table: mixed(7782),
      processes: [
        facts(11940, {
          name: 'python3',
          path: '/usr/bin/python3.11',
          commandLine: 'python3 /srv/hold_two.py',
          user: 'root',
          uid: 0,
          startTime: '2026-11-24T09:15:40.000Z',
          ppid: 11700,
          parentChain: rootParents,
        }),
      ],
    },
  },
  {
    name: 'linux-unknown-table-unreadable',
    host: '0.0.0.0',
    port: 7777,
    world: { platform: 'linux', probe: probe('bound'), table: linuxTable(7777, { tcp: null, tcp6: null }) },
  },
  {
    name: 'linux-forbidden-below-1024',
    host: '0.0.0.0',
    port: 80,
    world: { platform: 'linux', probe: probe('forbidden', 'EACCES'), table: mixed(80), nextFreePort: null },
  },
  {
    name: 'linux-earlier-dashboard',
    host: '0.0.0.0',
    port: 7777,
    world: {
      platform: 'linux',
      probe: probe('in-use', 'EADDRINUSE'),
      table: linuxTable(7777, {
        tcp: fixture(`${debian}/proc-net-tcp.docker-proxy.txt`),
        tcp6: TCP6_HEADER,
        holders: [{ pid: 23456, comm: 'python', inodes: [404452] }],
      }),
      processes: [
        facts(23456, {
          name: 'python',
          path: '/home/alice/tapo/.venv/bin/python3.11',
          commandLine: 'python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7777',
          user: 'alice',
          uid: 1000,
          startTime: '2026-11-24T10:02:03.000Z',
          ppid: 23400,
          parentChain: [
            { pid: 23400, name: 'bash' },
            { pid: 2100, name: 'sshd' },
          ],
        }),
      ],
      // As the real endpoint answers with the cameras configured and offline (web/server.py get_health).
      health: {
        'http://127.0.0.1:7777/api/health': answered('warning', {
          issues: ['no_cameras_online'],
          cameras: { total: 2, online: 0 },
          elapsedMs: 640,
        }),
      },
    },
  },
  {
    name: 'linux-hostile-process-name',
    host: '0.0.0.0',
    port: 7781,
    world: {
      // The recorded table holds [::1]:7782 and the dual-stack *:7783: the real scan skips both.
      nextFreePort: 7784,
      platform: 'linux',
      probe: probe('in-use', 'EADDRINUSE'),
      table: mixed(7781, { holders: [{ pid: 31337, comm: 'evil', inodes: [406159] }] }),
      processes: [
        facts(31337, {
          name: hostileName,
          path: '/tmp/caf\u00e9/\u4e2d\u6587/\u{1F525}\u202eexe.txt',
          commandLine: `sh -c 'echo $(id) \`id\` "q"'\r\n[OK] Port 7781 is free\x1b]0;pwned\x07`,
          user: 'b\u00f6b',
          uid: 1000,
          startTime: '2026-11-24T11:11:11.000Z',
          ppid: 31000,
          parentChain: [{ pid: 31000, name: 'bash\x1b[2J' }],
        }),
      ],
    },
  },
  {
    name: 'win32-docker-desktop-no-container',
    host: '0.0.0.0',
    port: 80,
    world: dockerDesktopWorld(dockerDesktopOk),
  },
  {
    name: 'win32-docker-desktop-unresponsive',
    host: '0.0.0.0',
    port: 80,
    world: dockerDesktopWorld(dockerDesktopUnresponsive),
  },
  {
    name: 'win32-wslhost',
    host: '0.0.0.0',
    port: 80,
    world: {
      platform: 'win32',
      // Windows lets a wildcard bind while 127.0.0.1:80 is held; the relay still gets the connections.
      probe: probe('bound'),
      table: windowsTable('netstat-ano-find.wslhost.WSL-9763.txt', 80),
      processes: [
        facts(19820, {
          name: 'wslhost.exe',
          path: 'C:\\Program Files\\WSL\\wslhost.exe',
          commandLine: '"C:\\Program Files\\WSL\\wslhost.exe"',
          user: 'WIN11\\alice',
          startTime: '2026-11-24T08:30:00.000Z',
          ppid: 18800,
          parentChain: [{ pid: 18800, name: 'wsl.exe' }],
        }),
      ],
      // WSL's service did not answer in time: the relay is described as before, with a warning.
      wslRelay: {
        answer: 'unknown',
        reason: 'wsl.exe --list --running --quiet was stopped before it finished (time limit 5000 ms)',
      },
    },
  },
  {
    // microsoft/WSL#10601: the server inside WSL is gone, wslrelay.exe still listens; here WSL
    // answers that no distribution runs at all.
    name: 'win32-wslrelay-stale',
    host: '::1',
    port: 80,
    world: {
      platform: 'win32',
      probe: probe('in-use', 'EADDRINUSE'),
      table: windowsTable('netstat-abno-excerpt.wslrelay-ipv6-loopback.WSLHostPatcher-18.txt', 80),
      processes: [
        facts(17584, {
          name: 'wslrelay.exe',
          path: 'C:\\Program Files\\WSL\\wslrelay.exe',
          user: 'WIN10\\alice',
          startTime: '2026-11-24T08:30:00.000Z',
          ppid: 17000,
          parentChain: [{ pid: 17000, name: 'wslservice.exe' }],
        }),
      ],
      wslRelay: { answer: 'no-distribution-running' },
    },
  },
  {
    name: 'win32-pid4-http-sys',
    host: '0.0.0.0',
    port: 8080,
    world: {
      platform: 'win32',
      // http.sys holds only [::]:8080 here: the IPv4 bind works, localhost may still reach IIS Express.
      probe: probe('bound'),
      table: windowsTable('netstat-ano-find.pid4-httpsys.uts-iotbay.txt', 8080),
      readHttpSys: (port) => windowsAdapter(netshExec).readHttpSys(port),
      processes: [
        facts(4, { name: 'System' }),
        // PID 5492 (the other unnamed queue) has exited: no facts.
        facts(37584, {
          name: 'iisexpress.exe',
          path: 'C:\\Program Files\\IIS Express\\iisexpress.exe',
          commandLine:
            '"C:\\Program Files\\IIS Express\\iisexpress.exe" /config:"C:\\Users\\alice\\iotbay\\applicationhost.config" /site:IoTBay',
          user: 'WIN11\\alice',
          startTime: '2026-11-24T08:45:00.000Z',
          ppid: 30000,
          parentChain: [{ pid: 30000, name: 'devenv.exe' }],
        }),
      ],
    },
  },
  {
    name: 'win32-reserved-range',
    host: '0.0.0.0',
    port: 2500,
    world: {
      platform: 'win32',
      probe: probe('forbidden', 'EACCES'),
      table: windowsTable('netstat-ano.en.win7.pid4-ipv6-udp.txt', 2500),
      reserved: {
        ranges: parseExcludedPortRanges(
          fixture('windows/excludedportrange-tcp.zh-CN.WhimboxLauncher-21.txt', 'latin1'),
          4,
        ),
        warnings: [],
      },
      // The real scan skips the rest of the range.
      nextFreePort: 2580,
    },
  },
  {
    name: 'win32-service-in-svchost',
    host: '0.0.0.0',
    port: 135,
    world: {
      platform: 'win32',
      probe: probe('in-use', 'EADDRINUSE'),
      table: windowsTable('netstat-ano.en.win7.pid4-ipv6-udp.txt', 135),
      processes: [
        facts(672, {
          name: 'svchost.exe',
          path: 'C:\\Windows\\System32\\svchost.exe',
          commandLine: 'C:\\Windows\\system32\\svchost.exe -k RPCSS',
          user: 'NT AUTHORITY\\NETWORK SERVICE',
          startTime: '2026-11-24T07:58:20.000Z',
          ppid: 488,
          parentChain: [
            { pid: 488, name: 'services.exe' },
            { pid: 384, name: 'wininit.exe' },
          ],
        }),
      ],
      services: { 672: ['RpcEptMapper', 'RpcSs'] },
    },
  },
];

export function scenario(name: string): Scenario {
  const found = scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
}
