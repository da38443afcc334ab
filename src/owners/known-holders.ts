/**
 * Processes that hold a port on behalf of something else. Killing them would not free the
 * port for long and would break Docker, WSL or the OS: the thing behind them is the owner.
 * Names are compared lower-cased without `.exe`; tools truncate names (lsof: 9 chars,
 * ss/comm: 15), so prefixes of at least 9 characters are matched too.
 */
const forwarderProducts: Record<string, string> = {
  'docker-proxy': 'Docker (docker-proxy)',
  dockerd: 'Docker Engine (dockerd)',
  'com.docker.backend': 'Docker Desktop',
  'com.docker.proxy': 'Docker Desktop',
  'com.docker.slirp': 'Docker Desktop',
  'com.docker.vpnkit': 'Docker Desktop',
  vpnkit: 'Docker Desktop (vpnkit)',
  'vpnkit-bridge': 'Docker Desktop (vpnkit)',
  gvproxy: 'Podman (gvproxy)',
  'orbstack helper': 'OrbStack',
  rootlesskit: 'Docker rootless (rootlesskit)',
  rootlessport: 'Podman rootless (rootlessport)',
  limactl: 'Lima/Colima (limactl)',
};

const wslRelays = new Set(['wslrelay', 'wslhost']);

function canonicalName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\.exe$/, '')
    .trim();
}

/** The product a forwarder works for, or null when the name is not a known forwarder. */
export function forwarderProduct(name: string | null): string | null {
  if (!name) return null;
  const canonical = canonicalName(name);
  const exact = forwarderProducts[canonical];
  if (exact) return exact;
  if (canonical.length >= 9) {
    for (const [known, product] of Object.entries(forwarderProducts)) {
      if (known.startsWith(canonical)) return product;
    }
  }
  return null;
}

export function isWslRelay(name: string | null): boolean {
  return name !== null && wslRelays.has(canonicalName(name));
}

/** Our own dashboard, recognised by its command line (`python -m tapo_camera_mcp.web`). */
export function isDashboardCommandLine(commandLine: string | null): boolean {
  return commandLine !== null && /\btapo_camera_mcp[./\\]web\b/.test(commandLine);
}

/**
 * PIDs never to be offered for killing: the idle/System pseudo-processes on Windows (0, 4)
 * and init (1). PID 4 listening is http.sys.
 */
export function isSystemPid(pid: number): boolean {
  return pid === 0 || pid === 1 || pid === 4;
}

/**
 * Processes whose end takes the operating system down with them (or logs everyone out): never
 * offered for stopping, whoever holds the port. svchost hosts services: stop the service instead.
 */
const criticalProcesses: Partial<Record<NodeJS.Platform, ReadonlySet<string>>> = {
  win32: new Set([
    'system',
    'registry',
    'smss',
    'csrss',
    'wininit',
    'winlogon',
    'services',
    'lsass',
    'lsaiso',
    'svchost',
    'dwm',
    'fontdrvhost',
    'memory compression',
  ]),
  linux: new Set(['systemd', 'init', 'kthreadd', 'systemd-logind', 'dbus-daemon', 'dbus-broker']),
  darwin: new Set(['launchd', 'kernel_task', 'windowserver', 'loginwindow']),
};

export function isCriticalProcess(platform: NodeJS.Platform, name: string | null): boolean {
  return name !== null && (criticalProcesses[platform]?.has(canonicalName(name)) ?? false);
}

/**
 * Windows services that hold the system together (RPC, DCOM, logon, power, policy, firewall,
 * networking basics): stopping one breaks Windows or is refused. They share svchost processes
 * with ordinary services, so a port held by such a PID must never turn into "stop them all".
 */
const criticalWindowsServices = new Set(
  [
    'RpcSs',
    'RpcEptMapper',
    'DcomLaunch',
    'LSM',
    'BrokerInfrastructure',
    'PlugPlay',
    'Power',
    'SamSs',
    'EventLog',
    'Schedule',
    'ProfSvc',
    'Winmgmt',
    'CryptSvc',
    'Dhcp',
    'Dnscache',
    'NlaSvc',
    'nsi',
    'BFE',
    'mpssvc',
    'WinDefend',
    'gpsvc',
    'UserManager',
    'CoreMessagingRegistrar',
    'SystemEventsBroker',
    'TimeBrokerSvc',
    'StateRepository',
    'LanmanServer',
    'LanmanWorkstation',
    'Netman',
    'netprofm',
  ].map((name) => name.toLowerCase()),
);

export function isCriticalWindowsService(name: string): boolean {
  return criticalWindowsServices.has(name.toLowerCase());
}

/** PID 4 ("System") holding a port on Windows is http.sys serving a URL another process registered. */
export function isHttpSysPid(platform: NodeJS.Platform, pid: number): boolean {
  return platform === 'win32' && pid === 4;
}
