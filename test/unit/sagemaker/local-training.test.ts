import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { CancelledError, ConfigurationError, DataError, recordingLogger } from '@mlops-actions/core';
import { runLocalTraining, TrainingFailedError, type LocalTrainingOptions } from '@mlops-actions/sagemaker';
import { isRunning } from '../../harness/processes.js';
import { fixturesDir, readTarWithPython, withTempDir } from './helpers.js';

const scriptDir = path.join(fixturesDir, 'train_script');
const dataDir = path.join(fixturesDir, 'train_data');

function scriptOptions(workDir: string, overrides: Partial<LocalTrainingOptions> = {}): LocalTrainingOptions {
  return {
    entryPoint: 'train.py',
    sourceDir: scriptDir,
    workDir,
    channels: { train: path.join(dataDir, 'train.csv'), test: dataDir },
    hyperparameters: { epochs: 100, 'learning-rate': 0.5, optimizer: 'adam' },
    metricDefinitions: [
      { name: 'train:accuracy', regex: '\\baccuracy=([0-9.]+)' },
      { name: 'train:loss', regex: 'loss=([0-9.]+)' },
      { name: 'test:accuracy', regex: 'test_accuracy=([0-9.]+)' },
    ],
    environment: { EXTRA_SETTING: 'from-the-workflow' },
    jobName: 'test-job',
    logger: recordingLogger(),
    ...overrides,
  };
}

