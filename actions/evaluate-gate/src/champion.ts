// Where the model to beat comes from, and its metrics.
import type { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ConfigurationError, type Logger, type Storage, parseStorageUri } from '@mlops-actions/core';
import { createMetricSet, parseMetricsDocument, type MetricSet } from '@mlops-actions/data/evaluation';
import { FileRegistry, latestApprovedModelPackage } from '@mlops-actions/sagemaker';

export type ChampionSource =
  | { kind: 'none' }
  | { kind: 'model-package-group'; group: string }
  | { kind: 'file-registry'; root: string; group: string }
  | { kind: 'metrics-file'; location: string };

export interface Champion {
  /** A stable id: the model package ARN, `<root>#<group>/v<N>`, or the metrics file's location. */
  id: string;
  /** One line for the report. */
  label: string;
  metrics: MetricSet;
}

const ACCEPTED =
  '`none`, `model-package-group:<name>`, `file-registry:<location>#<group>` or the location of a metrics file';

export function parseChampionSource(text: string): ChampionSource {
  const value = text.trim();
  if (value === 'none') return { kind: 'none' };
  if (value.startsWith('model-package-group:')) {
    const group = value.slice('model-package-group:'.length).trim();
    if (!group)
      throw new ConfigurationError(`Input 'champion' has no group name after model-package-group:`, {
        input: 'champion',
      });
    return { kind: 'model-package-group', group };
  }
  if (value.startsWith('file-registry:')) {
    const rest = value.slice('file-registry:'.length).trim();
    const hash = rest.lastIndexOf('#');
    if (hash <= 0 || hash === rest.length - 1) {
      throw new ConfigurationError(
        `Input 'champion' has an invalid value "${value}": expected file-registry:<location>#<group>`,
        { input: 'champion' },
      );
    }
    return { kind: 'file-registry', root: rest.slice(0, hash), group: rest.slice(hash + 1) };
  }
  try {
    parseStorageUri(value);
  } catch {
    throw new ConfigurationError(`Input 'champion' has an invalid value "${value}": expected ${ACCEPTED}`, {
      input: 'champion',
    });
  }
  return { kind: 'metrics-file', location: value };
}

export interface ChampionContext {
  storage: Storage;
  sagemaker: () => SageMakerClient;
  logger: Logger;
  signal: AbortSignal;
}

/** The champion and its metrics, or undefined when there is none yet (the first model). */
export async function loadChampion(source: ChampionSource, context: ChampionContext): Promise<Champion | undefined> {
  const { storage, logger, signal } = context;
  switch (source.kind) {
    case 'none':
      return undefined;
    case 'metrics-file':
      return {
        id: source.location,
        label: `metrics file ${source.location}`,
        metrics: await readMetricsFile(storage, source.location, signal),
      };
    case 'model-package-group': {
      const model = await latestApprovedModelPackage(context.sagemaker(), source.group, 'champion', signal);
      if (!model) {
        logger.info(`Model package group ${source.group} has no Approved package yet: this is the first model.`);
        return undefined;
      }
      const label = `${source.group} version ${model.version} (Approved)`;
      if (model.metricsUri) {
        return { id: model.arn, label, metrics: await readMetricsFile(storage, model.metricsUri, signal) };
      }
      logger.warning(
        `${model.arn} has no ModelMetrics.ModelQuality.Statistics; using its numeric CustomerMetadataProperties as metrics`,
      );
      return { id: model.arn, label, metrics: numericMetadata(model.metadata) };
    }
    case 'file-registry': {
      const registry = new FileRegistry(storage, source.root);
      if (!(await registry.hasGroup(source.group))) {
        // register-model creates file registry groups on first use, so a missing one is a project's first model.
        logger.info(`The file registry at ${source.root} has no group ${source.group} yet: this is the first model.`);
        return undefined;
      }
      const version = await registry.latestApproved(source.group);
      if (!version) {
        logger.info(`Group ${source.group} has no Approved version yet: this is the first model.`);
        return undefined;
      }
      const id = `${source.root}#${source.group}/v${version.version}`;
      const label = `${source.group} version ${version.version} (Approved, file registry)`;
      if (version.metrics !== undefined) {
        return {
          id,
          label,
          metrics: parseMetricsDocument(JSON.stringify(version.metrics), { input: 'champion' }).metrics,
        };
      }
      if (version.metricsUri) return { id, label, metrics: await readMetricsFile(storage, version.metricsUri, signal) };
      return { id, label, metrics: numericMetadata(version.metadata ?? {}) };
    }
  }
}

async function readMetricsFile(storage: Storage, location: string, signal: AbortSignal): Promise<MetricSet> {
  const text = await storage.readText(location, { signal });
  return parseMetricsDocument(text, { input: 'champion' }).metrics;
}

/** CustomerMetadataProperties hold strings; the ones that are plain numbers are taken as metrics. */
function numericMetadata(metadata: Record<string, string>): MetricSet {
  const entries: [string, { value: number }][] = [];
  for (const [key, text] of Object.entries(metadata)) {
    const value = Number(text);
    if (text.trim() !== '' && Number.isFinite(value)) entries.push([key, { value }]);
  }
  return createMetricSet(entries);
}
