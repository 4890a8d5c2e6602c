// The train action's SageMaker flow against mocked clients and virtual time: staging, start or attach, the wait, the
// outputs, and what SIGINT and the post step do to a job this run started (and to one it did not).
import {
  CreateHyperParameterTuningJobCommand,
  CreateTrainingJobCommand,
  type CreateTrainingJobRequest,
  DescribeHyperParameterTuningJobCommand,
  type DescribeHyperParameterTuningJobResponse,
  DescribeTrainingJobCommand,
  type DescribeTrainingJobResponse,
  StopTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { inputSpec } from '../../../actions/train/src/inputs.js';
import { type AttachPlan, planTraining, type StartPlan } from '../../../actions/train/src/plan.js';
import { type SageMakerDeps, trainOnSageMaker } from '../../../actions/train/src/sagemaker.js';
import type { JobState } from '../../../actions/train/src/state.js';
import { runContext } from '../../../packages/core/src/context.js';
import { CancelledError, ConfigurationError } from '../../../packages/core/src/errors.js';
import { parseInputs } from '../../../packages/core/src/inputs.js';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import { joinLocation, type Storage } from '../../../packages/core/src/storage.js';
import { WaitTimeoutError } from '../../../packages/core/src/wait.js';
import { awsError, fakeClock, FakeLogGroup, logsClient, sageMakerClient, START } from '../sagemaker-jobs/helpers.js';
import { fixturesDir, readTarWithPython } from '../sagemaker/helpers.js';

const context = runContext({ GITHUB_REPOSITORY: 'acme/churn', GITHUB_RUN_ID: '77', GITHUB_RUN_ATTEMPT: '1' });
const JOB = 'churn-77-1';
const ARN = `arn:aws:sagemaker:us-east-1:123456789012:training-job/${JOB}`;
const NOT_FOUND = () => awsError('ValidationException', 400, 'Requested resource not found');
const SCRIPT_MODE = {
  framework: 'sklearn',
  'framework-version': '1.2-1',
  'source-dir': path.join(fixturesDir, 'train_script'),
  'entry-point': 'train.py',
  inputs: `train: ${path.join(fixturesDir, 'train_data', 'train.csv')}\ntest: s3://churn-data/test/`,
  'output-path': 's3://churn-models/out',
  'role-arn': 'arn:aws:iam::123456789012:role/SageMakerExecution',
  'metric-definitions': "accuracy: 'accuracy=([0-9.]+)'",
};

function plan<P extends StartPlan | AttachPlan>(raw: Record<string, string>): P {
  return planTraining(
    parseInputs(inputSpec, (name) => raw[name]),
    context,
    { AWS_REGION: 'us-east-1' },
  ) as P;
}

function job(status: string, extra: Partial<DescribeTrainingJobResponse> = {}): DescribeTrainingJobResponse {
  return {
    TrainingJobName: JOB,
    TrainingJobArn: ARN,
    TrainingJobStatus: status as DescribeTrainingJobResponse['TrainingJobStatus'],
    AlgorithmSpecification: { TrainingImage: 'img', TrainingInputMode: 'File' },
    ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30 },
    ...extra,
  } as DescribeTrainingJobResponse;
}

const completed = job('Completed', {
  ModelArtifacts: { S3ModelArtifacts: `s3://churn-models/out/${JOB}/output/model.tar.gz` },
  FinalMetricDataList: [{ MetricName: 'accuracy', Value: 0.93, Timestamp: new Date(START) }],
  TrainingTimeInSeconds: 600,
  BillableTimeInSeconds: 240,
  EnableManagedSpotTraining: true,
});

/** An in-memory Storage that keeps what is written (the staged code and data). */
function recordingStorage() {
  const objects = new Map<string, Buffer>();
  const storage = {
    join: joinLocation,
    async write(location: string, body: string | Buffer | Readable) {
      const chunks: Buffer[] = [];
      if (body instanceof Readable) for await (const chunk of body) chunks.push(chunk as Buffer);
      else chunks.push(Buffer.from(body));
      objects.set(location, Buffer.concat(chunks));
    },
  } as unknown as Storage;
  return { storage, objects };
}

/**
 * A SageMaker client without the job until CreateTrainingJob, then answering DescribeTrainingJob from `after` (the
 * last answer repeats); StopTrainingJob is recorded at its virtual time and makes the job Stopped.
 */
