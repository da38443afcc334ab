// launchctl's tables, from recorded outputs (test/fixtures/macos, PROVENANCE.md).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseLaunchctlList } from '../../../src/owners/parse-launchctl-list.ts';
import { parseLaunchctlPrint } from '../../../src/owners/parse-launchctl-print.ts';
import { fixture } from '../../support/check-fakes.ts';

describe('parseLaunchctlList', () => {
  it('running jobs by PID from the real table (OS X 10.11); jobs not running (`-`) are left out', () => {
    assert.deepEqual(
      parseLaunchctlList(fixture('macos/launchctl-list.head.os-x-10.11.lunchy-go-7.txt')),
      new Map([
        [279, 'com.apple.Finder'],
        [324, 'com.apple.bird'],
      ]),
    );
  });
  it('CRLF, a negative status (killed by a signal), a label with spaces and the header', () => {
    const text =
      'PID\tStatus\tLabel\r\n54109\t0\totelcol-sumo\r\n812\t-15\tcom.example.my agent\r\n-\t-9\tgone\r\n';
    assert.deepEqual(
      parseLaunchctlList(text),
      new Map([
        [54109, 'otelcol-sumo'],
        [812, 'com.example.my agent'],
      ]),
    );
  });
  it('no table: nothing', () => {
    assert.deepEqual(parseLaunchctlList('Could not find domain for user gui: 501\n'), new Map());
  });
});

describe('parseLaunchctlPrint', () => {
  it('a KeepAlive daemon that runs (Sumo Logic docs, tabs): state, pid, plist, keepalive', () => {
    assert.deepEqual(
      parseLaunchctlPrint(
        fixture('macos/launchctl-print.system.keepalive-daemon.otelcol-sumo.sumologic-docs.txt'),
      ),
      {
        state: 'running',
        pid: 54109,
        path: '/Library/LaunchDaemons/com.sumologic.otelcol-sumo.plist',
        keepAlive: true,
      },
    );
  });
  it('a KeepAlive agent waiting to be spawned again (jamf/aftermath, spaces): no pid', () => {
    assert.deepEqual(
      parseLaunchctlPrint(
        fixture('macos/launchctl-print.gui-501.keepalive-spawn-scheduled.jamf-aftermath-test.txt'),
      ),
      {
        state: 'spawn scheduled',
        pid: null,
        path: '/Library/LaunchAgents/com.jamf.protect.agent.plist',
        keepAlive: true,
      },
    );
  });
  it("nested blocks do not count: an endpoint's state and pid, an environment variable named path", () => {
    const text = [
      'gui/501/com.example.web = {',
      '\tendpoints = {',
      '\t\t"com.example.web" = {',
      '\t\t\tstate = active',
      '\t\t\tpid = 1',
      '\t\t}',
      '\t}',
      '\tenvironment = {',
      '\t\tpath = /nowhere',
      '\t}',
      '\tstate = running',
      '\tpath = /Users/a/Library/LaunchAgents/com.example.web.plist',
      '\tpid = 4242',
      '\tproperties = runatload | inferred program',
      '}',
    ].join('\n');
    assert.deepEqual(parseLaunchctlPrint(text), {
      state: 'running',
      pid: 4242,
      path: '/Users/a/Library/LaunchAgents/com.example.web.plist',
      keepAlive: false,
    });
  });
  it('no properties line: keepAlive unknown; an error instead of a print: nothing known', () => {
    assert.equal(parseLaunchctlPrint('x = {\n\tstate = running\n\tpid = 9\n}\n').keepAlive, null);
    assert.deepEqual(parseLaunchctlPrint('Could not find service "web" in domain for user gui: 501\n'), {
      state: null,
      pid: null,
      path: null,
      keepAlive: null,
    });
  });
});
