// Where this run is: repository, commit, run and PR, read from the runner's environment (with local fallbacks so the
// same code runs on a laptop), plus the AWS tags and SageMaker names derived from it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { ConfigurationError } from './errors.js';

export interface RunContext {
  /** `owner/repo`; 'local/local' off Actions. */
  repository: string;
  owner: string;
  repo: string;
  /** 'unknown' off Actions unless GITHUB_SHA is set. */
  sha: string;
  /** '' off Actions. */
  ref: string;
  /** 'local' off Actions. */
  runId: string;
  runAttempt: number;
  /** Link to this run (and attempt, after a re-run); '' when there is no run id to link to. */
  runUrl: string;
  serverUrl: string;
  apiUrl: string;
  workflow: string;
  job: string;
  actor: string;
  eventName: string;
  /** The pull request this run is about, when the event has one. */
  prNumber?: number;
  workspace: string;
  runnerTemp: string;
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const read = (name: string): string | undefined => env[name]?.trim() || undefined;
  const repository = read('GITHUB_REPOSITORY') ?? 'local/local';
  const [owner = 'local', repo = 'local'] = repository.split('/');
  const runId = read('GITHUB_RUN_ID');
  const attempt = Number(read('GITHUB_RUN_ATTEMPT'));
  const runAttempt = Number.isSafeInteger(attempt) && attempt >= 1 ? attempt : 1;
  const serverUrl = (read('GITHUB_SERVER_URL') ?? 'https://github.com').replace(/\/+$/, '');
  let runUrl = '';
  if (runId !== undefined) {
    runUrl = `${serverUrl}/${repository}/actions/runs/${runId}${runAttempt > 1 ? `/attempts/${runAttempt}` : ''}`;
  }
  const prNumber = pullRequestNumber(read('GITHUB_EVENT_PATH'));
  return {
    repository,
    owner: read('GITHUB_REPOSITORY_OWNER') ?? owner,
    repo,
    sha: read('GITHUB_SHA') ?? 'unknown',
    ref: read('GITHUB_REF') ?? '',
    runId: runId ?? 'local',
    runAttempt,
    runUrl,
    serverUrl,
    apiUrl: (read('GITHUB_API_URL') ?? 'https://api.github.com').replace(/\/+$/, ''),
    workflow: read('GITHUB_WORKFLOW') ?? 'local',
    job: read('GITHUB_JOB') ?? 'local',
    actor: read('GITHUB_ACTOR') ?? read('USER') ?? 'local',
    eventName: read('GITHUB_EVENT_NAME') ?? 'local',
    ...(prNumber === undefined ? {} : { prNumber }),
    workspace: read('GITHUB_WORKSPACE') ?? process.cwd(),
    runnerTemp: read('RUNNER_TEMP') ?? os.tmpdir(),
  };
}

interface EventPayload {
  pull_request?: { number?: unknown };
  issue?: { number?: unknown; pull_request?: unknown };
  workflow_run?: { pull_requests?: { number?: unknown }[] };
}

