// The train action's outputs, read from the final DescribeTrainingJob answer.
import type { DescribeTrainingJobResponse } from '@aws-sdk/client-sagemaker';

export interface TrainingJobOutputs {
  /** ModelArtifacts.S3ModelArtifacts: `s3://.../<job>/output/model.tar.gz`. */
  modelData: string | undefined;
  /** FinalMetricDataList as `{ name: value }`; the latest value wins when a metric is listed twice. */
  metrics: Record<string, number>;
  trainingSeconds: number | undefined;
  billableSeconds: number | undefined;
  /** Percent saved by managed spot training, one decimal; undefined for on-demand jobs. */
  spotSavings: number | undefined;
  consoleUrl: string | undefined;
}

/** Reads the outputs; the region and partition for the console link come from the job's ARN unless given. */
export function trainingJobOutputs(job: DescribeTrainingJobResponse, region?: string): TrainingJobOutputs {
  const metrics: Record<string, number> = {};
  const latest: Record<string, number> = {};
  for (const metric of job.FinalMetricDataList ?? []) {
    if (!metric.MetricName || metric.Value === undefined) continue;
    const at = metric.Timestamp ? new Date(metric.Timestamp).getTime() : 0;
    if (metric.MetricName in latest && latest[metric.MetricName]! > at) continue;
    latest[metric.MetricName] = at;
    metrics[metric.MetricName] = metric.Value;
  }
  const jobRegion = region ?? regionOf(job.TrainingJobArn);
  return {
    modelData: job.ModelArtifacts?.S3ModelArtifacts,
    metrics,
    trainingSeconds: job.TrainingTimeInSeconds,
    billableSeconds: job.BillableTimeInSeconds,
    spotSavings: job.EnableManagedSpotTraining
      ? spotSavingsPercent(job.TrainingTimeInSeconds, job.BillableTimeInSeconds)
      : undefined,
    consoleUrl: jobRegion && job.TrainingJobName ? trainingJobConsoleUrl(jobRegion, job.TrainingJobName) : undefined,
  };
}

/** The outputs as the action sets them: dashed names, strings, '' for what is unknown, metrics as JSON. */
export function trainingActionOutputs(outputs: TrainingJobOutputs): Record<string, string> {
  const text = (value: number | string | undefined) => (value === undefined ? '' : String(value));
  return {
    'model-data': text(outputs.modelData),
    metrics: JSON.stringify(outputs.metrics),
    'training-seconds': text(outputs.trainingSeconds),
    'billable-seconds': text(outputs.billableSeconds),
    'spot-savings': text(outputs.spotSavings),
    'console-url': text(outputs.consoleUrl),
  };
}

/** (1 - billable / training) x 100, one decimal; undefined when the training time is unknown or zero. */
export function spotSavingsPercent(
  trainingSeconds: number | undefined,
  billableSeconds: number | undefined,
): number | undefined {
  if (!trainingSeconds || billableSeconds === undefined) return undefined;
  const percent = (1 - billableSeconds / trainingSeconds) * 100;
  // Math.round(x * 10) / 10 would give -0 for tiny negative values; normalise it.
  return Math.round(percent * 10) / 10 || 0;
}

/**
 * The job's page in the SageMaker console. Each partition has its own console domain: `<region>.console.aws.amazon.com`,
 * `<region>.console.amazonaws.cn` for the China regions, `console.amazonaws-us-gov.com` for GovCloud.
 */
export function trainingJobConsoleUrl(region: string, jobName: string): string {
  return consoleUrl(region, `/sagemaker/home?region=${region}#/jobs/${encodeURIComponent(jobName)}`);
}

/** The tuning job's page in the SageMaker console. */
export function tuningJobConsoleUrl(region: string, tuningJobName: string): string {
  return consoleUrl(region, `/sagemaker/home?region=${region}#/hyper-tuning-jobs/${encodeURIComponent(tuningJobName)}`);
}

function consoleUrl(region: string, path: string): string {
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn${path}`;
  if (region.startsWith('us-gov-')) return `https://console.amazonaws-us-gov.com${path}`;
  return `https://${region}.console.aws.amazon.com${path}`;
}

/** `arn:aws:sagemaker:eu-west-1:123456789012:training-job/x` -> `eu-west-1`. */
function regionOf(arn: string | undefined): string | undefined {
  return /^arn:[^:]+:sagemaker:([^:]+):/.exec(arn ?? '')?.[1];
}
