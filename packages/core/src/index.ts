// @mlops-actions/core: what every action shares, free of the Actions toolkit so the data and sagemaker packages and
// CLIs can use it. The toolkit-bound half (run wrapper, job summary, PR comment, artifacts) is '@mlops-actions/core/action'.
export * from './errors.js';
export * from './logger.js';
export * from './inputs.js';
export * from './context.js';
export * from './storage.js';
export * from './aws.js';
export * from './wait.js';
export * from './markdown.js';
export * from './version.js';
