import { inputs, KMS_KEY_INPUT } from '@mlops-actions/core';

export const inputSpec = {
  metrics: inputs.string(),
  predictions: inputs.string(),
  'label-column': inputs.string({ default: 'label' }),
  'prediction-column': inputs.string({ default: 'prediction' }),
  'score-column': inputs.string(),
  task: inputs.enum(['auto', 'classification', 'regression'] as const, { default: 'auto' }),
  'positive-label': inputs.string(),
  'bootstrap-samples': inputs.int({ default: '200', min: 0, max: 100_000 }),
  confidence: inputs.number({ default: '0.95', min: 0.5, max: 0.999 }),
  seed: inputs.int({ default: '42', min: 0, max: 2 ** 32 - 1 }),
  rules: inputs.string({ required: true }),
  champion: inputs.string({ default: 'none' }),
  region: inputs.string(),
  'fail-on-gate': inputs.bool({ default: 'true' }),
  report: inputs.uri(),
  'kms-key': inputs.string(KMS_KEY_INPUT),
  'job-summary': inputs.bool({ default: 'true' }),
  'pr-comment': inputs.enum(['auto', 'true', 'false'] as const, { default: 'auto' }),
  'comment-key': inputs.string({
    default: 'default',
    pattern: /^[A-Za-z0-9._-]{1,64}$/,
    patternDescription: '1-64 letters, digits, dots, underscores or hyphens',
  }),
  'github-token': inputs.string({ default: '${{ github.token }}', secret: true }),
  'training-job': inputs.string(),
};
