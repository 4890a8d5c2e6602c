// The local training backend: runs the user's training on this machine under SageMaker's container contract, so a
// script that trains here trains unchanged on SageMaker.
//
// Decisions:
// - Layout under `<workDir>/opt/ml`, rebuilt on each run except `checkpoints/`, which survives like a checkpoint
//   channel restored from S3, so a resumable script resumes.
// - The source directory is copied to `opt/ml/code` through the same filter as sourcedir.tar.gz (default ignores,
//   .sagemakerignore, link policy): a file the archive would leave out is missing here too.
// - Channels: a directory becomes `input/data/<channel>` as a symbolic link to it; a file is linked inside that
//   directory under its own name.
// - hyperparameters.json holds exactly the map CreateTrainingJob would get (see hyperparameters.ts); the SM_*
//   variables and `--key value` arguments are derived from it as the training toolkit does (training-environment.ts).
// - `entryPoint`: `.py` runs with python3, `.sh` with bash, anything else as an executable, with the toolkit's
//   arguments. `command`: a string runs through /bin/sh -c, an array runs as is; no arguments are added (they are in
//   SM_USER_ARGS), like a custom container's entrypoint.
// - The process leads its own process group. Cancelling sends SIGTERM to the group and SIGKILL after `killGraceMs`
//   (5 s by default, inside the runner's 7.5 s between SIGINT and SIGTERM). Processes still running when the leader
//   exits are stopped the same way, as the end of a SageMaker job stops its container.
// - Failure is a non-zero exit, a death by signal, or a non-empty `output/failure`: TrainingFailedError carries the
//   failure file's text (or the last lines of output), exit code and metrics so far.
// - SM_NUM_GPUS is 0: the local backend does not hand out GPUs.
import { spawn } from 'node:child_process';
import {
  access,
  chmod,
  constants,
  copyFile,
  mkdir,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CancelledError, ConfigurationError, DataError, type Logger } from '@mlops-actions/core';
import { buildHyperparameters, type HyperparameterEncoding } from './hyperparameters.js';
import { MetricCollector, type MetricDefinition, type MetricObservation } from './metrics.js';
import { stopProcessGroup } from './process-group.js';
import { collectTree, formatBytes, treeEntries, type CollectedTree } from './source-archive.js';
import { writeTarGz } from './tar.js';
import { TRAINING_JOB_INPUTS } from './training/training-job.js';
import {
  containerPaths,
  inputDataConfig,
  resourceConfig,
  toolkitEnvironment,
  type ContainerPaths,
} from './training-environment.js';

export interface LocalTrainingOptions {
  /** A shell command line, or an argv run without a shell. Exclusive with `entryPoint`. */
  command?: string[] | string;
  /** The script to run, relative to `sourceDir` (or a path to a lone script when there is no `sourceDir`). */
  entryPoint?: string;
  sourceDir?: string;
  /** Where `opt/ml` and the archives go. */
  workDir: string;
  /** Channel name -> local directory or file. */
  channels: Record<string, string>;
  hyperparameters: Record<string, unknown>;
  /** `json` (script mode, default) or `raw` (images that read plain strings). */
  hyperparameterEncoding?: HyperparameterEncoding;
  /** Extra environment variables, as CreateTrainingJob's Environment. */
  environment?: Record<string, string>;
  metricDefinitions?: MetricDefinition[];
  signal?: AbortSignal;
  logger: Logger;
  /** Called with every output line, after it is logged. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  jobName?: string;
  region?: string;
  /** Written into resourceconfig.json; `local` by default. */
  instanceType?: string;
  /** The interpreter for `.py` entry points (default python3). */
  python?: string;
  /** Working directory of a `command` when there is no `sourceDir` (default: this process's). */
  cwd?: string;
  killGraceMs?: number;
  /** Size limit of the copied source directory (see createSourceArchive). */
  sourceMaxBytes?: number;
}

export interface ArchiveSummary {
  path: string;
  bytes: number;
  sha256: string;
  fileCount: number;
  entries: string[];
}

