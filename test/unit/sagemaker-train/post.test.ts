// The train action's post step: what main saves, and stopping the job this run started when it is still running.
import {
  DescribeHyperParameterTuningJobCommand,
  DescribeTrainingJobCommand,
  StopHyperParameterTuningJobCommand,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type JobState, readJobState, saveJobState, stopJobLeftRunning } from '../../../actions/train/src/state.js';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import { awsError, messages, sageMakerClient } from '../sagemaker-jobs/helpers.js';

const JOB = 'churn-77-1';
const armed: JobState = { kind: 'training', name: JOB, region: 'eu-west-1', stopInPost: true };

function client(status: string) {
  const sagemaker = sageMakerClient();
  const mock = mockClient(sagemaker);
  mock.on(DescribeTrainingJobCommand).resolves({ TrainingJobName: JOB, TrainingJobStatus: status as never });
  mock.on(StopTrainingJobCommand).resolves({});
  return { sagemaker, mock };
}

describe('train post step', () => {
  it('reads back what main saved, the last value of each name winning as on the runner', () => {
    const saved = new Map<string, string>();
    saveJobState(armed, (name, value) => saved.set(name, value));
    saveJobState({ ...armed, stopInPost: false }, (name, value) => saved.set(name, value));
    assert.deepEqual(
      readJobState((name) => saved.get(name) ?? ''),
      { ...armed, stopInPost: false },
    );
    assert.equal(
      readJobState(() => ''),
      undefined,
      'main saved nothing (bad inputs, local backend)',
    );
  });

  it('stops a job this run started that is still running', async () => {
    const { sagemaker, mock } = client('InProgress');
    const logger = recordingLogger();
    assert.equal(await stopJobLeftRunning(armed, () => sagemaker, logger), 'stopped');
    assert.deepEqual(mock.commandCalls(StopTrainingJobCommand)[0]!.args[0].input, { TrainingJobName: JOB });
    assert.deepEqual(messages(logger), [
      `Asked SageMaker to stop training job ${JOB}, which this run started and which was still running`,
    ]);
  });

  it('stops a tuning job with StopHyperParameterTuningJob', async () => {
    const sagemaker = sageMakerClient();
    const mock = mockClient(sagemaker);
    mock.on(DescribeHyperParameterTuningJobCommand).resolves({ HyperParameterTuningJobStatus: 'InProgress' });
    mock.on(StopHyperParameterTuningJobCommand).resolves({});
    const state: JobState = { ...armed, kind: 'tuning' };
    assert.equal(await stopJobLeftRunning(state, () => sagemaker, recordingLogger()), 'stopped');
    assert.equal(mock.commandCalls(StopHyperParameterTuningJobCommand).length, 1);
  });

  it('leaves alone a job that ended or is already stopping', async () => {
    for (const status of ['Completed', 'Failed', 'Stopped', 'Stopping']) {
      const { sagemaker, mock } = client(status);
      assert.equal(await stopJobLeftRunning(armed, () => sagemaker, recordingLogger()), 'nothing to do');
      assert.equal(mock.commandCalls(StopTrainingJobCommand).length, 0, status);
    }
  });

  it('makes no call at all when not armed: an attached job, wait: false, stop-on-cancel: false, a finished wait', async () => {
    let created = 0;
    const factory = () => {
      created++;
      return sageMakerClient();
    };
    assert.equal(
      await stopJobLeftRunning({ ...armed, stopInPost: false }, factory, recordingLogger()),
      'nothing to do',
    );
    assert.equal(await stopJobLeftRunning(undefined, factory, recordingLogger()), 'nothing to do');
    assert.equal(created, 0);
  });

  it('warns, and does not fail the job, when the stop request is refused', async () => {
    const { sagemaker, mock } = client('InProgress');
    mock.on(StopTrainingJobCommand).rejects(awsError('AccessDeniedException', 400, 'not authorized'));
    const logger = recordingLogger();
    assert.equal(await stopJobLeftRunning(armed, () => sagemaker, logger), 'failed');
    const [warning] = messages(logger, 'warning');
    assert.match(warning!, /^Stopping training job churn-77-1 was denied \(AccessDeniedException: not authorized\)/);
    assert.match(warning!, /may still be running: stop it in the SageMaker console$/);
  });
});
