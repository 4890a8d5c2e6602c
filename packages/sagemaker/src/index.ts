// @mlops-actions/sagemaker: SageMaker operations and their local backends. No @actions/* here: options objects,
// AbortSignals and the core Logger interface in, plain results or ConfigurationError / DataError out.
export {
  IMAGE_INPUTS,
  imageTables,
  instanceFamily,
  knownVersions,
  processorForInstanceType,
  resolveImage,
  resolveImageUri,
  validateInstanceType,
  type Framework,
  type FrameworkTable,
  type HuggingFaceVersionTable,
  type ImageTables,
  type ImageVersionTable,
  type Processor,
  type ResolveImageOptions,
  type ResolvedImage,
} from './image-uris.js';
export {
  buildHyperparameters,
  checkHyperparameterLimits,
  DEFAULT_CONTAINER_LOG_LEVEL,
  encodeHyperparameterValue,
  HYPERPARAMETER_LIMITS,
  RESERVED_PREFIX,
  type BuildHyperparametersOptions,
  type HyperparameterEncoding,
  type ScriptModeSettings,
} from './hyperparameters.js';
export {
  collectTree,
  createEntryPointArchive,
  createSourceArchive,
  DEFAULT_IGNORED_NAMES,
  DEFAULT_SOURCE_MAX_BYTES,
  formatBytes,
  IGNORE_FILE_NAME,
  treeEntries,
  type CollectedFile,
  type CollectedTree,
  type CollectOptions,
  type EntryPointArchiveOptions,
  type SkippedPath,
  type SourceArchive,
  type SourceArchiveOptions,
} from './source-archive.js';
export { FIXED_MTIME_SECONDS, writeTarGz, type TarEntry, type TarGzResult } from './tar.js';
export {
  compileMetricDefinitions,
  METRIC_LIMITS,
  MetricCollector,
  type MetricDefinition,
  type MetricObservation,
} from './metrics.js';
export {
  containerPaths,
  hostIndependentToolkitVariables,
  decodeHyperparameters,
  inputDataConfig,
  resourceConfig,
  toCommandArguments,
  toolkitEnvironment,
  type ContainerPaths,
  type ToolkitEnvironment,
  type ToolkitEnvironmentOptions,
} from './training-environment.js';
export {
  DEFAULT_KILL_GRACE_MS,
  runLocalTraining,
  TrainingFailedError,
  type ArchiveSummary,
  type LocalTrainingOptions,
  type LocalTrainingResult,
} from './local-training.js';
export { groupIsAlive, livingGroupMembers, stopProcessGroup } from './process-group.js';
export {
  parsePythonJson,
  pythonFloatRepr,
  pythonJsonDumps,
  pythonRepr,
  pythonStr,
  toPyValue,
  type PyValue,
} from './python-values.js';
export * from './registry/file-registry.js';
export * from './registry/model-registry.js';
export * from './training/index.js';
