// SageMaker training jobs and hyperparameter tuning jobs on AWS: request builders, idempotent starts, waits with live
// CloudWatch logs and cancellation, and the outputs read from the finished job.
export {
  buildCreateTrainingJobRequest,
  describeTrainingJobIfExists,
  startOrAttachTrainingJob,
  trainingRequestDifferences,
  TRAINING_JOB_INPUTS,
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
  TrainingJobFailedError,
  TrainingJobStoppedError,
  waitForTrainingJob,
  type WaitForTrainingJobOptions,
} from './wait-training.js';
export {
  hostOf,
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
export { oneLine } from './shared.js';
export {
  downloadChannel,
  stageLocalChannel,
  uploadSourceArchive,
  uploadSourceFiles,
  type DownloadChannelOptions,
  type StageChannelOptions,
  type UploadedTree,
  type UploadSourceArchiveOptions,
  type UploadSourceFilesOptions,
} from './staging.js';
export { stopJobIfRunning, type JobKind, type StopIfRunningOptions, type StopIfRunningResult } from './stop.js';
