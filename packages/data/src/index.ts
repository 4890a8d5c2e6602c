// @mlops-actions/data: the pure data engine of validate-data — sketches, mergeable profiles, Model Monitor files,
// baseline checks and user rules. No @actions/* here: readers feed values in, callers write the files out.
export * from './values.js';
export * from './kll.js';
export * from './hyperloglog.js';
export * from './frequent-values.js';
export * from './value-checks.js';
export * from './profile.js';
export * from './distance.js';
export * from './format.js';
export * from './json.js';
export * from './model-monitor.js';
export * from './checks.js';
export * from './rules.js';
