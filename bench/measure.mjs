// Times whole processes, interleaved: every round runs every tool once, starting one tool later
// each round, so a burst of machine noise lands on all tools alike and no tool always runs right
// after the slowest one. A tool may bring its own `run` (the start part waits for readiness rather
// than for exit); the rounds, the rotation and the verdicts are the same.
import { performance } from 'node:perf_hooks';
import { startChild } from './scenario.mjs';

const RUN_TIMEOUT_MS = 60000;

/**
 * Wall time of one run from spawn to exit (as a user waits for it), with its output. `tool.detached`
 * starts it in its own process group (so the group can be killed).
 */
export function runOnce(tool, cwd) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = startChild(tool.command, tool.args, {
      cwd,
      env: tool.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: tool.detached === true,
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, code: null, stdout, stderr: error.message, timedOut });
    });
    // 'close', not 'exit': the answer is only complete when stdout is drained.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, code: code ?? signal, stdout, stderr, timedOut });
    });
  });
}

/**
 * Runs `warmup` unmeasured rounds, then `rounds` measured ones. Every run, warm-up included, is
 * verified. Returns, per tool id, the measured times in round order and every verdict.
 */
export async function runRounds({ tools, rounds, warmup, expected, cwd, onRound }) {
  const results = new Map(tools.map((tool) => [tool.id, { samples: [], verdicts: [] }]));
  for (let round = 0; round < warmup + rounds; round += 1) {
    const measured = round >= warmup;
    for (let i = 0; i < tools.length; i += 1) {
      const tool = tools[(round + i) % tools.length];
      const run = tool.run ? await tool.run() : await runOnce(tool, cwd);
      const verdict = run.timedOut
        ? { correct: false, detail: `timed out after ${RUN_TIMEOUT_MS} ms` }
        : tool.verify(run, expected);
      const entry = results.get(tool.id);
      entry.verdicts.push({
        ...verdict,
        measured,
        stderr: verdict.correct === false ? run.stderr.trim() : '',
      });
      if (measured) entry.samples.push(run.ms);
    }
    onRound?.(round, measured);
  }
  return results;
}