describe('runLocalTraining', () => {
  before(() => {
    const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    assert.equal(numpy.status, 0, `the fixture script needs python3 with numpy: ${numpy.stderr}`);
  });

  it('trains the fixture script under the container contract and packs model.tar.gz', async () => {
    await withTempDir(async (workDir) => {
      // A checkpoint from an earlier run survives; anything else under opt/ml does not.
      await mkdir(path.join(workDir, 'opt/ml/checkpoints'), { recursive: true });
      await writeFile(path.join(workDir, 'opt/ml/checkpoints/epoch-3.ckpt'), 'state');
      await mkdir(path.join(workDir, 'opt/ml/model'), { recursive: true });
      await writeFile(path.join(workDir, 'opt/ml/model/stale.bin'), 'from an earlier run');

      const logger = recordingLogger();
      const lines: string[] = [];
      const result = await runLocalTraining(scriptOptions(workDir, { logger, onLine: (line) => lines.push(line) }));

      assert.equal(result.exitCode, 0);
      assert.ok(existsSync(path.join(workDir, 'opt/ml/checkpoints/epoch-3.ckpt')));

      // Metrics: every epoch line, the last value wins.
      const epochLines = lines.filter((line) => line.startsWith('epoch='));
      assert.equal(epochLines.length, 5);
      const lastAccuracy = Number(/\baccuracy=([0-9.]+)/.exec(epochLines.at(-1)!)![1]);
      const lastLoss = Number(/loss=([0-9.]+)/.exec(epochLines.at(-1)!)![1]);
      assert.equal(result.metrics['train:accuracy'], lastAccuracy);
      assert.equal(result.metrics['train:loss'], lastLoss);
      assert.equal(result.metricSeries['train:accuracy']!.length, 5);
      assert.deepEqual(
        result.metricSeries['train:loss']!.map((o) => o.value),
        epochLines.map((line) => Number(/loss=([0-9.]+)/.exec(line)![1])),
      );
      assert.ok(result.metrics['test:accuracy']! > 0.6, `test accuracy ${result.metrics['test:accuracy']}`);
      assert.ok(lastAccuracy > 0.6);
      // Lines reach the logger.
      assert.ok(logger.lines.some((l) => l.level === 'info' && l.message === epochLines[0]));

      // model.tar.gz holds the model directory at its root, read back with Python's tarfile.
      const members = readTarWithPython(result.modelArchive.path);
      assert.deepEqual(
        members.map((m) => m.name),
        ['extra', 'extra/README.txt', 'model.json'],
      );
      const model = JSON.parse(members.find((m) => m.name === 'model.json')!.text!) as Record<string, unknown>;
      assert.equal((model.weights as number[]).length, 2);
      assert.equal(model.epochs, 100);
      assert.equal(model.optimizer, 'adam');
      assert.equal(result.modelArchive.fileCount, 2);
      assert.deepEqual(result.outputArchive?.entries, ['seen.json']);

      // What the script saw.
      const seen = JSON.parse(await readFile(path.join(result.paths.outputData, 'seen.json'), 'utf8')) as {
        env: Record<string, string>;
        argv: string[];
        cwd: string;
        hyperparameters_file: Record<string, string>;
        training_job_name: string;
        extra: string;
      };
      const { env } = seen;
      assert.equal(env.SM_MODEL_DIR, result.paths.model);
      assert.equal(env.SM_CHANNELS, '["test","train"]');
      assert.equal(env.SM_CHANNEL_TRAIN, path.join(result.paths.inputData, 'train'));
      assert.equal(env.SM_CHANNEL_TEST, path.join(result.paths.inputData, 'test'));
      assert.deepEqual(JSON.parse(env.SM_HPS!), { epochs: 100, 'learning-rate': 0.5, optimizer: 'adam' });
      assert.equal(env.SM_HP_OPTIMIZER, 'adam');
      assert.equal(env['SM_HP_LEARNING-RATE'], '0.5');
      assert.equal(env.SM_USER_ARGS, '["--epochs","100","--learning-rate","0.5","--optimizer","adam"]');
      assert.deepEqual(seen.argv, ['--epochs', '100', '--learning-rate', '0.5', '--optimizer', 'adam']);
      assert.equal(env.SM_CURRENT_HOST, 'algo-1');
      assert.equal(env.SM_HOSTS, '["algo-1"]');
      assert.equal(env.SM_NUM_GPUS, '0');
      assert.ok(Number(env.SM_NUM_CPUS) >= 1);
      assert.equal(env.SM_OUTPUT_DATA_DIR, result.paths.outputData);
      assert.equal(env.SM_USER_ENTRY_POINT, 'train.py');
      assert.equal(env.SM_MODULE_DIR, result.paths.code);
      assert.equal((JSON.parse(env.SM_TRAINING_ENV!) as { job_name: string }).job_name, 'test-job');
      assert.equal(seen.training_job_name, 'test-job');
      assert.equal(seen.extra, 'from-the-workflow');
      assert.equal(seen.cwd, result.paths.code);
      // hyperparameters.json holds strings, JSON-encoded, as SageMaker writes them in script mode.
      assert.deepEqual(seen.hyperparameters_file, result.hyperparameters);
      assert.equal(seen.hyperparameters_file.optimizer, '"adam"');
      assert.equal(seen.hyperparameters_file.sagemaker_program, '"train.py"');

      // The channels: a file linked inside its channel directory, a directory linked as the channel.
      assert.deepEqual(await readdir(path.join(result.paths.inputData, 'train')), ['train.csv']);
      assert.deepEqual((await readdir(path.join(result.paths.inputData, 'test'))).sort(), ['test.csv', 'train.csv']);
      assert.deepEqual(JSON.parse(await readFile(result.paths.inputDataConfigFile, 'utf8')), {
        train: { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
        test: { TrainingInputMode: 'File', S3DistributionType: 'FullyReplicated', RecordWrapperType: 'None' },
      });
      const resources = JSON.parse(await readFile(result.paths.resourceConfigFile, 'utf8')) as Record<string, unknown>;
      assert.equal(resources.current_host, 'algo-1');

      // The code is what sourcedir.tar.gz would hold: .sagemakerignore applies.
      const code = await readdir(result.paths.code);
      assert.ok(code.includes('train.py'));
      assert.ok(!code.includes('notes') && !code.includes('scratch.tmp'), code.join(', '));
    });
  });

  it('surfaces the failure file’s text and the exit code', async () => {
    await withTempDir(async (workDir) => {
      const run = runLocalTraining(scriptOptions(workDir, { hyperparameters: { mode: 'failure-file' } }));
      await assert.rejects(run, (error) => {
        assert.ok(error instanceof TrainingFailedError);
        assert.ok(error instanceof DataError, 'reported like a data error, in one line');
        assert.equal(error.exitCode, 1);
        assert.equal(error.failureReason, 'ValueError: learning rate must be positive');
        assert.equal(error.message, 'Training exited with code 1: ValueError: learning rate must be positive');
        return true;
      });
    });
  });

  it('fails on a non-empty failure file even when the exit code is 0', async () => {
    await withTempDir(async (workDir) => {
      await assert.rejects(
        runLocalTraining(scriptOptions(workDir, { hyperparameters: { mode: 'failure-file-exit-0' } })),
        (error) => {
          assert.ok(error instanceof TrainingFailedError);
          assert.equal(error.exitCode, 0);
          assert.match(error.message, /exited with code 0 but wrote a failure file: model did not converge/);
          return true;
        },
      );
    });
  });

  it('surfaces a non-zero exit without a failure file with the last lines of output', async () => {
    await withTempDir(async (workDir) => {
      await assert.rejects(
        runLocalTraining(scriptOptions(workDir, { hyperparameters: { mode: 'crash' } })),
        (error) => {
          assert.ok(error instanceof TrainingFailedError);
          assert.equal(error.exitCode, 3);
          assert.equal(error.failureReason, undefined);
          assert.ok(error.lastLines.includes('RuntimeError: out of cheese'));
          assert.match(error.message, /^Training exited with code 3; last output:\n[\s\S]*RuntimeError: out of cheese/);
          return true;
        },
      );
      assert.ok(!existsSync(path.join(workDir, 'model.tar.gz')), 'no model archive after a failure');
    });
  });

  it('on abort, stops the script and the child it started, streaming output until then', async () => {
    await withTempDir(async (workDir) => {
      const controller = new AbortController();
      let pids: { child: number; script: number } | undefined;
      let abortedAt = 0;
      const run = runLocalTraining(
        scriptOptions(workDir, {
          hyperparameters: { mode: 'hang' },
          signal: controller.signal,
          // Far longer than the test may take, so only SIGTERM (not the SIGKILL fallback) can pass it.
          killGraceMs: 30_000,
          onLine: (line) => {
            const match = /^started child (\d+) from (\d+)$/.exec(line);
            if (match) {
              pids = { child: Number(match[1]), script: Number(match[2]) };
              assert.ok(isRunning(pids.child), 'the child runs when its line arrives: output is live');
              abortedAt = Date.now();
              controller.abort();
            }
          },
        }),
      );
      await assert.rejects(run, CancelledError);
      assert.ok(pids, 'the script announced its child');
      assert.equal(isRunning(pids.script), false, `script ${pids.script} is gone`);
      assert.equal(isRunning(pids.child), false, `child ${pids.child} is gone`);
      const waited = Date.now() - abortedAt;
      assert.ok(waited < 30_000, `SIGTERM was enough, no SIGKILL after the grace period (${waited} ms)`);
    });
  });

  it('stops the run when the abort lands during setup, after the early check', async () => {
    await withTempDir(async (workDir) => {
      const controller = new AbortController();
      const recording = recordingLogger();
      // "Running …" is logged after the early aborted check and before the child is spawned.
      const logger = {
        ...recording,
        info: (message: string) => {
          recording.info(message);
          if (message.startsWith('Running ')) controller.abort();
        },
      };
      const started = Date.now();
      const run = runLocalTraining({
        command: 'sleep 300',
        workDir,
        channels: {},
        hyperparameters: {},
        logger,
        signal: controller.signal,
        killGraceMs: 30_000,
      });
      await assert.rejects(run, CancelledError);
      const waited = Date.now() - started;
      assert.ok(waited < 30_000, `the abort stopped the child with SIGTERM (${waited} ms)`);
    });
  });

  it('kills a process tree that ignores SIGTERM once the grace period is over', async () => {
    await withTempDir(async (workDir) => {
      const controller = new AbortController();
      let pids: number[] = [];
      let abortedAt = 0;
      const run = runLocalTraining({
        command: `trap '' TERM; sleep 300 & echo "pids $$ $!"; wait`,
        workDir,
        channels: {},
        hyperparameters: {},
        logger: recordingLogger(),
        signal: controller.signal,
        killGraceMs: 800,
        onLine: (line) => {
          if (line.startsWith('pids ')) {
            pids = line.split(' ').slice(1).map(Number);
            abortedAt = Date.now();
            controller.abort();
          }
        },
      });
      await assert.rejects(run, CancelledError);
      const waited = Date.now() - abortedAt;
      assert.equal(pids.length, 2);
      for (const pid of pids) assert.equal(isRunning(pid), false, `${pid} is gone`);
      assert.ok(waited >= 700, `SIGKILL came after the grace period (${waited} ms)`);
    });
  });

  it('stops processes a successful run leaves behind, with a warning', async () => {
    await withTempDir(async (workDir) => {
      const logger = recordingLogger();
      let background = 0;
      const result = await runLocalTraining({
        command: 'sleep 300 & echo "background $!"; echo ok > "$SM_MODEL_DIR/model.txt"',
        workDir,
        channels: {},
        hyperparameters: {},
        logger,
        killGraceMs: 2000,
        onLine: (line) => {
          if (line.startsWith('background ')) background = Number(line.split(' ')[1]);
        },
      });
      assert.ok(background > 0);
      assert.equal(isRunning(background), false);
      assert.ok(logger.lines.some((l) => l.level === 'warning' && /left 1 process\(es\) running/.test(l.message)));
      assert.deepEqual(result.modelArchive.entries, ['model.txt']);
    });
  });

  it('passes raw hyperparameters to a command without the script-mode settings', async () => {
    await withTempDir(async (workDir) => {
      const lines: string[] = [];
      await runLocalTraining({
        command: [
          'python3',
          '-c',
          'import os; print(open(os.path.join(os.environ["SM_INPUT_CONFIG_DIR"], "hyperparameters.json")).read()); print(os.environ["SM_USER_ARGS"])',
        ],
        workDir,
        channels: {},
        hyperparameters: { objective: 'binary:logistic', eta: 0.2, num_round: 10 },
        hyperparameterEncoding: 'raw',
        logger: recordingLogger(),
        onLine: (line) => lines.push(line),
      });
      assert.deepEqual(JSON.parse(lines[0]!), { objective: 'binary:logistic', eta: '0.2', num_round: '10' });
      assert.deepEqual(JSON.parse(lines[1]!), ['--eta', '0.2', '--num_round', '10', '--objective', 'binary:logistic']);
    });
  });

  it('runs a .sh entry point with bash and the toolkit arguments', async () => {
    await withTempDir(async (dir) => {
      const source = path.join(dir, 'src');
      await mkdir(source);
      await writeFile(path.join(source, 'train.sh'), 'echo "args: $*"\necho trained > "$SM_MODEL_DIR/model.txt"\n');
      const lines: string[] = [];
      const result = await runLocalTraining({
        entryPoint: 'train.sh',
        sourceDir: source,
        workDir: path.join(dir, 'work'),
        channels: {},
        hyperparameters: { rounds: 3, objective: 'binary' },
        logger: recordingLogger(),
        onLine: (line) => lines.push(line),
      });
      assert.deepEqual(lines, ['args: --objective binary --rounds 3']);
      assert.deepEqual(result.modelArchive.entries, ['model.txt']);
      // Neither .py nor .sh, and not executable: refused.
      await writeFile(path.join(source, 'train.bin'), 'not a program');
      await assert.rejects(
        runLocalTraining({
          entryPoint: 'train.bin',
          sourceDir: source,
          workDir: path.join(dir, 'work'),
          channels: {},
          hyperparameters: {},
          logger: recordingLogger(),
        }),
        (error) =>
          error instanceof ConfigurationError && /not a \.py or \.sh script and not executable/.test(error.message),
      );
      await writeFile(path.join(source, 'train.bin'), '#!/bin/sh\necho "exec $1 $2"\n');
      await chmod(path.join(source, 'train.bin'), 0o755);
      lines.length = 0;
      await runLocalTraining({
        entryPoint: 'train.bin',
        sourceDir: source,
        workDir: path.join(dir, 'work'),
        channels: {},
        hyperparameters: { a: 1 },
        logger: recordingLogger(),
        onLine: (line) => lines.push(line),
      });
      assert.deepEqual(lines, ['exec -a 1']);
    });
  });

  it('reports an interpreter that cannot be started', async () => {
    await withTempDir(async (workDir) => {
      await assert.rejects(runLocalTraining(scriptOptions(workDir, { python: 'no-such-python-here' })), (error) => {
        assert.ok(error instanceof TrainingFailedError);
        assert.match(error.message, /^Training did not start: spawn no-such-python-here ENOENT/);
        return true;
      });
    });
  });

  it('starts each run afresh without touching the data the channels link to', async () => {
    await withTempDir(async (dir) => {
      const data = path.join(dir, 'data');
      await mkdir(data);
      await writeFile(path.join(data, 'rows.csv'), 'a\n1\n');
      const options: LocalTrainingOptions = {
        command: 'ls "$SM_CHANNEL_DATA" > "$SM_MODEL_DIR/listing.txt"',
        workDir: path.join(dir, 'work'),
        channels: { data },
        hyperparameters: {},
        logger: recordingLogger(),
      };
      await runLocalTraining(options);
      const second = await runLocalTraining(options);
      assert.equal(await readFile(path.join(data, 'rows.csv'), 'utf8'), 'a\n1\n');
      assert.equal(await readFile(path.join(second.paths.model, 'listing.txt'), 'utf8'), 'rows.csv\n');
    });
  });

  it('refuses bad options before running anything, naming the inputs', async () => {
    await withTempDir(async (workDir) => {
      const input = async (overrides: Partial<LocalTrainingOptions>) => {
        try {
          await runLocalTraining(scriptOptions(workDir, overrides));
        } catch (error) {
          assert.ok(error instanceof ConfigurationError, String(error));
          return { input: error.input, message: error.message };
        }
        assert.fail('expected a ConfigurationError');
      };
      assert.equal((await input({ command: 'true' })).input, 'command');
      assert.equal((await input({ channels: { 'bad name!': dataDir } })).input, 'inputs');
      const missing = await input({ channels: { train: path.join(dataDir, 'nope.csv') } });
      assert.equal(missing.input, 'inputs');
      assert.match(missing.message, /nope\.csv, which does not exist/);
      assert.equal((await input({ environment: { '1BAD': 'x' } })).input, 'environment');
      assert.equal(
        (await input({ metricDefinitions: [{ name: 'acc', regex: 'accuracy=[0-9.]+' }] })).input,
        'metric-definitions',
      );
      assert.equal((await input({ hyperparameters: { sagemaker_program: 'x.py' } })).input, 'hyperparameters');
      const ignored = await input({ entryPoint: 'scratch.tmp' });
      assert.equal(ignored.input, 'entry-point');
      assert.match(ignored.message, /left out of the code \(scratch\.tmp: ignored by '\*\.tmp'\)/);
      assert.equal((await input({ entryPoint: '../train.py' })).input, 'entry-point');
      assert.equal((await input({ entryPoint: 'missing.py' })).input, 'entry-point');
      assert.ok(!existsSync(path.join(workDir, 'model.tar.gz')));
    });
  });
});