function sageMaker(clock: ReturnType<typeof fakeClock>, after: DescribeTrainingJobResponse[], exists = false) {
  const client = sageMakerClient();
  const mock = mockClient(client);
  let created = exists;
  let polls = 0;
  let stoppedAt: number | undefined;
  mock.on(CreateTrainingJobCommand).callsFake(() => {
    created = true;
    return { TrainingJobArn: ARN };
  });
  mock.on(DescribeTrainingJobCommand).callsFake(() => {
    if (!created) throw NOT_FOUND();
    if (stoppedAt !== undefined) return job('Stopped');
    return after[Math.min(polls++, after.length - 1)];
  });
  mock.on(DescribeHyperParameterTuningJobCommand).rejects(NOT_FOUND());
  mock.on(StopTrainingJobCommand).callsFake(() => {
    stoppedAt = clock.now();
    return {};
  });
  return { client, mock, stoppedAt: () => stoppedAt };
}

async function deps(
  client: SageMakerDeps['sagemaker'],
  clock: ReturnType<typeof fakeClock>,
  signal = new AbortController().signal,
  logs = new FakeLogGroup(clock.now),
) {
  const logsApi = logsClient();
  logs.install(logsApi);
  const { storage, objects } = recordingStorage();
  const states: JobState[] = [];
  const logger = recordingLogger();
  const value: SageMakerDeps = {
    sagemaker: client,
    logs: logsApi,
    storage,
    signal,
    logger,
    tempDir: await mkdtemp(path.join(tmpdir(), 'train-flow-')),
    onJobState: (state) => states.push(state),
    waitOptions: { sleep: clock.sleep, now: clock.now, random: () => 0, stopWaitMs: 3_000 },
  };
  return { deps: value, objects, states, logger };
}

