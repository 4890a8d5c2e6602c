// The harness's own test subject: each mode exercises one part of the runner protocol and of runAction.
import * as core from '@actions/core';
import { ConfigurationError, sleep } from '@mlops-actions/core';
import { readInputs, runAction, writeJobSummary } from '@mlops-actions/core/action';
import { inputSpec } from './inputs.js';

export function run(): Promise<void> {
  return runAction(async ({ signal, logger }) => {
    const input = readInputs(inputSpec);
    core.setOutput('echo', input.message);
    core.setOutput('repository', input.repository);
    core.saveState('resource', `probe-${input.message.length}`);
    const token = input.token ?? '';
    logger.info(`token length ${token.length}: ${token}`);
    await writeJobSummary(`## probe\n\n${input.message}\n`, { logger });
    if (input.mode === 'wait') {
      logger.info('waiting for cancellation');
      try {
        await sleep(60_000, signal);
      } finally {
        core.setOutput('aborted', String(signal.aborted));
      }
    }
    if (input.mode === 'fail-user')
      throw new ConfigurationError("Input 'mode' asked for a user error", { input: 'mode' });
    if (input.mode === 'fail-internal') throw new TypeError('an internal bug');
  });
}
