import {
  DescribeTrainingJobCommand,
  type DescribeTrainingJobResponse,
  type SecondaryStatusTransition,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancelledError } from '../../../packages/core/src/errors.js';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import { WaitFailedError, WaitTimeoutError } from '../../../packages/core/src/wait.js';
import {
  TrainingJobFailedError,
  TrainingJobStoppedError,
  waitForTrainingJob,
  type WaitForTrainingJobOptions,
} from '../../../packages/sagemaker/src/training/index.js';
import { awsError, fakeClock, FakeLogGroup, logsClient, messages, sageMakerClient, START } from './helpers.js';

const JOB = 'train-42-1';
const HOUR = 3_600_000;

function transition(status: string, minute: number, message?: string): SecondaryStatusTransition {
  return {
    Status: status as SecondaryStatusTransition['Status'],
    StartTime: new Date(START + minute * 60_000),
    StatusMessage: message,
  };
}

function job(
  status: string,
  transitions: SecondaryStatusTransition[] = [],
  extra: Partial<DescribeTrainingJobResponse> = {},
): DescribeTrainingJobResponse {
  return {
    TrainingJobName: JOB,
    TrainingJobArn: `arn:aws:sagemaker:us-east-1:123456789012:training-job/${JOB}`,
    TrainingJobStatus: status as DescribeTrainingJobResponse['TrainingJobStatus'],
    SecondaryStatus: (transitions.at(-1)?.Status ?? 'Starting') as DescribeTrainingJobResponse['SecondaryStatus'],
    SecondaryStatusTransitions: transitions,
    ModelArtifacts: { S3ModelArtifacts: `s3://bucket/output/${JOB}/output/model.tar.gz` },
    StoppingCondition: { MaxRuntimeInSeconds: 3_600 },
    ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
    CreationTime: new Date(START),
    ...extra,
  };
}

type Answer = DescribeTrainingJobResponse | Error;

/**
 * A SageMaker client whose DescribeTrainingJob walks through `answers` (repeating the last), or asks `answers` for
 * each call; StopTrainingJob is recorded with the virtual time it was sent at and succeeds unless told otherwise.
 */
function sageMaker(answers: Answer[] | ((call: number, stopped: boolean) => Answer), clock?: { now: () => number }) {
  const client = sageMakerClient();
  const mock = mockClient(client);
  let calls = 0;
  let stopSentAt: number | undefined;
  mock.on(DescribeTrainingJobCommand).callsFake(() => {
    const call = calls++;
    const answer =
      typeof answers === 'function'
        ? answers(call, stopSentAt !== undefined)
        : answers[Math.min(call, answers.length - 1)]!;
    if (answer instanceof Error) throw answer;
    return answer;
  });
  mock.on(StopTrainingJobCommand).callsFake(() => {
    stopSentAt = clock?.now() ?? 0;
    return {};
  });
  return { client, mock, calls: () => calls, stopSentAt: () => stopSentAt };
}

function waitOptions(
  client: WaitForTrainingJobOptions['client'],
  clock: ReturnType<typeof fakeClock>,
  overrides: Partial<WaitForTrainingJobOptions> = {},
): WaitForTrainingJobOptions & { logger: ReturnType<typeof recordingLogger> } {
  return {
    client,
    jobName: JOB,
    // Under the 1 h credential warning threshold, so the logs hold only what the wait itself says.
    timeoutMs: 50 * 60_000,
    logger: recordingLogger(),
    stopOnAbort: true,
    createdByThisRun: true,
    streamLogs: false,
    sleep: clock.sleep,
    now: clock.now,
    random: () => 0.5,
    ...overrides,
  } as WaitForTrainingJobOptions & { logger: ReturnType<typeof recordingLogger> };
}

const starting = transition('Starting', 0, 'Launching requested ML instances');
const preparing = transition('Starting', 0, 'Preparing the instances for training');
const downloading = transition('Downloading', 3, 'Downloading input data');
const training = transition('Training', 5, 'Downloading the training image...');
const trainingNow = transition('Training', 5, 'Training image download completed. Training in progress.');
const uploading = transition('Uploading', 20, 'Uploading generated training model');
const completed = transition('Completed', 21, 'Training job completed');