describe('train on SageMaker: start, wait, outputs', () => {
  it('stages the code and local data, creates the job, follows it to Completed and reads the outputs', async () => {
    const clock = fakeClock();
    const sm = sageMaker(clock, [job('InProgress'), job('InProgress'), completed]);
    const logs = new FakeLogGroup(clock.now);
    logs.append(`${JOB}/algo-1-1700000000`, 'epoch=60 loss=0.21 accuracy=0.93');
    const d = await deps(sm.client, clock, undefined, logs);
    const p = plan<StartPlan>(SCRIPT_MODE);

    const outcome = await trainOnSageMaker(p, d.deps);

    assert.equal(sm.mock.commandCalls(CreateTrainingJobCommand).length, 1);
    const request = sm.mock.commandCalls(CreateTrainingJobCommand)[0]!.args[0].input as CreateTrainingJobRequest;
    assert.deepEqual(request, p.request);
    // The code where sagemaker_submit_directory points, with the .sagemakerignore'd files left out.
    const archiveUri = `s3://churn-models/out/${JOB}/source/sourcedir.tar.gz`;
    assert.equal(JSON.parse(request.HyperParameters!.sagemaker_submit_directory!), archiveUri);
    const archive = path.join(d.deps.tempDir, 'uploaded.tar.gz');
    await writeFile(archive, d.objects.get(archiveUri)!);
    assert.deepEqual(
      readTarWithPython(archive).map((m) => m.name),
      ['.sagemakerignore', 'train.py'],
    );
    // The local channel went up under the output path; the S3 one was used as it is.
    assert.deepEqual(
      [...d.objects.keys()].filter((uri) => uri !== archiveUri),
      [`s3://churn-models/out/${JOB}/input/train/train.csv`],
    );

    assert.equal(outcome.status, 'Completed');
    assert.equal(outcome.jobName, JOB);
    assert.equal(outcome.jobArn, ARN);
    assert.deepEqual(outcome.outputs, {
      modelData: `s3://churn-models/out/${JOB}/output/model.tar.gz`,
      metrics: { accuracy: 0.93 },
      trainingSeconds: 600,
      billableSeconds: 240,
      spotSavings: 60,
      consoleUrl: `https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/${JOB}`,
    });
    assert.equal(outcome.failure, undefined);
    assert.ok(
      d.logger.lines.some((l) => l.message === 'epoch=60 loss=0.21 accuracy=0.93'),
      'the CloudWatch log lines are printed',
    );
    // Armed for the post step while waiting, disarmed once the job ended.
    assert.deepEqual(d.states, [
      { kind: 'training', name: JOB, region: 'us-east-1', stopInPost: true },
      { kind: 'training', name: JOB, region: 'us-east-1', stopInPost: false },
    ]);
  });

  it('a re-run finds its job and attaches: nothing staged, nothing created, and nothing for post to stop', async () => {
    const clock = fakeClock();
    const p = plan<StartPlan>(SCRIPT_MODE);
    // What DescribeTrainingJob answers for a job created from this very request.
    const same = {
      AlgorithmSpecification: p.request.AlgorithmSpecification,
      HyperParameters: p.request.HyperParameters,
      InputDataConfig: p.request.InputDataConfig,
      OutputDataConfig: p.request.OutputDataConfig,
    };
    const sm = sageMaker(clock, [job('InProgress', same), { ...completed, ...same }], true);
    const d = await deps(sm.client, clock);
    const outcome = await trainOnSageMaker(p, d.deps);
    assert.equal(sm.mock.commandCalls(CreateTrainingJobCommand).length, 0);
    assert.equal(d.objects.size, 0, 'an existing job already has its code and data');
    assert.equal(outcome.status, 'Completed');
    assert.equal(d.states[0]!.stopInPost, false, 'this run did not start the job');
    assert.ok(d.logger.lines.some((l) => /already exists \(status \w+\); attaching to it/.test(l.message)));
  });

  it('wait: false returns right after the start with the job name and its status, and leaves the job to run', async () => {
    const clock = fakeClock();
    const sm = sageMaker(clock, [job('InProgress')]);
    const d = await deps(sm.client, clock);
    const outcome = await trainOnSageMaker(plan<StartPlan>({ ...SCRIPT_MODE, wait: 'false' }), d.deps);
    assert.equal(outcome.status, 'InProgress');
    assert.equal(outcome.jobName, JOB);
    assert.equal(outcome.outputs.modelData, undefined);
    assert.equal(clock.elapsed, 0, 'no wait at all');
    assert.deepEqual(
      d.states.map((s) => s.stopInPost),
      [false],
    );
  });

  it('a failed job becomes an outcome with SageMaker’s reason in one sentence and the last log lines', async () => {
    const clock = fakeClock();
    const failed = job('Failed', {
      FailureReason: 'AlgorithmError: ExecuteUserScriptError:\nValueError: bad input\n',
    });
    const sm = sageMaker(clock, [job('InProgress'), failed]);
    const logs = new FakeLogGroup(clock.now);
    logs.append(`${JOB}/algo-1-1700000000`, 'Traceback (most recent call last):', 'ValueError: bad input');
    const d = await deps(sm.client, clock, undefined, logs);
    const outcome = await trainOnSageMaker(plan<StartPlan>(SCRIPT_MODE), d.deps);
    assert.equal(outcome.status, 'Failed');
    assert.equal(
      outcome.failure?.message,
      `Training job ${JOB} failed: AlgorithmError: ExecuteUserScriptError: ValueError: bad input`,
    );
    assert.deepEqual(outcome.logTail, ['Traceback (most recent call last):', 'ValueError: bad input']);
    assert.equal(outcome.outputs.modelData, undefined);
    assert.equal(d.states.at(-1)!.stopInPost, false);
  });

  it('a timeout gives up waiting and leaves the job running: the post step will not stop it', async () => {
    const clock = fakeClock();
    const sm = sageMaker(clock, [job('InProgress')]);
    const d = await deps(sm.client, clock);
    await assert.rejects(trainOnSageMaker(plan<StartPlan>({ ...SCRIPT_MODE, timeout: '10m' }), d.deps), (error) => {
      assert.ok(error instanceof WaitTimeoutError);
      assert.match(error.message, /run the action with attach set to churn-77-1/);
      return true;
    });
    assert.equal(sm.mock.commandCalls(StopTrainingJobCommand).length, 0);
    assert.deepEqual(
      d.states.map((s) => s.stopInPost),
      [true, false],
    );
  });
});

