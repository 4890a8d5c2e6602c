// train: inputs -> a plan -> the SageMaker or the local backend -> outputs, job summary, and the step's verdict.
import path from 'node:path';
import * as core from '@actions/core';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { awsClientConfig, MLOPS_ACTIONS_VERSION, openStorage, runContext, s3Client } from '@mlops-actions/core';
import { readInputs, runAction, writeJobSummary } from '@mlops-actions/core/action';
import { inputSpec } from './inputs.js';
import { trainLocally } from './local.js';
import { actionOutputs } from './outcome.js';
import { ACTION, planTraining } from './plan.js';
import { renderTrainingReport } from './report.js';
import { trainOnSageMaker } from './sagemaker.js';
import { saveJobState } from './state.js';

export function run(): Promise<void> {
  return runAction(async ({ signal, logger }) => {
    const context = runContext();
    const plan = planTraining(readInputs(inputSpec), context);
    for (const note of plan.notes) logger.warning(note);
    // No SDK logger: this flow expects some calls to fail (a describe before the create answers "not found", the log
    // group does not exist until the job writes to it) and reports what matters itself.
    const aws = { action: ACTION, version: MLOPS_ACTIONS_VERSION, region: plan.region };
    // A factory: a local run that reads and writes only local paths never needs a region or credentials.
    const storage = openStorage({ s3: () => s3Client(aws), logger });

    const outcome =
      plan.backend === 'local'
        ? await trainLocally(plan, { storage, signal, logger })
        : await trainOnSageMaker(plan, {
            sagemaker: new SageMakerClient(awsClientConfig(aws)),
            logs: new CloudWatchLogsClient(awsClientConfig(aws)),
            storage,
            signal,
            logger,
            tempDir: path.join(context.runnerTemp, 'mlops-actions', ACTION, plan.jobName),
            onJobState: (state) => {
              saveJobState(state, (name, value) => core.saveState(name, value));
              // Known from the start, so a step that times out or is cancelled still tells which job it followed.
              core.setOutput(state.kind === 'training' ? 'job-name' : 'tuning-job-name', state.name);
            },
          });

    for (const [name, value] of Object.entries(actionOutputs(outcome))) core.setOutput(name, value);
    await writeJobSummary(renderTrainingReport(outcome, context).toString(), { logger });
    if (outcome.failure) throw outcome.failure;
  });
}
