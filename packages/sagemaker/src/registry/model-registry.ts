// SageMaker Model Registry look-ups for champion/challenger gates.
import {
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackagesCommand,
  type DescribeModelPackageCommandOutput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { ConfigurationError } from '@mlops-actions/core';
import { isNotFoundError, operationError } from '../training/shared.js';

export interface ModelPackageSummary {
  arn: string;
  group: string;
  version: number;
  status: string;
  /** ModelMetrics.ModelQuality.Statistics.S3Uri: the evaluation report registered with the package. */
  metricsUri?: string;
  metadata: Record<string, string>;
  modelData?: string;
  description: DescribeModelPackageCommandOutput;
}

/**
 * The Approved package with the highest version in a group, or undefined when none is approved yet. Pending and
 * Rejected packages are never champions. A missing group is a ConfigurationError naming `input`.
 */
export async function latestApprovedModelPackage(
  client: SageMakerClient,
  group: string,
  input = 'champion',
  signal?: AbortSignal,
): Promise<ModelPackageSummary | undefined> {
  try {
    await client.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: group }), {
      abortSignal: signal,
    });
  } catch (error) {
    // SageMaker answers other problems (a malformed name among them) with ValidationException too.
    if (isNotFoundError(error)) {
      throw new ConfigurationError(
        `Input '${input}': model package group "${group}" does not exist in this account and region`,
        { input },
      );
    }
    throw operationError(error, `Describing model package group ${group}`, signal);
  }
  let best: { arn: string; version: number } | undefined;
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListModelPackagesCommand({
        ModelPackageGroupName: group,
        ModelApprovalStatus: 'Approved',
        SortBy: 'CreationTime',
        SortOrder: 'Descending',
        MaxResults: 100,
        NextToken: nextToken,
      }),
      { abortSignal: signal },
    );
    for (const summary of page.ModelPackageSummaryList ?? []) {
      if (summary.ModelApprovalStatus !== 'Approved' || !summary.ModelPackageArn) continue;
      const version = summary.ModelPackageVersion ?? 0;
      if (!best || version > best.version) best = { arn: summary.ModelPackageArn, version };
    }
    nextToken = page.NextToken;
  } while (nextToken);
  if (!best) return undefined;

  const description = await client.send(new DescribeModelPackageCommand({ ModelPackageName: best.arn }), {
    abortSignal: signal,
  });
  return {
    arn: best.arn,
    group,
    version: description.ModelPackageVersion ?? best.version,
    status: description.ModelApprovalStatus ?? 'Approved',
    metricsUri: description.ModelMetrics?.ModelQuality?.Statistics?.S3Uri,
    metadata: description.CustomerMetadataProperties ?? {},
    modelData: description.InferenceSpecification?.Containers?.[0]?.ModelDataUrl,
    description,
  };
}