export interface LocalTrainingResult {
  exitCode: number;
  durationMs: number;
  /** Last value of each metric. */
  metrics: Record<string, number>;
  /** Every value, in order. */
  metricSeries: Record<string, MetricObservation[]>;
  /** `<workDir>/model.tar.gz`: the contents of opt/ml/model at the archive root. */
  modelArchive: ArchiveSummary;
  /** `<workDir>/output.tar.gz` from opt/ml/output/data, when the script wrote anything there. */
  outputArchive?: ArchiveSummary;
  paths: ContainerPaths;
  /** hyperparameters.json as written. */
  hyperparameters: Record<string, string>;
}

/** Training ran and failed. A DataError, so the action reports it as one line without a stack. */
export class TrainingFailedError extends DataError {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The text of opt/ml/output/failure, when the script wrote one. */
  readonly failureReason: string | undefined;
  /** The last lines of output. */
  readonly lastLines: string[];
  readonly metrics: Record<string, number>;
  readonly durationMs: number;

  constructor(details: {
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    failureReason: string | undefined;
    lastLines: string[];
    metrics: Record<string, number>;
    durationMs: number;
  }) {
    const how =
      details.exitCode === null && details.signal === null
        ? 'did not start'
        : details.signal !== null
          ? `was killed by ${details.signal}`
          : details.exitCode === 0
            ? 'exited with code 0 but wrote a failure file'
            : `exited with code ${details.exitCode}`;
    const why = details.failureReason
      ? `: ${details.failureReason}`
      : details.lastLines.length
        ? `; last output:\n${details.lastLines.join('\n')}`
        : '';
    super(`Training ${how}${why}`);
    this.exitCode = details.exitCode;
    this.signal = details.signal;
    this.failureReason = details.failureReason;
    this.lastLines = details.lastLines;
    this.metrics = details.metrics;
    this.durationMs = details.durationMs;
  }
}

const CHANNEL_NAME = /^[A-Za-z0-9.\-_]{1,64}$/; // the API's ChannelName
const ENVIRONMENT_KEY = /^[a-zA-Z_][a-zA-Z0-9_]{0,511}$/; // TrainingEnvironmentKey
const ENVIRONMENT_LIMITS = { maxEntries: 100, maxValueLength: 512 };
const TAIL_LINES = 20;
const FAILURE_TEXT_LIMIT = 4096;
const DEFAULT_KILL_GRACE_MS = 5000;

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

async function validateChannels(channels: Record<string, string>): Promise<Record<string, string>> {
  const input = TRAINING_JOB_INPUTS.channels;
  const problems: string[] = [];
  const resolved: Record<string, string> = {};
  for (const [name, location] of Object.entries(channels)) {
    if (!CHANNEL_NAME.test(name)) {
      problems.push(
        `Input '${input}' has the channel name ${JSON.stringify(name)}: channel names are 1-64 letters, digits, '.', '-' or '_'`,
      );
      continue;
    }
    const absolute = path.resolve(location);
    if (!(await exists(absolute))) {
      problems.push(`Input '${input}' has ${name}: ${location}, which does not exist`);
      continue;
    }
    resolved[name] = absolute;
  }
  if (problems.length) throw new ConfigurationError(problems, { input });
  return resolved;
}

function validateEnvironment(environment: Record<string, string>): void {
  const problems: string[] = [];
  const entries = Object.entries(environment);
  if (entries.length > ENVIRONMENT_LIMITS.maxEntries) {
    problems.push(
      `Input 'environment' has ${entries.length} variables; SageMaker accepts at most ${ENVIRONMENT_LIMITS.maxEntries}`,
    );
  }
  for (const [key, value] of entries) {
    if (!ENVIRONMENT_KEY.test(key)) {
      problems.push(
        `Input 'environment' has the name ${JSON.stringify(key)}: names are letters, digits and '_', not starting with a digit`,
      );
    }
    if (value.length > ENVIRONMENT_LIMITS.maxValueLength) {
      problems.push(
        `Input 'environment' has ${key} with ${value.length} characters; SageMaker accepts at most ${ENVIRONMENT_LIMITS.maxValueLength}`,
      );
    }
  }
  if (problems.length) throw new ConfigurationError(problems, { input: 'environment' });
}

