// readLaunchdJobs with recorded launchctl answers: which calls it makes, and when it names a job.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readLaunchdJobs } from '../../../src/owners/read-launchd-jobs.ts';
import { fixture } from '../../support/check-fakes.ts';
import { recordingExec, type ExecAnswer } from '../../support/recording-exec.ts';

const LIST = '/bin/launchctl list';
const sumoList = Buffer.from('PID\tStatus\tLabel\n54109\t0\totelcol-sumo\n-\t0\tcom.apple.quicklook\n');
const sumoPrint = Buffer.from(
  fixture('macos/launchctl-print.system.keepalive-daemon.otelcol-sumo.sumologic-docs.txt'),
);
const notFound: ExecAnswer = {
  stdout: '',
  stderr: 'Could not find service "otelcol-sumo" in domain for user gui: 501\n',
  code: 113,
};

const read = async (pids: number[], uid: number | null, answers: Record<string, ExecAnswer>) => {
  const { exec, calls } = recordingExec((file, args) => answers[[file, ...args].join(' ')]);
  return {
    jobs: await readLaunchdJobs(pids, uid, exec),
    calls: calls.map((c) => [c.file, ...c.args].join(' ')),
  };
};

describe('readLaunchdJobs', () => {
  it('as root: the system domain, the job matched by PID, its KeepAlive and plist', async () => {
    const { jobs, calls } = await read([54109], 0, {
      [LIST]: sumoList,
      '/bin/launchctl print system/otelcol-sumo': sumoPrint,
    });
    assert.deepEqual(
      jobs,
      new Map([
        [
          54109,
          {
            label: 'otelcol-sumo',
            domain: 'system',
            keepAlive: true,
            plist: '/Library/LaunchDaemons/com.sumologic.otelcol-sumo.plist',
          },
        ],
      ]),
    );
    assert.deepEqual(calls, [LIST, '/bin/launchctl print system/otelcol-sumo']);
  });

  it('as a user: gui/<uid> first, then user/<uid> (an SSH session)', async () => {
    const { jobs, calls } = await read([54109], 501, {
      [LIST]: sumoList,
      '/bin/launchctl print gui/501/otelcol-sumo': notFound,
      '/bin/launchctl print user/501/otelcol-sumo': sumoPrint,
    });
    assert.equal(jobs.get(54109)?.domain, 'user/501');
    assert.deepEqual(calls, [
      LIST,
      '/bin/launchctl print gui/501/otelcol-sumo',
      '/bin/launchctl print user/501/otelcol-sumo',
    ]);
  });

  it('the label now runs another PID (it restarted in between): not this process’s job', async () => {
    const { jobs } = await read([777], 0, {
      [LIST]: Buffer.from('PID\tStatus\tLabel\n777\t0\totelcol-sumo\n'),
      '/bin/launchctl print system/otelcol-sumo': sumoPrint,
    });
    assert.deepEqual(jobs, new Map());
  });

  it('a PID launchd does not list (an app opened from the Dock, another user’s daemon): nothing asked', async () => {
    const { jobs, calls } = await read([4242], 501, { [LIST]: sumoList });
    assert.deepEqual(jobs, new Map());
    assert.deepEqual(calls, [LIST]);
  });

  it('no PIDs, or launchctl failing: no job and no further call', async () => {
    assert.deepEqual((await read([], 501, {})).calls, []);
    const failing = await read([54109], 501, { [LIST]: { stdout: '', stderr: 'launchctl: error', code: 1 } });
    assert.deepEqual(failing.jobs, new Map());
    assert.deepEqual(failing.calls, [LIST]);
  });
});
