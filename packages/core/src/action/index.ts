// @mlops-actions/core/action: the half of core that talks to the GitHub Actions runtime.
export * from './run.js';
export * from './inputs.js';
export * from './summary.js';
export * from './comment.js';
export * from './artifact.js';
