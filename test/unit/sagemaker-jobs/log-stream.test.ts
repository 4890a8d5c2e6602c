import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recordingLogger } from '../../../packages/core/src/logger.js';
import {
  hostOf,
  SeenEvents,
  TrainingLogStreamer,
  type TrainingLogStreamerOptions,
} from '../../../packages/sagemaker/src/training/index.js';
import { awsError, fakeClock, FakeLogGroup, logsClient, messages } from './helpers.js';

const JOB = 'train-42-1';

function setup(overrides: Partial<TrainingLogStreamerOptions> = {}) {
  const clock = fakeClock();
  const group = new FakeLogGroup(clock.now);
  const client = logsClient();
  group.install(client);
  const logger = recordingLogger();
  const lines: string[] = [];
  const streamer = new TrainingLogStreamer({
    client,
    jobName: JOB,
    logger,
    onLine: (line) => lines.push(line),
    now: clock.now,
    sleep: clock.sleep,
    ...overrides,
  });
  return { clock, group, client, logger, lines, streamer };
}

describe('TrainingLogStreamer', () => {
  it('follows several hosts, paging both the stream list and the events, printing each line once with its host', async () => {
    const { clock, group, lines, streamer } = setup({ discoveryIntervalMs: 0 });
    group.streamPageSize = 2;
    group.eventPageSize = 2;
    // Another job whose name starts the same must not leak in: the prefix ends with '/'.
    group.append(`${JOB}-b/algo-1-1700000000`, 'other job');
    group.append(`${JOB}/algo-1-1700000000`, 'a1', 'a2', 'a3');
    group.append(`${JOB}/algo-2-1700000000`, 'b1', 'b2');
    group.append(`${JOB}/algo-3-1700000000`, 'c1');

    await streamer.poll({ hosts: 3 });
    assert.deepEqual(lines, ['[algo-1] a1', '[algo-2] b1', '[algo-3] c1', '[algo-1] a2', '[algo-2] b2', '[algo-1] a3']);

    await clock.sleep(5_000);
    group.append(`${JOB}/algo-2-1700000000`, 'b3', 'b4', 'b5');
    group.append(`${JOB}/algo-1-1700000000`, 'a4');
    await streamer.poll({ hosts: 3 });
    await streamer.poll({ hosts: 3 });
    await streamer.flush({ hosts: 3 });
    // Merged by timestamp; a4 and b3 share one, so they keep the order the streams were read in.
    assert.deepEqual(lines.slice(6), ['[algo-1] a4', '[algo-2] b3', '[algo-2] b4', '[algo-2] b5']);
    assert.equal(new Set(lines).size, lines.length, 'no line twice');
    assert.equal(streamer.linesPrinted, 10);
    assert.deepEqual(streamer.streamNames.sort(), [
      `${JOB}/algo-1-1700000000`,
      `${JOB}/algo-2-1700000000`,
      `${JOB}/algo-3-1700000000`,
    ]);
  });

  it('prints lines without a prefix for a single host, and splits multi-line events', async () => {
    const { group, lines, streamer } = setup();
    group.append(`${JOB}/algo-1-1700000000`, 'epoch 1\n', 'Traceback:\n  File "train.py"\r\nValueError: bad');
    await streamer.poll({ hosts: 1 });
    assert.deepEqual(lines, ['epoch 1', 'Traceback:', '  File "train.py"', 'ValueError: bad']);
  });

  it('prefixes as soon as a second host shows up, even when the job was described with one', async () => {
    const { group, lines, streamer } = setup();
    group.append(`${JOB}/algo-1-1700000000`, 'one');
    group.append(`${JOB}/algo-2-1700000000`, 'two');
    await streamer.poll();
    assert.deepEqual(lines, ['[algo-1] one', '[algo-2] two']);
  });

  it('stops paging a stream when the forward token comes back unchanged', async () => {
    const { group, streamer } = setup({ discoveryIntervalMs: 60_000 });
    group.append(`${JOB}/algo-1-1700000000`, 'only');
    await streamer.poll();
    // One page with the event, one answering the same token: the end for now.
    assert.equal(group.calls.get, 2);
    await streamer.poll();
    assert.equal(group.calls.get, 3, 'a quiet stream costs one call per poll');
  });

  it('asks DescribeLogStreams at most once per discovery interval, but always for the final flush', async () => {
    const { clock, group, streamer } = setup({ discoveryIntervalMs: 10_000 });
    for (let i = 0; i < 20; i++) {
      await streamer.poll();
      await clock.sleep(2_000);
    }
    // 40 s of polling every 2 s: at 0, 10, 20, 30 s.
    assert.deepEqual(
      group.describeTimes.map((t) => t - group.describeTimes[0]!),
      [0, 10_000, 20_000, 30_000],
    );
    await streamer.flush();
    assert.equal(group.calls.describe, 5);
  });

  it('tolerates the log group not existing yet, silently, and picks the streams up once it does', async () => {
    const { clock, group, lines, logger, streamer } = setup({ discoveryIntervalMs: 10_000 });
    group.exists = false;
    await streamer.poll();
    await clock.sleep(10_000);
    await streamer.poll();
    assert.deepEqual(messages(logger, 'warning'), []);
    assert.deepEqual(messages(logger), []);
    assert.match(messages(logger, 'debug')[0]!, /The specified log group does not exist/);

    group.exists = true;
    group.append(`${JOB}/algo-1-1700000000`, 'started');
    await clock.sleep(10_000);
    await streamer.poll();
    assert.deepEqual(lines, ['started']);
  });

  it('says once, at the final flush, that no logs were found when the group never appeared', async () => {
    const { group, logger, streamer } = setup();
    group.exists = false;
    await streamer.poll();
    await streamer.flush();
    assert.deepEqual(messages(logger), [
      `No CloudWatch logs were found for training job ${JOB} (log group /aws/sagemaker/TrainingJobs)`,
    ]);
  });

  it('backs off when DescribeLogStreams is throttled, then retries without failing', async () => {
    const { clock, group, lines, logger, streamer } = setup({ discoveryIntervalMs: 0 });
    group.append(`${JOB}/algo-1-1700000000`, 'hello');
    group.failNext.describe.push(awsError('ThrottlingException', 400, 'Rate exceeded'));
    group.failNext.describe.push(awsError('ThrottlingException', 400, 'Rate exceeded'));

    await streamer.poll(); // throttled: back off 5 s
    await clock.sleep(2_000);
    await streamer.poll(); // still backing off: no call at all
    assert.equal(group.calls.describe, 1);
    await clock.sleep(3_000);
    await streamer.poll(); // throttled again: back off 10 s
    await clock.sleep(5_000);
    await streamer.poll();
    assert.equal(group.calls.describe, 2, 'the second backoff is longer');
    await clock.sleep(5_000);
    await streamer.poll();
    assert.equal(group.calls.describe, 3);
    assert.deepEqual(lines, ['hello']);
    assert.deepEqual(messages(logger, 'warning'), []);
    assert.ok(messages(logger, 'debug').some((m) => /throttled; trying again in 10s/.test(m)));
  });

  it('backs off when GetLogEvents is throttled and prints nothing twice afterwards', async () => {
    const { clock, group, lines, streamer } = setup();
    group.append(`${JOB}/algo-1-1700000000`, 'one', 'two');
    group.eventPageSize = 1;
    group.failNext.get.push(awsError('ThrottlingException', 400));
    await streamer.poll();
    assert.deepEqual(lines, []);
    await clock.sleep(5_000);
    await streamer.poll();
    await streamer.poll();
    assert.deepEqual(lines, ['one', 'two']);
  });

  it('never prints a line twice when pages overlap after a failed call', async () => {
    const { group, lines, streamer } = setup();
    group.eventPageSize = 2;
    group.append(`${JOB}/algo-1-1700000000`, 'l1', 'l2', 'l3', 'l4');
    group.failNext.get.push(awsError('ServiceUnavailableException', 503));
    await streamer.poll();
    await streamer.poll();
    group.rewind(`${JOB}/algo-1-1700000000`, 3);
    group.append(`${JOB}/algo-1-1700000000`, 'l5');
    await streamer.poll();
    assert.deepEqual(lines, ['l1', 'l2', 'l3', 'l4', 'l5']);
  });

  it('still reads the known streams when listing new ones fails for a passing reason', async () => {
    const { clock, group, lines, logger, streamer } = setup({ discoveryIntervalMs: 0 });
    group.append(`${JOB}/algo-1-1700000000`, 'first');
    await streamer.poll();
    await clock.sleep(1_000);
    group.append(`${JOB}/algo-1-1700000000`, 'second');
    group.failNext.describe.push(awsError('InternalFailure', 500, 'We encountered an internal error'));
    await streamer.poll();
    assert.deepEqual(lines, ['first', 'second']);
    assert.deepEqual(messages(logger, 'warning'), []);
  });

  it('warns once about an unexpected error and keeps streaming', async () => {
    const { group, lines, logger, streamer } = setup({ discoveryIntervalMs: 0 });
    group.append(`${JOB}/algo-1-1700000000`, 'line');
    group.failNext.describe.push(awsError('InvalidParameterException', 400, 'odd'));
    group.failNext.describe.push(awsError('InvalidParameterException', 400, 'odd'));
    await streamer.poll();
    await streamer.poll();
    await streamer.poll();
    assert.deepEqual(lines, ['line']);
    assert.equal(messages(logger, 'warning').length, 1);
    assert.match(messages(logger, 'warning')[0]!, /; will keep trying$/);
  });

  it('keeps identical messages that are distinct events', async () => {
    const { group, lines, streamer } = setup();
    group.append(`${JOB}/algo-1-1700000000`, 'step', 'step', 'step');
    await streamer.poll();
    assert.deepEqual(lines, ['step', 'step', 'step']);
  });

  it('rereads a stream from its head when its token expired, without printing the old lines again', async () => {
    const { clock, group, lines, streamer } = setup();
    group.append(`${JOB}/algo-1-1700000000`, 'old1', 'old2');
    await streamer.poll();
    await clock.sleep(1_000);
    group.append(`${JOB}/algo-1-1700000000`, 'new');
    group.failNext.get.push(awsError('InvalidParameterException', 400, 'The specified nextToken is invalid.'));
    await streamer.poll();
    assert.deepEqual(lines, ['old1', 'old2', 'new']);
  });

  it('turns itself off with one warning when reading the logs is denied', async () => {
    const { group, logger, streamer } = setup({ discoveryIntervalMs: 0 });
    group.failNext.describe.push(
      awsError('AccessDeniedException', 400, 'not authorized to perform logs:DescribeLogStreams'),
    );
    await streamer.poll();
    await streamer.poll();
    await streamer.flush();
    assert.equal(group.calls.describe, 1);
    assert.deepEqual(messages(logger, 'warning'), [
      `Listing the log streams of training job ${JOB} was denied (AccessDeniedException: not authorized to perform logs:DescribeLogStreams); check that the role's IAM policy, and any bucket, key or resource policy, allows it; the training logs are not shown, the wait goes on without them`,
    ]);
  });

  it('keeps the last lines for a failure summary', async () => {
    const { group, streamer } = setup({ tailLines: 3 });
    group.append(`${JOB}/algo-1-1700000000`, 'a', 'b', 'c', 'd', 'e');
    await streamer.poll();
    assert.deepEqual(streamer.tail, ['c', 'd', 'e']);
  });

  it('returns at once when the signal is aborted', async () => {
    const { group, streamer } = setup();
    group.append(`${JOB}/algo-1-1700000000`, 'a');
    const controller = new AbortController();
    controller.abort();
    await streamer.poll({ signal: controller.signal });
    assert.equal(group.calls.describe + group.calls.get, 0);
  });
});