describe('waitForTrainingJob', () => {
  it('prints each secondary transition once, and returns the final description on Completed', async () => {
    const clock = fakeClock();
    const { client, calls } = sageMaker([
      job('InProgress', [starting]),
      job('InProgress', [preparing]),
      job('InProgress', [preparing, downloading]),
      job('InProgress', [preparing, downloading]),
      job('InProgress', [preparing, downloading, training]),
      job('InProgress', [preparing, downloading, trainingNow]),
      job('InProgress', [preparing, downloading, trainingNow]),
      job('Completed', [preparing, downloading, trainingNow, uploading, completed], {
        TrainingTimeInSeconds: 1_260,
      }),
    ]);
    const options = waitOptions(client, clock);
    const final = await waitForTrainingJob(options);
    assert.equal(final.TrainingJobStatus, 'Completed');
    assert.equal(final.TrainingTimeInSeconds, 1_260);
    assert.equal(calls(), 8);
    assert.deepEqual(messages(options.logger), [
      'Starting: Launching requested ML instances',
      `Training job ${JOB}: InProgress`,
      'Starting: Preparing the instances for training',
      'Downloading: Downloading input data',
      'Training: Downloading the training image...',
      'Training: Training image download completed. Training in progress.',
      'Uploading: Uploading generated training model',
      'Completed: Training job completed',
      `Training job ${JOB}: Completed`,
    ]);
  });

  it('polls at most every 15 s, so the end is noticed within 15 s, and costs a handful of calls a minute', async () => {
    const clock = fakeClock();
    const answers = [...Array<DescribeTrainingJobResponse>(200).fill(job('InProgress')), job('Completed')];
    const { client, calls } = sageMaker(answers);
    await waitForTrainingJob(waitOptions(client, clock, { random: () => 1 }));
    assert.ok(Math.max(...clock.sleeps) <= 15_000, `longest pause ${Math.max(...clock.sleeps)}`);
    const perMinute = calls() / (clock.elapsed / 60_000);
    assert.ok(perMinute <= 6, `${perMinute.toFixed(1)} Describe calls a minute`);
  });

  it('fails with one sentence holding SageMaker FailureReason, and the last log lines', async () => {
    const clock = fakeClock();
    const group = new FakeLogGroup(clock.now);
    const logs = logsClient();
    group.install(logs);
    group.append(`${JOB}/algo-1-1700000000`, 'loading data', 'Traceback (most recent call last):');
    const reason =
      'AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage "ValueError: could not convert string to float: \'abc\'"\nCommand "/usr/local/bin/python3 train.py"\n';
    const { client } = sageMaker([
      job('InProgress', [preparing]),
      job('Failed', [preparing, transition('Failed', 2, 'Training job failed')], { FailureReason: reason }),
    ]);
    const options = waitOptions(client, clock, { logsClient: logs, streamLogs: true });
    // The error line is written between the polls, while the job fails.
    clock.at(1, () => group.append(`${JOB}/algo-1-1700000000`, "ValueError: could not convert string to float: 'abc'"));
    await assert.rejects(waitForTrainingJob(options), (error: unknown) => {
      assert.ok(error instanceof TrainingJobFailedError);
      assert.ok(error instanceof WaitFailedError);
      assert.equal(
        error.message,
        `Training job ${JOB} failed: AlgorithmError: ExecuteUserScriptError: ExitCode 1 ErrorMessage "ValueError: could not convert string to float: 'abc'" Command "/usr/local/bin/python3 train.py"`,
      );
      assert.equal(error.last.FailureReason, reason);
      assert.deepEqual(error.logTail, [
        'loading data',
        'Traceback (most recent call last):',
        "ValueError: could not convert string to float: 'abc'",
      ]);
      return true;
    });
    assert.ok(messages(options.logger).includes('Failed: Training job failed'));
  });

  it('fails with a sentence even without a FailureReason', async () => {
    const clock = fakeClock();
    const { client } = sageMaker([job('Failed')]);
    await assert.rejects(waitForTrainingJob(waitOptions(client, clock)), (error: unknown) => {
      assert.ok(error instanceof TrainingJobFailedError);
      assert.equal(error.message, `Training job ${JOB} failed without a reason from SageMaker`);
      return true;
    });
  });

  it('throws "was stopped" when the job is stopped from outside this run', async () => {
    const clock = fakeClock();
    const { client } = sageMaker([job('InProgress'), job('Stopping'), job('Stopped')]);
    await assert.rejects(waitForTrainingJob(waitOptions(client, clock)), (error: unknown) => {
      assert.ok(error instanceof TrainingJobStoppedError);
      assert.equal(error.message, `Training job ${JOB} was stopped`);
      return true;
    });
  });

  it('says which limit stopped the job when SageMaker stopped it itself', async () => {
    const clock = fakeClock();
    const { client } = sageMaker([
      job('Stopped', [transition('MaxRuntimeExceeded', 60, 'Job stopped because max runtime exceeded')]),
    ]);
    await assert.rejects(waitForTrainingJob(waitOptions(client, clock)), (error: unknown) => {
      assert.ok(error instanceof TrainingJobStoppedError);
      assert.equal(error.message, `Training job ${JOB} was stopped: it reached its maximum runtime of 3600s`);
      return true;
    });
  });

  it('retries a throttled DescribeTrainingJob instead of failing the wait', async () => {
    const clock = fakeClock();
    const { client, calls } = sageMaker([
      job('InProgress'),
      awsError('ThrottlingException', 400, 'Rate exceeded'),
      awsError('ThrottlingException', 400, 'Rate exceeded'),
      job('Completed'),
    ]);
    const options = waitOptions(client, clock);
    const final = await waitForTrainingJob(options);
    assert.equal(final.TrainingJobStatus, 'Completed');
    assert.equal(calls(), 4);
    assert.equal(messages(options.logger, 'debug').filter((m) => /Rate exceeded/.test(m)).length, 2);
  });

  it('turns a describe failure that will not pass into one sentence', async () => {
    const clock = fakeClock();
    const { client } = sageMaker([
      awsError('AccessDeniedException', 400, 'not authorized: sagemaker:DescribeTrainingJob'),
    ]);
    await assert.rejects(
      waitForTrainingJob(waitOptions(client, clock)),
      new RegExp(`^Error: Describing training job ${JOB} was denied \\(AccessDeniedException`),
    );
  });

  it("gives up at the timeout with core's sentence and how to attach to the job later", async () => {
    const clock = fakeClock();
    const { client, mock } = sageMaker([job('InProgress')]);
    await assert.rejects(waitForTrainingJob(waitOptions(client, clock, { timeoutMs: HOUR })), (error: unknown) => {
      assert.ok(error instanceof WaitTimeoutError);
      assert.equal(
        error.message,
        `Gave up waiting for training job ${JOB} after 1h; it is still InProgress. The job keeps running on SageMaker: to follow it again, run the action with attach set to ${JOB}`,
      );
      return true;
    });
    assert.equal(mock.commandCalls(StopTrainingJobCommand).length, 0, 'a timeout does not stop the job');
  });

  it('on abort, sends StopTrainingJob within 5 s and ends with a CancelledError once the job is Stopped', async () => {
    const clock = fakeClock();
    let afterStop = 0;
    const { client, mock, stopSentAt } = sageMaker(
      (_call, stopped) =>
        !stopped ? job('InProgress', [preparing]) : afterStop++ === 0 ? job('Stopping') : job('Stopped'),
      clock,
    );
    const controller = new AbortController();
    const abortAt = 37_000;
    clock.at(abortAt, () => controller.abort());
    const options = waitOptions(client, clock, { signal: controller.signal });
    await assert.rejects(waitForTrainingJob(options), (error: unknown) => {
      assert.ok(error instanceof CancelledError);
      assert.equal(error.message, `Cancelled; training job ${JOB} was stopped`);
      return true;
    });
    assert.equal(mock.commandCalls(StopTrainingJobCommand).length, 1);
    assert.deepEqual(mock.commandCalls(StopTrainingJobCommand)[0]!.args[0].input, { TrainingJobName: JOB });
    const sentAfter = stopSentAt()! - START - abortAt;
    assert.ok(sentAfter >= 0 && sentAfter <= 5_000, `stop sent ${sentAfter} ms after the abort`);
    assert.ok(clock.elapsed - abortAt <= 5_000, 'the whole cancellation fits in the runner budget');
    assert.ok(messages(options.logger).includes(`The run was cancelled: stopping training job ${JOB}`));
  });

  it('on abort, bounds the wait for Stopped and says SageMaker finishes the stop', async () => {
    const clock = fakeClock();
    const { client } = sageMaker((_call, stopped) => job(stopped ? 'Stopping' : 'InProgress'), clock);
    const controller = new AbortController();
    clock.at(10_000, () => controller.abort());
    await assert.rejects(
      waitForTrainingJob(waitOptions(client, clock, { signal: controller.signal })),
      /^CancelledError: Cancelled; SageMaker was asked to stop training job train-42-1 and finishes stopping it on its own \(status Stopping after [45]s\)$/,
    );
    assert.ok(clock.elapsed - 10_000 <= 5_000);
  });

  it('on abort while a describe answer is already on its way, still stops the job and leaves no stray rejection', async () => {
    const controller = new AbortController();
    const { client, mock } = sageMaker(() => {
      // The answer arrives, but the run was cancelled meanwhile.
      controller.abort();
      return job('InProgress');
    });
    mock.on(StopTrainingJobCommand).resolves({});
    const stray: unknown[] = [];
    const onStray = (reason: unknown) => stray.push(reason);
    process.on('unhandledRejection', onStray);
    try {
      // Core's real sleep and clock: a sleep started with an aborted signal would reject with nobody listening.
      await assert.rejects(
        waitForTrainingJob({
          client,
          jobName: JOB,
          timeoutMs: 60_000,
          signal: controller.signal,
          stopOnAbort: true,
          createdByThisRun: true,
          streamLogs: false,
          stopWaitMs: 0,
        }),
        CancelledError,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onStray);
    }
    assert.deepEqual(stray, []);
    assert.equal(mock.commandCalls(StopTrainingJobCommand).length, 1);
  });

  it('on abort, leaves alone a job this run only attached to', async () => {
    const clock = fakeClock();
    const { client, mock } = sageMaker([job('InProgress')]);
    const controller = new AbortController();
    clock.at(20_000, () => controller.abort());
    await assert.rejects(
      waitForTrainingJob(waitOptions(client, clock, { signal: controller.signal, createdByThisRun: false })),
      (error: unknown) => {
        assert.ok(error instanceof CancelledError);
        assert.match(
          error.message,
          /keeps running on SageMaker \(this run did not start it\); run the action with attach set to train-42-1/,
        );
        return true;
      },
    );
    assert.equal(mock.commandCalls(StopTrainingJobCommand).length, 0);
  });

  it('on abort with stopOnAbort off, does not stop the job', async () => {
    const clock = fakeClock();
    const { client, mock } = sageMaker([job('InProgress')]);
    const controller = new AbortController();
    clock.at(20_000, () => controller.abort());
    await assert.rejects(
      waitForTrainingJob(waitOptions(client, clock, { signal: controller.signal, stopOnAbort: false })),
      /stopping on cancel is off/,
    );
    assert.equal(mock.commandCalls(StopTrainingJobCommand).length, 0);
  });

  it('on abort, warns when the stop request fails and still ends cancelled', async () => {
    const clock = fakeClock();
    const { client, mock } = sageMaker([job('InProgress')]);
    mock
      .on(StopTrainingJobCommand)
      .rejects(awsError('AccessDeniedException', 400, 'not authorized: sagemaker:StopTrainingJob'));
    const controller = new AbortController();
    clock.at(20_000, () => controller.abort());
    const options = waitOptions(client, clock, { signal: controller.signal });
    await assert.rejects(waitForTrainingJob(options), (error: unknown) => {
      assert.ok(error instanceof CancelledError);
      assert.match(
        error.message,
        /^Cancelled; training job train-42-1 may still be running: stopping training job train-42-1 was denied/,
      );
      return true;
    });
    assert.equal(messages(options.logger, 'warning').length, 1);
  });

  it('on abort just as the job ended, reports the end instead of a failed stop', async () => {
    const clock = fakeClock();
    const { client, mock } = sageMaker([job('InProgress'), job('Completed')]);
    mock
      .on(StopTrainingJobCommand)
      .rejects(awsError('ValidationException', 400, 'The training job is not in a stoppable state'));
    const controller = new AbortController();
    clock.at(1_000, () => controller.abort());
    const options = waitOptions(client, clock, { signal: controller.signal });
    await assert.rejects(
      waitForTrainingJob(options),
      /^CancelledError: Cancelled; training job train-42-1 had already ended with status Completed$/,
    );
    assert.deepEqual(messages(options.logger, 'warning'), []);
  });

  it('streams the logs of every host during the wait and flushes once after the end', async () => {
    const clock = fakeClock();
    const group = new FakeLogGroup(clock.now);
    const logs = logsClient();
    group.install(logs);
    group.exists = false;
    const twoHosts = {
      ResourceConfig: { InstanceType: 'ml.m5.xlarge' as const, InstanceCount: 2, VolumeSizeInGB: 30 },
    };
    const { client } = sageMaker(
      () =>
        clock.elapsed < 75_000
          ? job('InProgress', [preparing, trainingNow], twoHosts)
          : job('Completed', [completed], twoHosts),
      clock,
    );
    clock.at(20_000, () => {
      group.exists = true;
      group.append(`${JOB}/algo-1-1700000000`, 'epoch 1 loss=0.9');
      group.append(`${JOB}/algo-2-1700000000`, 'epoch 1 loss=0.8');
    });
    clock.at(60_000, () => group.append(`${JOB}/algo-2-1700000000`, 'epoch 2 loss=0.5'));
    // A restarted host's new stream, after the last listing: only the final flush's listing finds it.
    clock.at(70_000, () => group.append(`${JOB}/algo-1-1700000700`, 'saved model'));
    const lines: string[] = [];
    const options = waitOptions(client, clock, {
      logsClient: logs,
      streamLogs: true,
      logs: { onLine: (line) => lines.push(line), discoveryIntervalMs: 60_000 },
    });
    await waitForTrainingJob(options);
    assert.deepEqual(lines, [
      '[algo-1] epoch 1 loss=0.9',
      '[algo-2] epoch 1 loss=0.8',
      '[algo-2] epoch 2 loss=0.5',
      '[algo-1] saved model',
    ]);
    // Listed at the start, once the interval had passed, and for the final flush: never on every poll.
    assert.equal(group.calls.describe, 3);
    assert.deepEqual(messages(options.logger, 'warning'), []);
  });
});