// A missing or unreadable payload only means there is no PR to report on; it must never fail the run.
function pullRequestNumber(eventPath: string | undefined): number | undefined {
  if (eventPath === undefined) return undefined;
  let payload: EventPayload;
  try {
    payload = JSON.parse(readFileSync(eventPath, 'utf8')) as EventPayload;
  } catch {
    return undefined;
  }
  if (typeof payload !== 'object' || payload === null) return undefined;
  const candidate =
    payload.pull_request?.number ??
    (payload.issue?.pull_request ? payload.issue.number : undefined) ??
    // A workflow_run after a same-repository PR is how fork-safe reporting workflows find their PR.
    payload.workflow_run?.pull_requests?.[0]?.number;
  return typeof candidate === 'number' && Number.isSafeInteger(candidate) && candidate > 0 ? candidate : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Tags

export interface Tag {
  Key: string;
  Value: string;
}

const TAG_KEY_MAX = 128;
const TAG_VALUE_MAX = 256;
const MAX_TAGS = 50;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const TAG_BAD_CHAR = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;
const TAG_PREFIX = 'mlops-actions:';

export interface StandardTagOptions {
  /** The action creating the resource, e.g. 'train'. */
  action?: string;
  /** User tags (the 'tags' input); checked, not rewritten, since the user should see what AWS will store. */
  tags?: Record<string, string>;
}

/** `mlops-actions:repo|sha|run|action` tags, then the user's. */
export function standardTags(ctx: RunContext, extra: StandardTagOptions = {}): Tag[] {
  const tags: Tag[] = [
    { Key: `${TAG_PREFIX}repo`, Value: tagValue(ctx.repository) },
    { Key: `${TAG_PREFIX}sha`, Value: tagValue(ctx.sha) },
    { Key: `${TAG_PREFIX}run`, Value: tagValue(ctx.runUrl || ctx.runId) },
  ];
  if (extra.action) tags.push({ Key: `${TAG_PREFIX}action`, Value: tagValue(extra.action) });
  const ours = tags.length;
  const problems: string[] = [];
  for (const [key, value] of Object.entries(extra.tags ?? {})) {
    const problem = userTagProblem(key, value);
    if (problem) problems.push(`Input 'tags' has an invalid tag ${JSON.stringify(key)}: ${problem}`);
    else tags.push({ Key: key, Value: value });
  }
  if (problems.length === 0 && tags.length > MAX_TAGS) {
    problems.push(
      `Input 'tags' has too many tags (${tags.length - ours}): AWS allows ${MAX_TAGS} per resource and ${ours} are ours`,
    );
  }
  if (problems.length > 0) throw new ConfigurationError(problems, { input: 'tags' });
  return tags;
}

function tagValue(text: string): string {
  return text.replace(TAG_BAD_CHAR, '_').slice(0, TAG_VALUE_MAX);
}

function userTagProblem(key: string, value: string): string | undefined {
  if (key.toLowerCase().startsWith('aws:')) return "the 'aws:' prefix is reserved by AWS";
  if (key.startsWith(TAG_PREFIX)) return `the '${TAG_PREFIX}' prefix is reserved for the tags this action sets`;
  if (key.length === 0 || key.length > TAG_KEY_MAX) return `a key has 1 to ${TAG_KEY_MAX} characters`;
  if (value.length > TAG_VALUE_MAX) return `a value has at most ${TAG_VALUE_MAX} characters`;
  if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value)) {
    return 'keys and values may hold only letters, digits, spaces and _ . : / = + - @';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Resource names

/** SageMaker's name pattern for jobs, models, endpoints and their configs (at most 63 characters). */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const SAGEMAKER_NAME_MAX = 63;
const HASH_LENGTH = 6;

export interface ResourceNameOptions {
  /** Appended to tell apart several resources of one kind in one run (a variant, a channel, a retry). */
  unique?: string;
  /** Some resources take shorter names (hyperparameter tuning jobs: 32). Default 63. */
  maxLength?: number;
}

/** `<prefix>-<runId>-<attempt>[-<unique>]`: the same run gives the same name, so a re-attached step finds its job. */
export function resourceName(prefix: string, ctx: RunContext, options: ResourceNameOptions = {}): string {
  const maxLength = options.maxLength ?? SAGEMAKER_NAME_MAX;
  if (!Number.isInteger(maxLength) || maxLength < 2 * HASH_LENGTH || maxLength > SAGEMAKER_NAME_MAX) {
    throw new RangeError(`maxLength must be a whole number from ${2 * HASH_LENGTH} to ${SAGEMAKER_NAME_MAX}`);
  }
  const head = nameSafe(prefix);
  const tail = [ctx.runId, String(ctx.runAttempt), options.unique ?? ''].map(nameSafe).filter(Boolean).join('-');
  const full = [head, tail].filter(Boolean).join('-');
  if (full.length <= maxLength) return full;

  // Too long: shorten the prefix first, since the run part is what keeps names apart, and end with a hash of the
  // full name so two long names cut to the same text still differ.
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  const room = maxLength - HASH_LENGTH - 1;
  const headRoom = room - tail.length - 1;
  const body = headRoom >= 1 ? [trimDashes(head.slice(0, headRoom)), tail].filter(Boolean).join('-') : full;
  return `${trimDashes(body.slice(0, room))}-${hash}`;
}

function nameSafe(text: string): string {
  return trimDashes(text.replace(/[^a-zA-Z0-9-]+/g, '-').replace(/-{2,}/g, '-'));
}

function trimDashes(text: string): string {
  return text.replace(/^-+|-+$/g, '');
}

/** For names a user gives: refuses what SageMaker would refuse, before anything is created. */
export function assertResourceName(name: string, input: string, maxLength = SAGEMAKER_NAME_MAX): void {
  if (name.length <= maxLength && SAGEMAKER_NAME_PATTERN.test(name)) return;
  throw new ConfigurationError(
    `Input '${input}' has an invalid value ${JSON.stringify(name)}: SageMaker names must match ` +
      `${SAGEMAKER_NAME_PATTERN.source} (letters, digits and hyphens, starting and ending with a letter or digit, ` +
      `at most ${maxLength} characters)`,
    { input },
  );
}
