import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  forwarderProduct,
  isDashboardCommandLine,
  isSystemPid,
  isWslRelay,
} from '../../../src/owners/known-holders.ts';

describe('forwarderProduct', () => {
  const rows: [string | null, string | null][] = [
    ['docker-proxy', 'Docker (docker-proxy)'],
    // lsof cuts COMMAND to 9 characters, comm to 15.
    ['docker-pr', 'Docker (docker-proxy)'],
    ['docker-prox', 'Docker (docker-proxy)'],
    ['DOCKER-PROXY.EXE', 'Docker (docker-proxy)'],
    ['dockerd', 'Docker Engine (dockerd)'],
    ['dockerd.exe', 'Docker Engine (dockerd)'],
    ['com.docker.backend.exe', 'Docker Desktop'],
    ['com.docker.backend', 'Docker Desktop'],
    ['com.docker.back', 'Docker Desktop'],
    ['com.docker.proxy.exe', 'Docker Desktop'],
    ['com.docker.slirp', 'Docker Desktop'],
    ['com.docker.vpnkit', 'Docker Desktop'],
    ['vpnkit.exe', 'Docker Desktop (vpnkit)'],
    ['vpnkit-bridge', 'Docker Desktop (vpnkit)'],
    ['gvproxy', 'Podman (gvproxy)'],
    ['OrbStack Helper', 'OrbStack'],
    ['rootlesskit', 'Docker rootless (rootlesskit)'],
    ['rootlessport', 'Podman rootless (rootlessport)'],
    ['limactl', 'Lima/Colima (limactl)'],
    // Short prefixes are too ambiguous to match.
    ['docker', null],
    ['docker-p', null],
    ['com.dock', null],
    ['python3', null],
    ['svchost.exe', null],
    ['node', null],
    ['docker-proxy-evil', null],
    ['my-docker-proxy', null],
    ['', null],
    [null, null],
  ];
  for (const [name, product] of rows) {
    it(`${JSON.stringify(name)} -> ${JSON.stringify(product)}`, () =>
      assert.equal(forwarderProduct(name), product));
  }
});

describe('isWslRelay', () => {
  const rows: [string | null, boolean][] = [
    ['wslrelay.exe', true],
    ['wslhost.exe', true],
    ['WSLHOST.EXE', true],
    ['wslrelay', true],
    ['wsl.exe', false],
    ['wslservice.exe', false],
    ['vmmem', false],
    ['', false],
    [null, false],
  ];
  for (const [name, expected] of rows) {
    it(`${JSON.stringify(name)} -> ${expected}`, () => assert.equal(isWslRelay(name), expected));
  }
});

describe('isDashboardCommandLine', () => {
  const rows: [string | null, boolean][] = [
    ['python -m tapo_camera_mcp.web --host 0.0.0.0 --port 7777', true],
    ['/usr/bin/python3 -m tapo_camera_mcp.web', true],
    ['C:\\Python312\\python.exe -m tapo_camera_mcp.web --port 7779', true],
    ['python src/tapo_camera_mcp/web/__main__.py', true],
    ['python src\\tapo_camera_mcp\\web\\__main__.py', true],
    ['python -m tapo_camera_mcp.webhook', false],
    ['python -m tapo_camera_mcp.web_ui', false],
    ['python -m my_tapo_camera_mcp.web', false],
    ['python -m tapo_camera_mcp', false],
    ['python -m tapo_camera_mcp.server --port 7778', false],
    ['python3 -m http.server 7777', false],
    ['', false],
    [null, false],
  ];
  for (const [commandLine, expected] of rows) {
    it(`${JSON.stringify(commandLine)} -> ${expected}`, () =>
      assert.equal(isDashboardCommandLine(commandLine), expected));
  }
});

describe('isSystemPid', () => {
  for (const pid of [0, 1, 4]) it(`${pid} is never to be killed`, () => assert.equal(isSystemPid(pid), true));
  for (const pid of [2, 3, 5, 8, 40, 400, 4242, 65535])
    it(`${pid} is an ordinary PID`, () => assert.equal(isSystemPid(pid), false));
});