/** Removes everything from the last run but the checkpoints, then creates the layout. */
async function prepareLayout(paths: ContainerPaths): Promise<void> {
  await mkdir(paths.base, { recursive: true });
  for (const entry of await readdir(paths.base)) {
    if (path.join(paths.base, entry) !== paths.checkpoints) {
      await rm(path.join(paths.base, entry), { recursive: true, force: true });
    }
  }
  for (const dir of [
    paths.inputConfig,
    paths.inputData,
    paths.model,
    paths.outputData,
    paths.outputIntermediate,
    paths.checkpoints,
    paths.code,
  ]) {
    await mkdir(dir, { recursive: true });
  }
}

async function copyTree(tree: CollectedTree, destination: string): Promise<void> {
  for (const directory of tree.directories) await mkdir(path.join(destination, directory), { recursive: true });
  for (const file of tree.files) {
    const target = path.join(destination, file.path);
    await copyFile(file.absolutePath, target);
    await chmod(target, file.mode);
  }
}

async function linkChannels(paths: ContainerPaths, channels: Record<string, string>): Promise<void> {
  for (const [name, location] of Object.entries(channels)) {
    const channelDir = path.join(paths.inputData, name);
    if ((await stat(location)).isDirectory()) {
      await symlink(location, channelDir, 'dir');
    } else {
      await mkdir(channelDir, { recursive: true });
      await symlink(location, path.join(channelDir, path.basename(location)), 'file');
    }
  }
}

interface PreparedCode {
  /** Entry point relative to the code directory, posix. */
  entryPoint: string;
}

/** Copies the code into opt/ml/code; returns the entry point relative to it. */
async function prepareCode(options: LocalTrainingOptions, paths: ContainerPaths): Promise<PreparedCode | undefined> {
  const { entryPoint, sourceDir, logger } = options;
  if (sourceDir !== undefined) {
    const tree = await collectTree(sourceDir, { logger, signal: options.signal });
    const limit = options.sourceMaxBytes;
    if (limit !== undefined && tree.contentBytes > limit) {
      throw new ConfigurationError(
        `Input 'source-dir-size-limit': the source directory ${sourceDir} holds ${formatBytes(tree.contentBytes)}, over the limit of ${formatBytes(limit)}`,
        { input: 'source-dir-size-limit' },
      );
    }
    await copyTree(tree, paths.code);
    if (entryPoint === undefined) return undefined;
    const relative = path.posix.normalize(entryPoint.split(path.sep).join('/'));
    if (path.posix.isAbsolute(relative) || relative.startsWith('../')) {
      throw new ConfigurationError(
        `Input 'entry-point' has an invalid value ${JSON.stringify(entryPoint)}: give a path inside the source directory ${sourceDir}`,
        { input: 'entry-point' },
      );
    }
    if (!tree.files.some((file) => file.path === relative)) {
      const skipped = tree.skipped.find((s) => s.path === relative || relative.startsWith(`${s.path}/`));
      const why = skipped ? `it is left out of the code (${skipped.path}: ${skipped.reason})` : 'there is no such file';
      throw new ConfigurationError(
        `Input 'entry-point' has an invalid value ${JSON.stringify(entryPoint)}: ${why} in the source directory ${sourceDir}`,
        { input: 'entry-point' },
      );
    }
    return { entryPoint: relative };
  }
  if (entryPoint === undefined) return undefined;
  // Without a source directory the SDK uploads the entry point alone.
  const script = path.resolve(entryPoint);
  const scriptStats = await stat(script).catch(() => undefined);
  if (!scriptStats?.isFile()) {
    throw new ConfigurationError(
      `Input 'entry-point' has an invalid value ${JSON.stringify(entryPoint)}: no such file`,
      {
        input: 'entry-point',
      },
    );
  }
  const name = path.basename(script);
  await copyFile(script, path.join(paths.code, name));
  await chmod(path.join(paths.code, name), scriptStats.mode & 0o777);
  return { entryPoint: name };
}

