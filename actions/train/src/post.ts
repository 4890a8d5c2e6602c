// train's post step: stops the job this run started if it is still running (runner lost, stop request lost on
// cancel), unless stop-on-cancel is false or the job was not waited on; see state.ts.
import * as core from '@actions/core';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClientConfig, MLOPS_ACTIONS_VERSION } from '@mlops-actions/core';
import { runAction } from '@mlops-actions/core/action';
import { ACTION } from './plan.js';
import { readJobState, stopJobLeftRunning } from './state.js';

await runAction(async ({ logger }) => {
  const state = readJobState((name) => core.getState(name));
  // No signal passed on: a second cancellation must not abort the stop request, which is the point of this step.
  await stopJobLeftRunning(
    state,
    () =>
      new SageMakerClient(awsClientConfig({ action: ACTION, version: MLOPS_ACTIONS_VERSION, region: state?.region })),
    logger,
  );
});
