import { inputs, KMS_KEY_INPUT } from '@mlops-actions/core';

const HOUR_MS = 3_600_000;
/** CreateTrainingJob's MaxRuntimeInSeconds limit: 28 days. */
const MAX_RUNTIME_MS = 28 * 24 * HOUR_MS;

export const inputSpec = {
  backend: inputs.enum(['sagemaker', 'local'] as const, { default: 'sagemaker' }),

  // What runs
  'image-uri': inputs.string({ maxLength: 255 }),
  framework: inputs.string(),
  'framework-version': inputs.string(),
  'py-version': inputs.string(),
  'base-framework-version': inputs.string(),
  command: inputs.string(),
  'source-dir': inputs.string(),
  'entry-point': inputs.string(),
  'source-dir-size-limit': inputs.int({ default: '100', min: 1, max: 10_240 }),

  // Data and hyperparameters
  inputs: inputs.map({ values: 'any' }),
  hyperparameters: inputs.map({ values: 'any' }),
  'hyperparameter-encoding': inputs.enum(['auto', 'json', 'raw'] as const, { default: 'auto' }),
  'metric-definitions': inputs.map(),
  environment: inputs.map(),

  // Where things go
  'output-path': inputs.uri(),
  'code-location': inputs.uri({ kind: 's3' }),
  'work-dir': inputs.string(),

  // The job
  'job-name': inputs.string(),
  'job-name-prefix': inputs.string(),
  region: inputs.string(),
  'role-arn': inputs.string(),
  'instance-type': inputs.string({ default: 'ml.m5.xlarge' }),
  'instance-count': inputs.int({ default: '1', min: 1 }),
  'volume-size': inputs.int({ default: '30', min: 1, max: 16_384 }),
  'max-runtime': inputs.duration({ default: '24h', min: 1_000, max: MAX_RUNTIME_MS }),
  spot: inputs.bool({ default: 'false' }),
  'max-wait': inputs.duration({ min: 1_000, max: MAX_RUNTIME_MS }),
  'checkpoint-uri': inputs.uri({ kind: 's3' }),
  subnets: inputs.list(),
  'security-group-ids': inputs.list(),
  'kms-key': inputs.string(KMS_KEY_INPUT),
  'volume-kms-key': inputs.string(KMS_KEY_INPUT),
  'network-isolation': inputs.bool({ default: 'false' }),
  tags: inputs.map(),
  tuning: inputs.map({ values: 'any' }),

  // Waiting
  wait: inputs.bool({ default: 'true' }),
  attach: inputs.string(),
  timeout: inputs.duration({ default: '6h', min: 1_000 }),
  'stop-on-cancel': inputs.bool({ default: 'true' }),
};
