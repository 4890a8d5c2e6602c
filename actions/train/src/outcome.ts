// What either backend reports back to main: the outputs, what the summary shows, and the failure to end the step with.
import { trainingActionOutputs, type TrainingJobOutputs } from '@mlops-actions/sagemaker';

export interface TrainingOutcome {
  backend: 'sagemaker' | 'local';
  /** The training job (the best one, after tuning). */
  jobName: string;
  /** '' for local runs. */
  jobArn: string;
  /** SageMaker's TrainingJobStatus (or the tuning job's, when no training job was picked); local: Completed/Failed. */
  status: string;
  outputs: TrainingJobOutputs;
  tuningJobName?: string;
  /** The last log lines, for the summary of a failed job. */
  logTail: string[];
  /** Rows for the summary beyond the outputs: image, instances, code, data. */
  facts: [label: string, value: string][];
  /** Set when the job failed or was stopped: main writes outputs and summary, then fails the step with it. */
  failure?: Error;
}

export const EMPTY_OUTPUTS: TrainingJobOutputs = {
  modelData: undefined,
  metrics: {},
  trainingSeconds: undefined,
  billableSeconds: undefined,
  spotSavings: undefined,
  consoleUrl: undefined,
};

/** Every output of action.yml, as strings; '' for what is unknown. */
export function actionOutputs(outcome: TrainingOutcome): Record<string, string> {
  return {
    'job-name': outcome.jobName,
    'job-arn': outcome.jobArn,
    status: outcome.status,
    ...trainingActionOutputs(outcome.outputs),
    'tuning-job-name': outcome.tuningJobName ?? '',
  };
}
