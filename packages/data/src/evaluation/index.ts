// The pure core of the evaluate-gate action: metrics documents, metrics computed from predictions, and the
// champion/challenger rule language. Free of the Actions toolkit.
export * from './metrics.js';
export * from './compute.js';
export * from './rules.js';
export {
  bootstrap,
  quantileOfSorted,
  resampleWeights,
  createResampleScratch,
  Xoshiro128StarStar,
} from './bootstrap.js';
export type {
  BootstrapInterval,
  BootstrapResult,
  BootstrapSettings,
  ResampleScratch,
  WeightedStatistics,
} from './bootstrap.js';
export { parseJson, JsonSyntaxError, JsonDuplicateKeyError } from '../json.js';
export type { JsonObject, JsonReadOptions, JsonValue } from '../json.js';
