// SageMaker training jobs and hyperparameter tuning jobs on AWS: request builders, idempotent starts, waits with live
// CloudWatch logs and cancellation, and the outputs read from the finished job.
export {
  buildCreateTrainingJobRequest,
  describeTrainingJobIfExists,
  startOrAttachTrainingJob,
  trainingRequestDifferences,
  TRAINING_JOB_DEFAULTS,
  TRAINING_JOB_INPUTS,
  TRAINING_JOB_LIMITS,
  type S3DistributionName,
  type CheckpointOptions,
  type SpotTrainingOptions,
  type StartedTrainingJob,
  type StartTrainingJobOptions,
  type TrainingChannel,
  type TrainingInputModeName,
  type TrainingJobRequestOptions,
} from './training-job.js';
export {
  failedMessage,
  stoppedMessage,
  TRAINING_TERMINAL_STATUSES,
  TrainingJobFailedError,
  TrainingJobStoppedError,
  waitForTrainingJob,
  type WaitForTrainingJobOptions,
} from './wait-training.js';
export {
  hostOf,
  LOG_STREAM_DEFAULTS,
  SeenEvents,
  TRAINING_LOG_GROUP,
  TrainingLogStreamer,
  type LogPollOptions,
  type TrainingLogStreamerOptions,
} from './log-stream.js';
export {
  buildCreateHyperParameterTuningJobRequest,
  describeTuningJobIfExists,
  startOrAttachTuningJob,
  TUNING_INPUT,
  TUNING_LIMITS,
  TUNING_TERMINAL_STATUSES,
  TuningJobFailedError,
  tuningJobNameFor,
  tuningRequestDifferences,
  waitForTuningJob,
  type StartedTuningJob,
  type StartTuningJobOptions,
  type TuningRequestOptions,
  type TuningResult,
  type TuningStrategy,
  type WaitForTuningJobOptions,
} from './tuning.js';
export {
  spotSavingsPercent,
  trainingActionOutputs,
  trainingJobConsoleUrl,
  trainingJobOutputs,
  tuningJobConsoleUrl,
  type TrainingJobOutputs,
} from './outputs.js';
export { CANCEL_DEFAULTS } from './shared.js';
export {
  downloadChannel,
  stageLocalChannel,
  STAGING_CONCURRENCY,
  uploadSourceArchive,
  uploadSourceFiles,
  uploadTree,
  type DownloadChannelOptions,
  type StageChannelOptions,
  type UploadedTree,
  type UploadSourceArchiveOptions,
  type UploadSourceFilesOptions,
} from './staging.js';
export { stopJobIfRunning, type JobKind, type StopIfRunningOptions, type StopIfRunningResult } from './stop.js';
