// Every action that writes to S3 takes `kms-key`, read the same way: a KMS key id, alias or ARN, or no key at all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inputSpec as evaluateGate } from '../../../actions/evaluate-gate/src/inputs.js';
import { inputSpec as train } from '../../../actions/train/src/inputs.js';
import { inputSpec as validateData } from '../../../actions/validate-data/src/inputs.js';
import { ConfigurationError } from '../../../packages/core/src/errors.js';
import { type InputSpec, parseInputs } from '../../../packages/core/src/inputs.js';

const specs: Record<string, InputSpec> = { train, 'validate-data': validateData, 'evaluate-gate': evaluateGate };
// The inputs the actions require besides, so only kms-key decides the outcome.
const required: Record<string, string> = { data: 'data.csv', rules: 'f1 > 0.8' };

const KEYS = [
  '1234abcd-12ab-34cd-56ef-1234567890ab',
  'mrk-1234abcd12ab34cd56ef1234567890ab',
  'alias/ml/models',
  'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  'arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/models',
];

for (const [action, spec] of Object.entries(specs)) {
  describe(`${action}: kms-key`, () => {
    const read = (raw: string | undefined) =>
      parseInputs(spec, (name) => (name === 'kms-key' ? raw : required[name]))['kms-key'];

    it('takes a key id, alias or ARN as written, trimmed', () => {
      for (const key of KEYS) assert.equal(read(key), key);
      assert.equal(read('  alias/models\n'), 'alias/models');
    });

    it('reads an empty or blank value as no key', () => {
      for (const raw of [undefined, '', '  \n ']) assert.equal(read(raw), undefined);
    });

    it('refuses anything else in one sentence naming the input', () => {
      for (const [raw, expected] of [
        ['alias/my key', /^Input 'kms-key' has an invalid value "alias\/my key": expected a KMS key id, alias or ARN$/],
        ['{"KeyId": "abc"}', /expected a KMS key id, alias or ARN$/],
        [`alias/${'k'.repeat(2043)}`, /expected at most 2048 characters, got 2049$/],
      ] as const) {
        assert.throws(
          () => read(raw),
          (error: unknown) => {
            assert.ok(error instanceof ConfigurationError, String(error));
            assert.equal(error.input, 'kms-key');
            assert.match(error.message, expected);
            return true;
          },
        );
      }
    });
  });
}
