// What a run is about: the event and its payload, workflow_dispatch inputs, and the `github` context and GITHUB_*
// variables derived from them. Locally there is no GitHub to ask, so the repository, commit and branch come from the
// options, else from the workspace's git checkout (read-only), else from placeholders that say they are local.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { EventsConfig, InputConfig } from '@actions/workflow-parser/model/workflow-template';

export class RunSetupError extends Error {}

export interface RunIdentity {
  repository: string;
  sha: string;
  ref: string;
  actor: string;
  runId: string;
  runNumber: string;
}

export interface IdentityOptions {
  repository?: string;
  sha?: string;
  ref?: string;
  actor?: string;
  runId?: string;
}

function git(workspace: string, args: string[]): string | undefined {
  const result = spawnSync('git', ['-C', workspace, ...args], { encoding: 'utf8', timeout: 5_000 });
  return result.status === 0 ? result.stdout.trim() || undefined : undefined;
}

/** owner/name from a GitHub remote URL (https or ssh). */
export function repositoryFromRemote(url: string | undefined): string | undefined {
  const match = url && /github\.com[:/]([^/]+\/[^/]+?)(?:\.git)?$/.exec(url);
  return match ? match[1] : undefined;
}

export function resolveIdentity(workspace: string, options: IdentityOptions): RunIdentity {
  const branch = git(workspace, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  const localName = path.basename(workspace).replace(/[^A-Za-z0-9_.-]/g, '-') || 'workspace';
  return {
    repository:
      options.repository ??
      repositoryFromRemote(git(workspace, ['remote', 'get-url', 'origin'])) ??
      `local/${localName}`,
    sha: options.sha ?? git(workspace, ['rev-parse', 'HEAD']) ?? '0'.repeat(40),
    ref: options.ref ?? `refs/heads/${branch ?? 'main'}`,
    actor: options.actor ?? process.env.USER ?? 'local',
    // Unique per run, so the default training job name (<repo>-<run id>-<attempt>) never collides between runs.
    runId: options.runId ?? String(Date.now()),
    runNumber: '1',
  };
}

/**
 * The event's payload: the one given, else a minimal one with the fields actions read (the PR number, the dispatch
 * inputs, the cron), marked `local: true` so nobody mistakes it for a real delivery.
 */
export function eventPayload(
  event: string,
  events: EventsConfig,
  identity: RunIdentity,
  inputs: Record<string, string>,
  given?: Record<string, unknown>,
): Record<string, unknown> {
  if (given) return given;
  const [owner, name] = identity.repository.split('/');
  const repository = { full_name: identity.repository, name, owner: { login: owner }, default_branch: 'main' };
  const base = { local: true, repository, sender: { login: identity.actor } };
  switch (event) {
    case 'pull_request':
    case 'pull_request_target':
      return {
        ...base,
        action: 'synchronize',
        number: 1,
        pull_request: {
          number: 1,
          head: { ref: 'local', sha: identity.sha },
          base: { ref: 'main', sha: identity.sha },
        },
      };
    case 'workflow_dispatch':
      return { ...base, ref: identity.ref, inputs };
    case 'schedule':
      return { ...base, schedule: events.schedule?.[0]?.cron ?? '' };
    case 'repository_dispatch':
      return { ...base, action: 'local', client_payload: {} };
    case 'push':
      return { ...base, ref: identity.ref, before: '0'.repeat(40), after: identity.sha };
    default:
      return base;
  }
}

/**
 * The `inputs` context of a workflow_dispatch run, checked as GitHub checks a dispatch: unknown inputs refused,
 * required ones present, choices among their options, booleans as true/false; defaults applied.
 */
export function dispatchInputs(events: EventsConfig, given: Record<string, string>): Record<string, unknown> {
  const declared: Record<string, InputConfig> = events.workflow_dispatch?.inputs ?? {};
  const problems: string[] = [];
  for (const name of Object.keys(given)) {
    if (!(name in declared)) problems.push(`unexpected input '${name}'`);
  }
  const inputs: Record<string, unknown> = {};
  for (const [name, config] of Object.entries(declared)) {
    const text = given[name] ?? (config.default === undefined ? undefined : String(config.default));
    if (text === undefined || text === '') {
      if (config.required) problems.push(`input '${name}' is required`);
      inputs[name] = config.type === 'boolean' ? false : '';
      continue;
    }
    const type = String(config.type ?? 'string');
    if (type === 'boolean') {
      if (text !== 'true' && text !== 'false') problems.push(`input '${name}' must be true or false, got '${text}'`);
      inputs[name] = text === 'true';
    } else if (type === 'choice' && config.options && !config.options.includes(text)) {
      problems.push(`input '${name}' must be one of ${config.options.join(', ')}, got '${text}'`);
    } else if (type === 'number') {
      if (!Number.isFinite(Number(text))) problems.push(`input '${name}' must be a number, got '${text}'`);
      inputs[name] = Number(text);
    } else {
      inputs[name] = text;
    }
  }
  if (problems.length > 0) throw new RunSetupError(`workflow_dispatch inputs: ${problems.join('; ')}`);
  return inputs;
}

export interface GitHubSetup {
  identity: RunIdentity;
  event: string;
  payload: Record<string, unknown>;
  eventPath: string;
  workflowName: string;
  workflowFile: string;
  workspace: string;
  token: string;
  /** GitHub's REST API; a local stand-in in tests, or GitHub Enterprise Server's. */
  apiUrl: string;
}

/** The `github` context of a job (the step-specific `action` and `action_path` are added per step). */
export function githubContext(setup: GitHubSetup, job: string): Record<string, unknown> {
  const { identity, payload } = setup;
  const pullRequest = payload.pull_request as { head?: { ref?: string }; base?: { ref?: string } } | undefined;
  const refName = identity.ref.replace(/^refs\/(heads|tags)\//, '');
  return {
    token: setup.token,
    job,
    ref: identity.ref,
    ref_name: refName,
    ref_type: identity.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    sha: identity.sha,
    repository: identity.repository,
    repository_owner: identity.repository.split('/')[0],
    repositoryUrl: `git://github.com/${identity.repository}.git`,
    run_id: identity.runId,
    run_number: identity.runNumber,
    run_attempt: '1',
    retention_days: '90',
    actor: identity.actor,
    triggering_actor: identity.actor,
    workflow: setup.workflowName,
    workflow_ref: `${identity.repository}/${setup.workflowFile}@${identity.ref}`,
    event_name: setup.event,
    event: payload,
    event_path: setup.eventPath,
    server_url: 'https://github.com',
    api_url: setup.apiUrl,
    graphql_url: `${setup.apiUrl}/graphql`,
    workspace: setup.workspace,
    head_ref: pullRequest?.head?.ref ?? '',
    base_ref: pullRequest?.base?.ref ?? '',
    secret_source: 'Actions',
  };
}

/** The GITHUB_* variables every step gets, from the `github` context. */
export function githubVariables(github: Record<string, unknown>): Record<string, string> {
  const text = (key: string) => String(github[key] ?? '');
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTOR: text('actor'),
    GITHUB_TRIGGERING_ACTOR: text('triggering_actor'),
    GITHUB_API_URL: text('api_url'),
    GITHUB_BASE_REF: text('base_ref'),
    GITHUB_HEAD_REF: text('head_ref'),
    GITHUB_EVENT_NAME: text('event_name'),
    GITHUB_EVENT_PATH: text('event_path'),
    GITHUB_GRAPHQL_URL: text('graphql_url'),
    GITHUB_JOB: text('job'),
    GITHUB_REF: text('ref'),
    GITHUB_REF_NAME: text('ref_name'),
    GITHUB_REF_TYPE: text('ref_type'),
    GITHUB_REPOSITORY: text('repository'),
    GITHUB_REPOSITORY_OWNER: text('repository_owner'),
    GITHUB_RETENTION_DAYS: text('retention_days'),
    GITHUB_RUN_ATTEMPT: text('run_attempt'),
    GITHUB_RUN_ID: text('run_id'),
    GITHUB_RUN_NUMBER: text('run_number'),
    GITHUB_SERVER_URL: text('server_url'),
    GITHUB_SHA: text('sha'),
    GITHUB_WORKFLOW: text('workflow'),
    GITHUB_WORKFLOW_REF: text('workflow_ref'),
    GITHUB_WORKSPACE: text('workspace'),
  };
}

export function runnerContext(runnerTemp: string, toolCache: string, debug: boolean): Record<string, string> {
  return {
    name: 'local',
    os: { linux: 'Linux', darwin: 'macOS', win32: 'Windows' }[process.platform as string] ?? process.platform,
    arch: { x64: 'X64', arm64: 'ARM64', arm: 'ARM', ia32: 'X86' }[process.arch as string] ?? process.arch,
    temp: runnerTemp,
    tool_cache: toolCache,
    environment: 'self-hosted',
    ...(debug ? { debug: '1' } : {}),
  };
}

export function runnerVariables(runner: Record<string, string>): Record<string, string> {
  return {
    RUNNER_NAME: runner.name!,
    RUNNER_OS: runner.os!,
    RUNNER_ARCH: runner.arch!,
    RUNNER_TEMP: runner.temp!,
    RUNNER_TOOL_CACHE: runner.tool_cache!,
    RUNNER_ENVIRONMENT: runner.environment!,
    ...(runner.debug ? { RUNNER_DEBUG: '1' } : {}),
  };
}
