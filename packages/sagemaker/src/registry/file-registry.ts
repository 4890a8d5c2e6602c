// A model registry kept at any storage location (a folder or an s3:// prefix), with the fields of SageMaker's Model
// Registry, so the local mode has the same champion/challenger flow as the cloud one.
//
// Layout: <root>/<group>/index.json lists the versions; <root>/<group>/versions/<N>.json holds each version whole.
// Registration is read-modify-write: two workflows registering into one group at once can race, so run them in one
// GitHub Actions `concurrency` group (S3 has no compare-and-swap for us to lean on).
import { ConfigurationError, DataError, SAGEMAKER_NAME_PATTERN, type Storage } from '@mlops-actions/core';

export const APPROVAL_STATUSES = ['Approved', 'Rejected', 'PendingManualApproval'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface RegistryVersion {
  group: string;
  version: number;
  status: ApprovalStatus;
  createdAt: string;
  /** The model artifact, as in SageMaker's InferenceSpecification. */
  modelData?: string;
  /** Model quality metrics, a flat map or a SageMaker Pipelines evaluation report. */
  metrics?: unknown;
  /** Where the metrics document lives, like ModelMetrics.ModelQuality.Statistics.S3Uri. */
  metricsUri?: string;
  /** Like CustomerMetadataProperties: scalars only. */
  metadata?: Record<string, string>;
  /** Like DriftCheckBaselines: locations of statistics.json / constraints.json. */
  driftCheckBaselines?: { statistics?: string; constraints?: string };
}

interface RegistryIndex {
  group: string;
  versions: { version: number; status: ApprovalStatus; createdAt: string }[];
}

export class FileRegistry {
  constructor(
    private readonly storage: Storage,
    readonly root: string,
    /** The input the group name came from, named by the error for an invalid one. */
    readonly input = 'champion',
  ) {}

  private indexUri(group: string): string {
    return this.storage.join(this.root, group, 'index.json');
  }

  private versionUri(group: string, version: number): string {
    return this.storage.join(this.root, group, 'versions', `${version}.json`);
  }

  async hasGroup(group: string): Promise<boolean> {
    return this.storage.exists(this.indexUri(checkGroup(group, this.input)));
  }

  async versions(group: string): Promise<RegistryIndex['versions']> {
    const uri = this.indexUri(checkGroup(group, this.input));
    if (!(await this.storage.exists(uri))) return [];
    const index = await this.storage.readJson<RegistryIndex>(uri);
    if (!index || !Array.isArray(index.versions)) throw new DataError('is not a model registry index', { file: uri });
    return index.versions;
  }

  async get(group: string, version: number): Promise<RegistryVersion> {
    return this.storage.readJson<RegistryVersion>(this.versionUri(checkGroup(group, this.input), version));
  }

  /** The Approved version with the highest number, as SageMaker's "latest approved" model package. */
  async latestApproved(group: string): Promise<RegistryVersion | undefined> {
    const approved = (await this.versions(group)).filter((v) => v.status === 'Approved');
    if (approved.length === 0) return undefined;
    const latest = approved.reduce((a, b) => (b.version > a.version ? b : a));
    return this.get(group, latest.version);
  }

  async register(
    entry: Omit<RegistryVersion, 'version' | 'createdAt'> & { createdAt?: string },
  ): Promise<RegistryVersion> {
    const group = checkGroup(entry.group, this.input);
    const versions = await this.versions(group);
    const version = versions.reduce((max, v) => Math.max(max, v.version), 0) + 1;
    const record: RegistryVersion = {
      ...entry,
      group,
      version,
      createdAt: entry.createdAt ?? new Date().toISOString(),
    };
    // The version file first: an index never points at a version that is not there.
    await this.storage.write(this.versionUri(group, version), JSON.stringify(record, null, 2) + '\n', {
      contentType: 'application/json',
    });
    const index: RegistryIndex = {
      group,
      versions: [...versions, { version, status: record.status, createdAt: record.createdAt }],
    };
    await this.storage.write(this.indexUri(group), JSON.stringify(index, null, 2) + '\n', {
      contentType: 'application/json',
    });
    return record;
  }
}

function checkGroup(group: string, input: string): string {
  // The pattern alone does not bound the length: any number of hyphens may sit between two characters.
  if (group.length > 63 || !SAGEMAKER_NAME_PATTERN.test(group)) {
    throw new ConfigurationError(
      `Input '${input}': model group name "${group}" is invalid: use 1-63 letters, digits and hyphens, starting and ending with a letter or digit`,
      { input },
    );
  }
  return group;
}
