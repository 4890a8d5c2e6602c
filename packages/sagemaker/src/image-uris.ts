// Framework training image URIs, resolved the way the SageMaker Python SDK's image_uris.retrieve does it, from tables
// vendored out of the SDK's image_uri_config files (image-tables.json, written by
// scripts/sagemaker/generate-image-tables.ts).
import { ConfigurationError } from '@mlops-actions/core';
import imageTablesJson from './image-tables.json' with { type: 'json' };

export interface ImageVersionTable {
  repository: string;
  /** Processors this image is built for; empty when the tag carries none (XGBoost 1.2+, the built-in algorithm). */
  processors: string[];
  /** Python versions; empty when the tag carries none. */
  pyVersions: string[];
  /** Id of a map in {@link ImageTables.registries}. */
  registry: string;
  /** Placeholders: {version} {processor} {py} {container} {base}. */
  tagFormat: string;
  /** Per processor, the container version suffix of the tag (Hugging Face). */
  containerVersions?: Record<string, string>;
  /** The SDK's `tag_prefix`, used instead of the version when present. */
  tagPrefix?: string;
}

export interface HuggingFaceVersionTable {
  /** `pytorch2.0` -> `pytorch2.0.0`. */
  baseFrameworkAliases: Record<string, string>;
  baseFrameworks: Record<string, ImageVersionTable>;
}

export interface FrameworkTable {
  versionAliases: Record<string, string>;
  versions: Record<string, ImageVersionTable | HuggingFaceVersionTable>;
}

export interface ImageTables {
  generatedBy: string;
  sources: Record<string, { repository: string; commit: string; scope: string }>;
  partitions: { name: string; regionRegex: string; dnsSuffix: string }[];
  registries: Record<string, Record<string, string>>;
  frameworks: Record<string, FrameworkTable>;
}

export const imageTables = imageTablesJson as ImageTables;

export type Framework = 'sklearn' | 'xgboost' | 'pytorch' | 'tensorflow' | 'huggingface';
export type Processor = 'cpu' | 'gpu' | 'inf' | 'trn' | (string & {});

export interface ResolveImageOptions {
  /** sklearn (or scikit-learn), xgboost, pytorch, tensorflow, huggingface. */
  framework: string;
  /** A version or an alias the SDK accepts (`2.0`, `2.0.1`, `1.2-1`). */
  version: string;
  /** Needed only when the version has more than one Python version. */
  pyVersion?: string;
  region: string;
  instanceType: string;
  /** Hugging Face only: the PyTorch or TensorFlow underneath, e.g. `pytorch2.0` or `pytorch2.0.0`. */
  baseFrameworkVersion?: string;
}

export interface ResolvedImage {
  uri: string;
  account: string;
  repository: string;
  tag: string;
  /** The table's version the input resolved to (aliases followed). */
  resolvedVersion: string;
  processor: Processor | undefined;
  pyVersion: string | undefined;
}

/** Input names used in error messages; the train action's inputs carry these names. */
const IMAGE_INPUTS = {
  framework: 'framework',
  version: 'framework-version',
  pyVersion: 'py-version',
  region: 'region',
  instanceType: 'instance-type',
  baseFrameworkVersion: 'base-framework-version',
} as const;

function unsupported(input: string, value: string, problem: string, known: string): ConfigurationError {
  return new ConfigurationError(
    `Input '${input}' has an invalid value ${JSON.stringify(value)}: ${problem}; ${known}`,
    {
      input,
    },
  );
}