describe('train on SageMaker: cancellation', () => {
  it('SIGINT during the wait sends StopTrainingJob within 5 s and ends cancelled, the post step still armed', async () => {
    const clock = fakeClock();
    const sm = sageMaker(clock, [job('InProgress')]);
    const controller = new AbortController();
    const abortAt = 95_000;
    clock.at(abortAt, () => controller.abort());
    const d = await deps(sm.client, clock, controller.signal);
    await assert.rejects(trainOnSageMaker(plan<StartPlan>(SCRIPT_MODE), d.deps), (error) => {
      assert.ok(error instanceof CancelledError);
      assert.equal(error.message, `Cancelled; training job ${JOB} was stopped`);
      return true;
    });
    assert.equal(sm.mock.commandCalls(StopTrainingJobCommand).length, 1);
    const sentAfter = sm.stoppedAt()! - START - abortAt;
    assert.ok(sentAfter >= 0 && sentAfter <= 5_000, `StopTrainingJob sent ${sentAfter} ms after SIGINT`);
    // Not disarmed: if this stop had not gone through, the post step would try again.
    assert.deepEqual(
      d.states.map((s) => s.stopInPost),
      [true],
    );
  });

  it('SIGINT during CreateTrainingJob leaves the post step armed: the state was saved before the Create', async () => {
    const clock = fakeClock();
    const sm = sageMaker(clock, [job('InProgress')]);
    const controller = new AbortController();
    const d = await deps(sm.client, clock, controller.signal);
    let atCreate: { describes: number; states: JobState[]; staged: number } | undefined;
    // SageMaker may have accepted the job when the abort cuts the call short.
    sm.mock.on(CreateTrainingJobCommand).callsFake(() => {
      atCreate = {
        describes: sm.mock.commandCalls(DescribeTrainingJobCommand).length,
        states: [...d.states],
        staged: d.objects.size,
      };
      controller.abort();
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    await assert.rejects(trainOnSageMaker(plan<StartPlan>(SCRIPT_MODE), d.deps));
    assert.ok(atCreate, 'CreateTrainingJob was sent');
    assert.equal(atCreate.describes, 1, 'one DescribeTrainingJob before the Create');
    assert.ok(atCreate.staged > 0, 'the code and data were staged before the Create');
    assert.deepEqual(atCreate.states, [{ kind: 'training', name: JOB, region: 'us-east-1', stopInPost: true }]);
    assert.deepEqual(
      d.states.map((s) => s.stopInPost),
      [true],
      'nothing disarmed the post step',
    );
  });

  it('with stop-on-cancel false, SIGINT leaves the job running and the post step disarmed', async () => {
    const clock = fakeClock();
    const sm = sageMaker(clock, [job('InProgress')]);
    const controller = new AbortController();
    clock.at(30_000, () => controller.abort());
    const d = await deps(sm.client, clock, controller.signal);
    await assert.rejects(
      trainOnSageMaker(plan<StartPlan>({ ...SCRIPT_MODE, 'stop-on-cancel': 'false' }), d.deps),
      /keeps running on SageMaker \(stopping on cancel is off\)/,
    );
    assert.equal(sm.mock.commandCalls(StopTrainingJobCommand).length, 0);
    assert.equal(d.states[0]!.stopInPost, false);
  });
});

describe('train on SageMaker: attach', () => {
  it('follows an existing training job to the end, and on SIGINT leaves alone the job it did not start', async () => {
    const clock = fakeClock();
    const sm = sageMaker(clock, [job('InProgress'), completed], true);
    const d = await deps(sm.client, clock);
    const outcome = await trainOnSageMaker(plan<AttachPlan>({ attach: JOB }), d.deps);
    assert.equal(outcome.status, 'Completed');
    assert.equal(outcome.outputs.modelData, `s3://churn-models/out/${JOB}/output/model.tar.gz`);
    assert.deepEqual(outcome.facts, [
      ['image', 'img'],
      ['instances', '1 × ml.m5.xlarge (spot)'],
    ]);
    assert.equal(sm.mock.commandCalls(CreateTrainingJobCommand).length, 0);

    const cancelClock = fakeClock();
    const running = sageMaker(cancelClock, [job('InProgress')], true);
    const controller = new AbortController();
    cancelClock.at(20_000, () => controller.abort());
    const cancelled = await deps(running.client, cancelClock, controller.signal);
    await assert.rejects(trainOnSageMaker(plan<AttachPlan>({ attach: JOB }), cancelled.deps), CancelledError);
    assert.equal(running.mock.commandCalls(StopTrainingJobCommand).length, 0);
    assert.equal(cancelled.states[0]!.stopInPost, false);
  });

  it('finds a tuning job by its name too, and names the input when there is no such job', async () => {
    const clock = fakeClock();
    const client = sageMakerClient();
    const mock = mockClient(client);
    mock.on(DescribeTrainingJobCommand).rejects(NOT_FOUND());
    mock.on(DescribeHyperParameterTuningJobCommand).resolves({
      HyperParameterTuningJobName: 'churn-tune',
      HyperParameterTuningJobStatus: 'InProgress',
    });
    const d = await deps(client, clock);
    const outcome = await trainOnSageMaker(plan<AttachPlan>({ attach: 'churn-tune', wait: 'false' }), d.deps);
    assert.equal(outcome.tuningJobName, 'churn-tune');
    assert.equal(outcome.status, 'InProgress');
    assert.equal(d.states[0]!.kind, 'tuning');

    mock.on(DescribeHyperParameterTuningJobCommand).rejects(NOT_FOUND());
    await assert.rejects(trainOnSageMaker(plan<AttachPlan>({ attach: 'nothing-here' }), d.deps), (error) => {
      assert.ok(error instanceof ConfigurationError);
      assert.equal(error.input, 'attach');
      assert.match(error.message, /no training or tuning job of that name in us-east-1/);
      return true;
    });
  });
});

describe('train on SageMaker: tuning', () => {
  it('starts the tuning job and reports the best training job with the same outputs', async () => {
    const clock = fakeClock();
    const client = sageMakerClient();
    const mock = mockClient(client);
    let created = false;
    let polls = 0;
    const tuning = (status: string): DescribeHyperParameterTuningJobResponse =>
      ({
        HyperParameterTuningJobName: JOB,
        HyperParameterTuningJobStatus:
          status as DescribeHyperParameterTuningJobResponse['HyperParameterTuningJobStatus'],
        TrainingJobStatusCounters: {
          Completed: status === 'Completed' ? 4 : 1,
          InProgress: status === 'Completed' ? 0 : 2,
        },
        ...(status === 'Completed'
          ? {
              BestTrainingJob: {
                TrainingJobName: 'churn-77-1-003-abcd',
                TrainingJobArn: 'arn:best',
                CreationTime: new Date(START),
                TunedHyperParameters: {},
                TrainingJobStatus: 'Completed',
                FinalHyperParameterTuningJobObjectiveMetric: { MetricName: 'accuracy', Value: 0.95 },
              },
            }
          : {}),
      }) as DescribeHyperParameterTuningJobResponse;
    let atCreate: { describes: number; states: number } | undefined;
    mock.on(CreateHyperParameterTuningJobCommand).callsFake(() => {
      atCreate = {
        describes: mock.commandCalls(DescribeHyperParameterTuningJobCommand).length,
        states: d.states.length,
      };
      created = true;
      return { HyperParameterTuningJobArn: 'arn:tuning' };
    });
    mock.on(DescribeHyperParameterTuningJobCommand).callsFake(() => {
      if (!created) throw NOT_FOUND();
      return tuning(polls++ < 2 ? 'InProgress' : 'Completed');
    });
    mock
      .on(DescribeTrainingJobCommand, { TrainingJobName: 'churn-77-1-003-abcd' })
      .resolves({ ...completed, TrainingJobName: 'churn-77-1-003-abcd', TrainingJobArn: 'arn:best' });
    const d = await deps(client, clock);
    const outcome = await trainOnSageMaker(
      plan<StartPlan>({
        ...SCRIPT_MODE,
        tuning:
          'objective: { metric: accuracy, type: Maximize }\nparameters:\n  epochs: { type: integer, min: 10, max: 100 }\nmax-jobs: 4',
      }),
      d.deps,
    );
    assert.equal(mock.commandCalls(CreateHyperParameterTuningJobCommand).length, 1);
    assert.deepEqual(atCreate, { describes: 1, states: 1 }, 'one Describe, and the state saved, before the Create');
    assert.ok(d.objects.has(`s3://churn-models/out/${JOB}/source/sourcedir.tar.gz`), 'the code was staged');
    assert.equal(outcome.jobName, 'churn-77-1-003-abcd');
    assert.equal(outcome.jobArn, 'arn:best');
    assert.equal(outcome.tuningJobName, JOB);
    assert.deepEqual(outcome.outputs.metrics, { accuracy: 0.93 });
    assert.deepEqual(
      d.states.map((s) => [s.kind, s.stopInPost]),
      [
        ['tuning', true],
        ['tuning', false],
      ],
    );
  });
});
