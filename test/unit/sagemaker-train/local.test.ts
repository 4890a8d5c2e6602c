// The train action's local backend against its time limits: max-runtime and timeout stop the run, which is reported
// as Stopped, as SageMaker reports a job stopped at its limit.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { inputSpec } from '../../../actions/train/src/inputs.js';
import { trainLocally } from '../../../actions/train/src/local.js';
import { type LocalPlan, planTraining } from '../../../actions/train/src/plan.js';
import { runContext } from '../../../packages/core/src/context.js';
import { CancelledError, DataError } from '../../../packages/core/src/errors.js';
import { parseInputs } from '../../../packages/core/src/inputs.js';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import type { Storage } from '../../../packages/core/src/storage.js';
import { WaitTimeoutError } from '../../../packages/core/src/wait.js';

const context = runContext({ GITHUB_REPOSITORY: 'acme/churn', GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '1' });
// Nothing is downloaded or written: the run never gets that far.
const storage = {} as Storage;

async function localPlan(raw: Record<string, string>): Promise<LocalPlan> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'train-local-'));
  const planned = planTraining(
    parseInputs(inputSpec, (name) => ({ backend: 'local', 'work-dir': workDir, ...raw })[name]),
    context,
    {},
  );
  assert.equal(planned.backend, 'local');
  return planned as LocalPlan;
}

describe('train locally: time limits', () => {
  it('stops a run at max-runtime and reports it Stopped with its last lines', async () => {
    const plan = await localPlan({ command: 'echo started; sleep 300', 'max-runtime': '1s' });
    try {
      const started = Date.now();
      const outcome = await trainLocally(plan, {
        storage,
        signal: new AbortController().signal,
        logger: recordingLogger(),
      });
      assert.ok(Date.now() - started < 30_000, 'stopped long before the sleep ended');
      assert.equal(outcome.status, 'Stopped');
      assert.deepEqual(outcome.logTail, ['started']);
      assert.ok(outcome.failure instanceof DataError);
      assert.equal(
        outcome.failure.message,
        `Training job ${plan.jobName} was stopped: it reached its maximum runtime of 1s`,
      );
    } finally {
      await rm(plan.workDir, { recursive: true, force: true });
    }
  });

  it('stops a run at the timeout, a WaitTimeoutError as on SageMaker', async () => {
    const plan = await localPlan({ command: 'sleep 300', timeout: '1s' });
    try {
      const outcome = await trainLocally(plan, {
        storage,
        signal: new AbortController().signal,
        logger: recordingLogger(),
      });
      assert.equal(outcome.status, 'Stopped');
      assert.ok(outcome.failure instanceof WaitTimeoutError);
      assert.match(outcome.failure.message, /was stopped after the timeout of 1s/);
    } finally {
      await rm(plan.workDir, { recursive: true, force: true });
    }
  });

  it('a cancellation is still a cancellation', async () => {
    const plan = await localPlan({ command: 'sleep 300' });
    const controller = new AbortController();
    try {
      const run = trainLocally(plan, {
        storage,
        signal: controller.signal,
        logger: { ...recordingLogger(), info: (message) => message.startsWith('Running ') && controller.abort() },
      });
      await assert.rejects(run, CancelledError);
    } finally {
      await rm(plan.workDir, { recursive: true, force: true });
    }
  });
});