describe('hostOf', () => {
  it('keeps the host name across the streams of its restarts', () => {
    assert.equal(hostOf(`${JOB}/algo-1-1700000000`, JOB), 'algo-1');
    assert.equal(hostOf(`${JOB}/algo-12-1700000500`, JOB), 'algo-12');
    assert.equal(hostOf(`${JOB}/custom`, JOB), 'custom');
  });
});

describe('SeenEvents', () => {
  it('never reports a new event as seen nor a repeated one as new, within its window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.constantFrom('a', 'b', 'c')), { maxLength: 200 }),
        fc.integer({ min: 5, max: 50 }),
        (raw, limit) => {
          // Events arrive in timestamp order, as GetLogEvents returns them.
          const events = raw
            .map(([timestamp, message]) => ({ timestamp, ingestionTime: timestamp, message }))
            .sort((a, b) => a.timestamp - b.timestamp);
          const seen = new SeenEvents(limit);
          const printed = new Set<string>();
          for (const event of events) {
            const key = JSON.stringify(event);
            const repeated = seen.checkAndAdd(event);
            // With at most 3 distinct events per timestamp and a window of 5 or more, nothing new is dropped.
            assert.equal(repeated, printed.has(key), repeated ? 'a new event was dropped' : 'a repeat got through');
            if (!repeated) printed.add(key);
          }
          // Replaying everything (an expired token) prints nothing new.
          for (const event of events) assert.equal(seen.checkAndAdd(event), true);
        },
      ),
    );
  });

  it('forgets old keys beyond its limit but still refuses events at or before the watermark', () => {
    const seen = new SeenEvents(2);
    assert.equal(seen.checkAndAdd({ timestamp: 1, message: 'a' }), false);
    assert.equal(seen.checkAndAdd({ timestamp: 2, message: 'b' }), false);
    assert.equal(seen.checkAndAdd({ timestamp: 3, message: 'c' }), false);
    assert.equal(seen.checkAndAdd({ timestamp: 1, message: 'a' }), true);
    assert.equal(seen.checkAndAdd({ timestamp: 4, message: 'd' }), false);
  });
});
