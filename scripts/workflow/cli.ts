// tsx scripts/workflow/cli.ts <workflow.yml> [options]: runs a GitHub Actions workflow on this machine.
// See scripts/workflow/README.md for what is supported. Exit code: 0 when every job succeeded, 1 when one failed,
// 2 when the workflow is invalid, unsupported or the options are wrong, 130 when cancelled.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runWorkflow, RunSetupError, WorkflowFileError } from './run-workflow.js';
import { cancelOnSignals } from './signals.js';

const USAGE = `Usage: tsx scripts/workflow/cli.ts <workflow.yml> [options]

  --event <name>        push (default), pull_request, workflow_dispatch, schedule, repository_dispatch, ...
  --input NAME=VALUE    a workflow_dispatch input (repeatable)
  --var NAME=VALUE      a value of the vars context (repeatable)
  --secret NAME=VALUE   a value of the secrets context, masked in the log (repeatable); GITHUB_TOKEN is github.token
  --payload <file>      the event payload as JSON (default: a minimal local one)
  --workspace <dir>     the checkout the steps run in (default: the current directory)
  --run-dir <dir>       where the run's files go: log.txt, summary.md, result.json, runner temp (default: a temp folder)
  --repository <o/n>    github.repository (default: from the workspace's origin remote)
  --api-url <url>       GITHUB_API_URL (default https://api.github.com)
  --debug               show ::debug:: lines (RUNNER_DEBUG=1)
  --no-color            plain output even on a terminal`;

/** NAME=VALUE options into a map; the value may contain '='. */
function keyValues(values: string[] | undefined, option: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of values ?? []) {
    const equals = item.indexOf('=');
    if (equals <= 0) throw new RunSetupError(`--${option} ${item}: expected NAME=VALUE`);
    result[item.slice(0, equals)] = item.slice(equals + 1);
  }
  return result;
}

/** A wrong --payload is a wrong option (exit 2), not a failed run. */
async function readPayload(file: string): Promise<Record<string, unknown>> {
  let payload: unknown;
  try {
    payload = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new RunSetupError(`--payload ${file}: ${(error as Error).message}`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new RunSetupError(`--payload ${file}: expected a JSON object`);
  }
  return payload as Record<string, unknown>;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      event: { type: 'string', default: 'push' },
      input: { type: 'string', multiple: true },
      var: { type: 'string', multiple: true },
      secret: { type: 'string', multiple: true },
      payload: { type: 'string' },
      workspace: { type: 'string' },
      'run-dir': { type: 'string' },
      repository: { type: 'string' },
      'api-url': { type: 'string' },
      debug: { type: 'boolean', default: false },
      'no-color': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }

  const { signal } = cancelOnSignals();
  const result = await runWorkflow({
    workflowFile: positionals[0]!,
    workspace: path.resolve(values.workspace ?? process.cwd()),
    event: values.event,
    inputs: keyValues(values.input, 'input'),
    vars: keyValues(values.var, 'var'),
    secrets: keyValues(values.secret, 'secret'),
    ...(values.payload ? { payload: await readPayload(values.payload) } : {}),
    ...(values['run-dir'] ? { runDir: values['run-dir'] } : {}),
    ...(values.repository ? { repository: values.repository } : {}),
    ...(values['api-url'] ? { apiUrl: values['api-url'] } : {}),
    debug: values.debug,
    color: !values['no-color'] && process.stdout.isTTY === true && !process.env.NO_COLOR,
    signal,
  });
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof WorkflowFileError) {
      const what = {
        unreadable: 'Cannot read the workflow',
        invalid: 'The workflow is invalid',
        unsupported: 'The workflow cannot run locally',
      }[error.kind];
      console.error(`${what}:\n${error.message}`);
      process.exit(2);
    }
    if (error instanceof RunSetupError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error((error as Error).message);
      process.exit(2);
    }
    console.error(error);
    process.exit(1);
  },
);
