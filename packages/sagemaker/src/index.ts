// @mlops-actions/sagemaker: SageMaker operations and their local backends. No @actions/* here: options objects,
// AbortSignals and the core Logger interface in, plain results or ConfigurationError / DataError out.
export {
  imageTables,
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
  encodeHyperparameterValue,
  HYPERPARAMETER_LIMITS,
  type BuildHyperparametersOptions,
  type HyperparameterEncoding,
  type ScriptModeSettings,
} from './hyperparameters.js';
export {
  collectTree,
  createEntryPointArchive,
  createSourceArchive,
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
export { compileMetricDefinitions, MetricCollector, type MetricDefinition, type MetricObservation } from './metrics.js';
export {
  containerPaths,
  hostIndependentToolkitVariables,
  inputDataConfig,
  resourceConfig,
  toolkitEnvironment,
  type ContainerPaths,
  type ToolkitEnvironment,
  type ToolkitEnvironmentOptions,
} from './training-environment.js';
export {
  runLocalTraining,
  TrainingFailedError,
  type ArchiveSummary,
  type LocalTrainingOptions,
  type LocalTrainingResult,
} from './local-training.js';
export { stopProcessGroup } from './process-group.js';
export {
  parsePythonJson,
  pythonFloatRepr,
  pythonJsonDumps,
  pythonStr,
  toPyValue,
  type PyValue,
} from './python-values.js';
export * from './registry/file-registry.js';
export * from './registry/model-registry.js';
export * from './training/index.js';
