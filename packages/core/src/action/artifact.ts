// Optional upload of the full report (and whatever files go with it) as a workflow artifact. It is a convenience on
// top of the job summary, so it never fails the step: outside the Actions runtime it is skipped, and upload errors
// become warnings.
import type { ArtifactClient, UploadArtifactResponse } from '@actions/artifact';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

export interface UploadReportArtifactOptions {
  name: string;
  /** Absolute paths, or paths relative to the working directory; all under `rootDirectory`. */
  files: readonly string[];
  rootDirectory: string;
  /** 1-90; defaults to the repository's setting. */
  retentionDays?: number;
  logger: Logger;
  /** Defaults to @actions/artifact's DefaultArtifactClient. */
  client?: Pick<ArtifactClient, 'uploadArtifact'>;
}

/** The artifact service is reachable only with the runtime token and results URL the runner gives each job. */
export function isActionsRuntime(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL);
}

/** Artifact names may not hold `" : < > | * ? \ /` or line breaks; the service refuses them, so replace them. */
export function artifactName(name: string): string {
  return name.replace(/[":<>|*?\\/\r\n]/g, '-').trim() || 'report';
}

/** Uploads the files; returns undefined when skipped or failed (both logged), else the service's answer. */
export async function uploadReportArtifact(
  options: UploadReportArtifactOptions,
): Promise<UploadArtifactResponse | undefined> {
  const { logger, files } = options;
  if (!options.client && !isActionsRuntime()) {
    logger.info('skipped artifact upload: not running on GitHub Actions');
    return undefined;
  }
  if (files.length === 0) {
    logger.debug('skipped artifact upload: no files');
    return undefined;
  }
  const name = artifactName(options.name);
  try {
    const client = options.client ?? new (await import('@actions/artifact')).DefaultArtifactClient();
    const response = await client.uploadArtifact(name, [...files], options.rootDirectory, {
      ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    });
    logger.info(`Uploaded artifact '${name}' (${files.length} file(s), ${response.size ?? 0} bytes)`);
    return response;
  } catch (error) {
    logger.warning(`Could not upload artifact '${name}': ${errorMessage(error)}. The report is in the job summary.`);
    return undefined;
  }
}
