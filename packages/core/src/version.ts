// The suite's version, sent in every AWS user agent. A unit test keeps it equal to the root package.json.
export const MLOPS_ACTIONS_VERSION = '0.1.0';
