// validate-data's `workers`: `auto` (the default, one per CPU) or a number of threads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputSpec } from '../../../actions/validate-data/src/inputs.js';
import { ConfigurationError } from '../../../packages/core/src/errors.js';
import { parseInputs } from '../../../packages/core/src/inputs.js';

const read = (raw: string | undefined) =>
  parseInputs(inputSpec, (name) => (name === 'workers' ? raw : name === 'data' ? 'data.csv' : undefined)).workers;

describe('validate-data: workers', () => {
  it('defaults to auto and takes a number of threads as written', () => {
    assert.equal(read(undefined), 'auto');
    for (const raw of ['auto', '0', '1', '4', '16']) assert.equal(read(raw), raw);
  });

  it('refuses anything else in one sentence naming the input', () => {
    for (const raw of ['many', '-1', '2.5', '100', 'AUTO']) {
      assert.throws(
        () => read(raw),
        (error: unknown) =>
          error instanceof ConfigurationError &&
          error.input === 'workers' &&
          error.message.includes(`"${raw}"`) &&
          error.message.endsWith('expected `auto` (one per CPU, at most 8) or a number of threads from 0 to 99'),
      );
    }
  });
});