async function commandLine(
  options: LocalTrainingOptions,
  code: PreparedCode | undefined,
  paths: ContainerPaths,
  userArgs: string[],
): Promise<{ file: string; args: string[]; cwd: string }> {
  if (options.command !== undefined) {
    const cwd = options.sourceDir !== undefined ? paths.code : path.resolve(options.cwd ?? process.cwd());
    if (typeof options.command === 'string') return { file: '/bin/sh', args: ['-c', options.command], cwd };
    const [file, ...args] = options.command;
    if (!file) throw new ConfigurationError(`Input 'command' is empty`, { input: 'command' });
    return { file, args, cwd };
  }
  const entryPoint = code!.entryPoint;
  const script = path.join(paths.code, entryPoint);
  if (entryPoint.endsWith('.py'))
    return { file: options.python ?? 'python3', args: [script, ...userArgs], cwd: paths.code };
  if (entryPoint.endsWith('.sh')) return { file: 'bash', args: [script, ...userArgs], cwd: paths.code };
  const executable = await access(script, constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!executable) {
    throw new ConfigurationError(
      `Input 'entry-point' has an invalid value ${JSON.stringify(options.entryPoint)}: not a .py or .sh script and not executable`,
      { input: 'entry-point' },
    );
  }
  return { file: script, args: userArgs, cwd: paths.code };
}

async function readFailureFile(paths: ContainerPaths): Promise<string | undefined> {
  const text = await readFile(paths.failureFile, 'utf8').catch(() => '');
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  return trimmed.length > FAILURE_TEXT_LIMIT ? `${trimmed.slice(0, FAILURE_TEXT_LIMIT)}…` : trimmed;
}

async function packDirectory(
  directory: string,
  outputPath: string,
  logger: Logger,
  signal?: AbortSignal,
): Promise<ArchiveSummary> {
  const tree = await collectTree(directory, { defaultIgnores: false, ignoreFile: false, logger, signal });
  const entries = treeEntries(tree);
  const result = await writeTarGz(tree.root, entries, outputPath, signal);
  return {
    path: outputPath,
    bytes: result.archiveBytes,
    sha256: result.sha256,
    fileCount: tree.files.length,
    entries: entries.map((entry) => (entry.type === 'directory' ? `${entry.path}/` : entry.path)),
  };
}

