// The runner-protocol harness, tested on a probe action bundled exactly like the real ones.
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { buildFixtureAction } from '../harness/fixture-actions.js';
import { parseFileCommand, runActionBundle } from '../harness/runner.js';
import { repoRoot } from '../../scripts/lib/paths.js';

let probe: string;
before(async () => {
  probe = await buildFixtureAction(path.join(repoRoot, 'test', 'harness', 'probe-action'));
});

describe('runner protocol harness', () => {
  it('parses NAME=value and NAME<<DELIMITER file commands as the runner does', () => {
    const parsed = parseFileCommand('a=1\nb<<EOF\nline 1\n\nline 3\nEOF\nc=x=y\n');
    assert.deepEqual(parsed, { a: '1', b: 'line 1\n\nline 3', c: 'x=y' });
    assert.throws(() => parseFileCommand('b<<EOF\nunterminated\n'), /no closing delimiter/);
  });

  it('keeps multi-line outputs intact and applies action.yml defaults, evaluating expressions', async () => {
    const message = 'first line\nsecond line with = and <<EOF\n\nlast';
    const result = await runActionBundle(probe, { inputs: { message } });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.equal(result.outputs.echo, message);
    assert.equal(result.outputs.repository, 'octo-org/ml-repo');
    assert.match(result.summary, /## probe\n\nfirst line/);
  });

  it('masks a secret input before it is ever printed', async () => {
    const result = await runActionBundle(probe, { inputs: { message: 'x' } });
    const mask = result.commands.find((c) => c.command === 'add-mask');
    assert.ok(mask, 'no ::add-mask:: command');
    const token = mask.message;
    assert.ok(
      result.stdout.indexOf(`::add-mask::${token}`) < result.stdout.indexOf(`token length ${token.length}: ${token}`),
    );
  });

  it('hands state saved by main to post as STATE_*', async () => {
    const main = await runActionBundle(probe, { inputs: { message: 'hello' } });
    assert.equal(main.state.resource, 'probe-5');
    const post = await runActionBundle(probe, { stage: 'post', state: main.state });
    assert.equal(post.exitCode, 0, post.stdout + post.stderr);
    assert.equal(post.outputs.cleaned, 'probe-5');
  });

  it('ends a run on SIGINT with the abort handled', async () => {
    const result = await runActionBundle(probe, {
      inputs: { message: 'long job', mode: 'wait' },
      cancel: { signal: 'SIGINT', whenStdoutIncludes: 'waiting for cancellation' },
      timeoutMs: 30_000,
    });
    assert.equal(result.signal, null, 'the process should exit on its own, not be killed');
    assert.equal(result.exitCode, 1);
    assert.equal(result.outputs.aborted, 'true');
    assert.match(result.stdout, /Received SIGINT: cancelling/);
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0]!, /^Cancelled/);
    assert.ok(result.durationMs < 20_000, `took ${result.durationMs} ms to stop`);
  });

  it('fails with one error line naming a missing required input', async () => {
    const result = await runActionBundle(probe, {});
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.errors, ['Input required and not supplied: message']);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /, 'no stack trace for a user error');
  });

  it('reports user errors without a stack and internal errors with the stack in debug output only', async () => {
    const user = await runActionBundle(probe, { inputs: { message: 'x', mode: 'fail-user' } });
    assert.equal(user.exitCode, 1);
    assert.deepEqual(user.errors, ["Input 'mode' asked for a user error"]);
    const internal = await runActionBundle(probe, { inputs: { message: 'x', mode: 'fail-internal' } });
    assert.equal(internal.exitCode, 1);
    assert.match(internal.errors[0]!, /^Internal error: an internal bug/);
    const debug = internal.commands
      .filter((c) => c.command === 'debug')
      .map((c) => c.message)
      .join('\n');
    assert.match(debug, /TypeError: an internal bug\n\s+at /);
  });

  it('rejects an invalid enum value naming the input, the value and what is accepted', async () => {
    const result = await runActionBundle(probe, { inputs: { message: 'x', mode: 'sprint' } });
    assert.equal(result.exitCode, 1);
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0]!, /mode/);
    assert.match(result.errors[0]!, /sprint/);
    assert.match(result.errors[0]!, /echo/);
  });
});