// ml.<family>.<size>, where families may carry a dash (ml.p6-b200.48xlarge); `local` and `local_gpu` are the SDK's
// local-mode instance types.
const INSTANCE_TYPE = /^ml\.([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;
const LOCAL_INSTANCE_TYPES = ['local', 'local_gpu'];

/** Checks the shape of a SageMaker instance type and returns it trimmed. */
export function validateInstanceType(text: string, input: string = IMAGE_INPUTS.instanceType): string {
  const value = text.trim();
  if (INSTANCE_TYPE.test(value) || LOCAL_INSTANCE_TYPES.includes(value)) return value;
  throw new ConfigurationError(
    `Input '${input}' has an invalid value ${JSON.stringify(text)}: expected a SageMaker instance type ml.<family>.<size> ` +
      `such as ml.m5.xlarge or ml.g5.2xlarge, or local`,
    { input },
  );
}

/** The instance family: `ml.p4d.24xlarge` -> `p4d`; undefined for local instance types. */
function instanceFamily(instanceType: string): string | undefined {
  return INSTANCE_TYPE.exec(instanceType)?.[1];
}

/**
 * The processor an instance type runs images for. Follows image_uris._processor: a family an image is built for
 * specifically wins, then inf* -> inf, trn* -> trn, g* and p* -> gpu, anything else cpu.
 */
export function processorForInstanceType(instanceType: string, available: readonly string[] = []): Processor {
  const family = instanceFamily(validateInstanceType(instanceType));
  if (family === undefined) return instanceType.trim() === 'local' ? 'cpu' : 'gpu'; // local, local_gpu
  if (available.includes(family)) return family;
  if (family.startsWith('inf')) return 'inf';
  if (family.startsWith('trn')) return 'trn';
  if (family.startsWith('g') || family.startsWith('p')) return 'gpu';
  return 'cpu';
}

const FRAMEWORK_NAMES: Record<string, Framework> = {
  sklearn: 'sklearn',
  'scikit-learn': 'sklearn',
  xgboost: 'xgboost',
  pytorch: 'pytorch',
  tensorflow: 'tensorflow',
  huggingface: 'huggingface',
};

/** Versions of a framework's training images, and the aliases that point at them (`2.0` -> `2.0.1`). */
function knownVersions(framework: Framework): { versions: string[]; aliases: Record<string, string> } {
  const table = imageTables.frameworks[framework]!;
  return { versions: Object.keys(table.versions), aliases: table.versionAliases };
}

function describeVersions({ versions, aliases }: { versions: string[]; aliases: Record<string, string> }): string {
  const aliasNames = Object.keys(aliases);
  return `known versions: ${versions.join(', ')}` + (aliasNames.length ? ` (aliases: ${aliasNames.join(', ')})` : '');
}

function compareVersions(a: string, b: string): number {
  const left = a.split(/[.-]/).map(Number);
  const right = b.split(/[.-]/).map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

// image_uris._get_image_tag: on p4d instances these framework images need a CUDA 11 container suffix.
const P4D_CONTAINER_VERSIONS: Record<string, string> = {
  'tensorflow-2.3-gpu-py37': 'cu110-ubuntu18.04-v3',
  'tensorflow-2.3.1-gpu-py37': 'cu110-ubuntu18.04',
  'tensorflow-2.3.2-gpu-py37': 'cu110-ubuntu18.04',
  'tensorflow-1.15-gpu-py37': 'cu110-ubuntu18.04-v8',
  'tensorflow-1.15.4-gpu-py37': 'cu110-ubuntu18.04',
  'tensorflow-1.15.5-gpu-py37': 'cu110-ubuntu18.04',
  'pytorch-1.6-gpu-py36': 'cu110-ubuntu18.04-v3',
  'pytorch-1.6.0-gpu-py36': 'cu110-ubuntu18.04',
  'pytorch-1.6-gpu-py3': 'cu110-ubuntu18.04-v3',
  'pytorch-1.6.0-gpu-py3': 'cu110-ubuntu18.04',
};

function dnsSuffix(region: string): string {
  const partition = imageTables.partitions.find((p) => new RegExp(p.regionRegex).test(region));
  return partition?.dnsSuffix ?? 'amazonaws.com';
}

/** Resolves a framework training image, with every part of the answer. */
export function resolveImage(options: ResolveImageOptions): ResolvedImage {
  const frameworkKey = options.framework.trim().toLowerCase();
  const framework = FRAMEWORK_NAMES[frameworkKey];
  if (!framework) {
    throw unsupported(
      IMAGE_INPUTS.framework,
      options.framework,
      'not a framework with vendored training images',
      `known frameworks: ${[...new Set(Object.values(FRAMEWORK_NAMES))].join(', ')}`,
    );
  }
  const instanceType = validateInstanceType(options.instanceType);
  const table = imageTables.frameworks[framework]!;
  const requestedVersion = options.version.trim();
  const resolvedVersion = table.versionAliases[requestedVersion] ?? requestedVersion;
  let entry = table.versions[resolvedVersion];
  if (!entry) {
    throw unsupported(
      IMAGE_INPUTS.version,
      options.version,
      `no ${framework} training image has this version`,
      describeVersions(knownVersions(framework)),
    );
  }

  let baseFramework: string | undefined;
  if ('baseFrameworks' in entry) {
    const requestedBase = (options.baseFrameworkVersion ?? '').trim().replace(/^(pytorch|tensorflow)[-\s]?/, '$1');
    const base = entry.baseFrameworkAliases[requestedBase] ?? requestedBase;
    if (!entry.baseFrameworks[base]) {
      throw unsupported(
        IMAGE_INPUTS.baseFrameworkVersion,
        options.baseFrameworkVersion ?? '',
        `Hugging Face ${requestedVersion} training images are built on a specific PyTorch or TensorFlow version`,
        describeVersions({ versions: Object.keys(entry.baseFrameworks), aliases: entry.baseFrameworkAliases }),
      );
    }
    // The SDK puts the base version as given (alias or full) into the tag: pytorch1.13 -> 1.13.
    baseFramework = requestedBase.replace(/^(pytorch|tensorflow)/, '');
    entry = entry.baseFrameworks[base]!;
  }

  let pyVersion = options.pyVersion?.trim() || undefined;
  if (entry.pyVersions.length === 0) {
    pyVersion = undefined; // the SDK ignores a Python version the image does not have in its tag
  } else if (pyVersion === undefined && entry.pyVersions.length === 1) {
    pyVersion = entry.pyVersions[0];
  } else if (pyVersion === undefined) {
    throw new ConfigurationError(
      `Input '${IMAGE_INPUTS.pyVersion}' is required for ${framework} ${requestedVersion}, whose training images exist ` +
        `for several Python versions: ${entry.pyVersions.join(', ')}`,
      { input: IMAGE_INPUTS.pyVersion },
    );
  } else if (!entry.pyVersions.includes(pyVersion)) {
    throw unsupported(
      IMAGE_INPUTS.pyVersion,
      pyVersion,
      `no ${framework} ${requestedVersion} training image has this Python version`,
      `available Python versions: ${entry.pyVersions.join(', ')}`,
    );
  }

  const registry = imageTables.registries[entry.registry]!;
  const account = registry[options.region.trim()];
  if (!account) {
    throw unsupported(
      IMAGE_INPUTS.region,
      options.region,
      `${framework} ${requestedVersion} training images are not published in this region`,
      `available regions: ${Object.keys(registry).join(', ')}`,
    );
  }
  const region = options.region.trim();

  let processor: Processor | undefined;
  if (entry.processors.length > 0) {
    processor = processorForInstanceType(instanceType, entry.processors);
    if (!entry.processors.includes(processor)) {
      const hint =
        processor === 'trn' || processor === 'inf'
          ? ' (Neuron images are not in the vendored tables: pass the image URI instead)'
          : '';
      throw unsupported(
        IMAGE_INPUTS.instanceType,
        instanceType,
        `${framework} ${requestedVersion} training images have no ${processor} variant${hint}`,
        `available processors: ${entry.processors.join(', ')}`,
      );
    }
  }
  // image_uris._validate_instance_deprecation
  if (
    instanceFamily(instanceType) === 'p2' &&
    ((framework === 'pytorch' && compareVersions(resolvedVersion, '1.13') >= 0) ||
      (framework === 'tensorflow' && compareVersions(resolvedVersion, '2.12') >= 0))
  ) {
    throw new ConfigurationError(
      `Input '${IMAGE_INPUTS.instanceType}' has an invalid value ${JSON.stringify(instanceType)}: P2 instances are ` +
        `not supported from PyTorch 1.13 and TensorFlow 2.12 on; use a newer GPU family such as ml.g5`,
      { input: IMAGE_INPUTS.instanceType },
    );
  }

  const container = processor !== undefined ? entry.containerVersions?.[processor] : undefined;
  let tag = entry.tagFormat
    // Like the SDK, the tag carries the version as the user wrote it: an alias tag floats to the newest patch image.
    .replace('{version}', entry.tagPrefix ?? requestedVersion)
    .replace('{base}', baseFramework ?? '')
    .replace('{processor}', processor ?? '')
    .replace('{py}', pyVersion ?? '')
    .replace('{container}', container ?? '');
  const p4dSuffix = instanceFamily(instanceType) === 'p4d' ? P4D_CONTAINER_VERSIONS[`${framework}-${tag}`] : undefined;
  if (p4dSuffix) tag += `-${p4dSuffix}`;

  return {
    uri: `${account}.dkr.ecr.${region}.${dnsSuffix(region)}/${entry.repository}:${tag}`,
    account,
    repository: entry.repository,
    tag,
    resolvedVersion,
    processor,
    pyVersion,
  };
}

/** `683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3`. */
export function resolveImageUri(options: ResolveImageOptions): string {
  return resolveImage(options).uri;
}
