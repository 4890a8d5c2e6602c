import { inputs, KMS_KEY_INPUT } from '@mlops-actions/core';
import { DATA_FORMATS } from '@mlops-actions/data/readers';

export const inputSpec = {
  data: inputs.string({ required: true }),
  format: inputs.enum(['auto', ...DATA_FORMATS], { default: 'auto' }),
  header: inputs.enum(['auto', 'true', 'false'] as const, { default: 'auto' }),
  // No default: left unset, the reader picks a tab for `.tsv` files and `tsv` format, a comma otherwise.
  delimiter: inputs.string({
    pattern: /^(?:[^"\r\n]|\\t)$/,
    patternDescription: 'one character other than a quote or line break, or \\t',
  }),
  'capture-side': inputs.enum(['input', 'output'] as const, { default: 'input' }),
  strict: inputs.bool({ default: 'false' }),
  'max-field-size': inputs.int({ default: '1048576', min: 1024, max: 256 * 1024 * 1024 }),
  'baseline-statistics': inputs.uri(),
  'baseline-constraints': inputs.uri(),
  rules: inputs.uri(),
  output: inputs.uri(),
  'kms-key': inputs.string(KMS_KEY_INPUT),
  'fail-on-violation': inputs.bool({ default: 'true' }),
  'job-summary': inputs.bool({ default: 'true' }),
  'pr-comment': inputs.bool({ default: 'false' }),
  'comment-key': inputs.string({
    default: 'default',
    pattern: /^[A-Za-z0-9._-]{1,64}$/,
    patternDescription: '1-64 letters, digits, dots, underscores or hyphens',
  }),
  'github-token': inputs.string({ default: '${{ github.token }}', secret: true }),
  'artifact-name': inputs.string(),
  region: inputs.string(),
  workers: inputs.string({
    default: 'auto',
    pattern: /auto|[0-9]{1,2}/,
    patternDescription: '`auto` (one per CPU, at most 8) or a number of threads from 0 to 99',
  }),
};