export async function runLocalTraining(options: LocalTrainingOptions): Promise<LocalTrainingResult> {
  const { logger, signal } = options;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const jobName = options.jobName ?? 'local-training';
  if ((options.command === undefined) === (options.entryPoint === undefined)) {
    throw new ConfigurationError('Give exactly one of the inputs entry-point and command', {
      input: options.command === undefined ? 'entry-point' : 'command',
    });
  }
  const environment = options.environment ?? {};
  validateEnvironment(environment);
  const channels = await validateChannels(options.channels);
  // Compiled before anything runs, so a bad regex fails fast.
  new MetricCollector(options.metricDefinitions ?? []);
  if (signal?.aborted) throw new CancelledError('Training was cancelled before it started');

  const paths = containerPaths(options.workDir);
  await prepareLayout(paths);
  const code = await prepareCode(options, paths);
  await linkChannels(paths, channels);

  const hyperparameters = buildHyperparameters(options.hyperparameters, {
    encoding: options.hyperparameterEncoding ?? 'json',
    scriptMode: code
      ? { entryPoint: code.entryPoint, submitDirectory: paths.code, jobName, region: options.region }
      : undefined,
  });
  const dataConfig = inputDataConfig(Object.keys(channels));
  const resources = resourceConfig(options.instanceType ?? 'local');
  await writeFile(paths.hyperparametersFile, JSON.stringify(hyperparameters));
  await writeFile(paths.inputDataConfigFile, JSON.stringify(dataConfig));
  await writeFile(paths.resourceConfigFile, JSON.stringify(resources));

  const toolkit = toolkitEnvironment({
    paths,
    hyperparameters,
    inputDataConfig: dataConfig,
    resourceConfig: resources,
    jobName,
    numCpus: cpus().length,
    numGpus: 0,
  });
  const { file, args, cwd } = await commandLine(options, code, paths, toolkit.userArgs);
  const env: Record<string, string | undefined> = {
    ...process.env,
    PYTHONUNBUFFERED: '1', // lines reach the log as they are printed
    ...environment,
    ...toolkit.variables,
  };

  logger.info(`Running ${[file, ...args].join(' ')} in ${cwd}`);
  const startedAt = Date.now();
  const metrics = new MetricCollector(options.metricDefinitions ?? [], startedAt);
  const tail: string[] = [];
  const child = spawn(file, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });

  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  try {
    await spawned;
  } catch (error) {
    throw new TrainingFailedError({
      exitCode: null,
      signal: null,
      failureReason: (error as Error).message,
      lastLines: [],
      metrics: {},
      durationMs: Date.now() - startedAt,
    });
  }
  const pgid = child.pid!;

  const readLines = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr') =>
    new Promise<void>((resolve) => {
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => {
        logger.info(line);
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        for (const { name: metric, value } of metrics.observe(line)) logger.debug(`metric ${metric}=${value}`);
        options.onLine?.(line, name);
      });
      lines.once('close', resolve);
    });
  const outputDone = Promise.all([readLines(child.stdout!, 'stdout'), readLines(child.stderr!, 'stderr')]);

  let cancelled = false;
  let stopping: Promise<number> | undefined;
  const onAbort = () => {
    cancelled = true;
    logger.warning(`Cancelling training: stopping process group ${pgid}`);
    stopping ??= stopProcessGroup(pgid, killGraceMs);
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  // The setup above awaits; an abort that landed there fired no listener and would leave the child running.
  if (signal?.aborted) onAbort();

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, exitSignal) => resolve({ code, signal: exitSignal })),
  );
  signal?.removeEventListener('abort', onAbort);
  await stopping;
  // Whatever the script left running goes, as when a SageMaker job's container stops.
  const leftovers = await stopProcessGroup(pgid, killGraceMs);
  if (leftovers > 0 && !cancelled) {
    logger.warning(`The training process left ${leftovers} process(es) running in its group; they were stopped`);
  }
  await Promise.race([outputDone, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  child.stdout?.destroy();
  child.stderr?.destroy();
  const durationMs = Date.now() - startedAt;

  if (cancelled) throw new CancelledError('Training was cancelled; its processes were stopped');

  const failureReason = await readFailureFile(paths);
  if (exit.code !== 0 || exit.signal !== null || failureReason !== undefined) {
    throw new TrainingFailedError({
      exitCode: exit.code,
      signal: exit.signal,
      failureReason,
      lastLines: [...tail],
      metrics: metrics.last,
      durationMs,
    });
  }

  const modelArchive = await packDirectory(
    paths.model,
    path.join(path.resolve(options.workDir), 'model.tar.gz'),
    logger,
    signal,
  );
  logger.info(`Model: ${modelArchive.fileCount} files in ${modelArchive.path} (${formatBytes(modelArchive.bytes)})`);
  if (modelArchive.fileCount === 0) logger.warning(`The training wrote nothing to ${paths.model} (SM_MODEL_DIR)`);
  let outputArchive: ArchiveSummary | undefined;
  if ((await readdir(paths.outputData)).length > 0) {
    outputArchive = await packDirectory(
      paths.outputData,
      path.join(path.resolve(options.workDir), 'output.tar.gz'),
      logger,
      signal,
    );
  }
  return {
    exitCode: exit.code ?? 0,
    durationMs,
    metrics: metrics.last,
    metricSeries: metrics.series,
    modelArchive,
    outputArchive,
    paths,
    hyperparameters,
  };
}
