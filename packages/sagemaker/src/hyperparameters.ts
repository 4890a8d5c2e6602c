// Hyperparameters as CreateTrainingJob takes them: a map of at most 100 strings. Script-mode framework images
// (sagemaker-training-toolkit) json.loads every value, so the SageMaker Python SDK sends json.dumps(value) for each
// one ("adam" arrives as "\"adam\"", 0.1 as "0.1") and adds its own sagemaker_* entries. Algorithm images (built-in
// XGBoost and the like) read the raw strings, so for them the values go as str(value).
import { ConfigurationError } from '@mlops-actions/core';
import { pythonJsonDumps, pythonStr, toPyValue } from './python-values.js';

/** `json`: script mode, the toolkit decodes each value. `raw`: algorithm images that read plain strings. */
export type HyperparameterEncoding = 'json' | 'raw';

/** The CreateTrainingJob API limits (botocore's sagemaker service model: HyperParameters, Key, Value). */
export const HYPERPARAMETER_LIMITS = { maxEntries: 100, maxKeyLength: 256, maxValueLength: 2500 } as const;

/** logging.INFO, the SDK's default `container_log_level`. */
const DEFAULT_CONTAINER_LOG_LEVEL = 20;

const RESERVED_PREFIX = 'sagemaker_';

export interface ScriptModeSettings {
  /** The script the toolkit runs, relative to the source directory (`train.py`). */
  entryPoint: string;
  /** Where the toolkit fetches the code: `s3://bucket/prefix/job/source/sourcedir.tar.gz`, or a local path. */
  submitDirectory: string;
  region?: string;
  jobName: string;
  containerLogLevel?: number;
}

export interface BuildHyperparametersOptions {
  encoding?: HyperparameterEncoding;
  /** Adds the sagemaker_* entries a script-mode image expects. */
  scriptMode?: ScriptModeSettings;
  /** The input named in error messages. */
  input?: string;
}

/** One value as the SDK would send it: `json.dumps(value)` for script mode, `str(value)` for algorithm images. */
export function encodeHyperparameterValue(value: unknown, encoding: HyperparameterEncoding = 'json'): string {
  const pyValue = toPyValue(value);
  return encoding === 'json' ? pythonJsonDumps(pyValue) : pythonStr(pyValue);
}

/**
 * The HyperParameters map for CreateTrainingJob (and the local backend's hyperparameters.json): the user's values
 * encoded, plus the script-mode entries when asked. Every problem is reported at once, naming the input.
 */
export function buildHyperparameters(
  user: Record<string, unknown>,
  options: BuildHyperparametersOptions = {},
): Record<string, string> {
  const { encoding = 'json', scriptMode, input = 'hyperparameters' } = options;
  const problems: string[] = [];
  const encoded: Record<string, string> = {};

  for (const [key, value] of Object.entries(user)) {
    if (value === undefined) continue;
    if (key.length === 0) {
      problems.push(`Input '${input}' has an entry without a name`);
      continue;
    }
    if (key.startsWith(RESERVED_PREFIX)) {
      problems.push(
        `Input '${input}' has ${JSON.stringify(key)}: names starting with ${RESERVED_PREFIX} are reserved for the ` +
          `settings the action passes to the SageMaker training toolkit`,
      );
      continue;
    }
    try {
      encoded[key] = encodeHyperparameterValue(value, encoding);
    } catch (error) {
      problems.push(
        `Input '${input}' has ${JSON.stringify(key)} with a value that is not text, a number, a boolean, a list or a map (${(error as Error).message})`,
      );
    }
  }

  if (scriptMode) {
    // The names and JSON encoding of sagemaker.estimator.Framework._prepare_for_training / hyperparameters().
    const reserved: Record<string, unknown> = {
      sagemaker_program: scriptMode.entryPoint,
      sagemaker_submit_directory: scriptMode.submitDirectory,
      sagemaker_container_log_level: scriptMode.containerLogLevel ?? DEFAULT_CONTAINER_LOG_LEVEL,
      sagemaker_job_name: scriptMode.jobName,
    };
    if (scriptMode.region !== undefined) reserved.sagemaker_region = scriptMode.region;
    for (const [key, value] of Object.entries(reserved)) encoded[key] = pythonJsonDumps(toPyValue(value));
  }

  problems.push(...checkHyperparameterLimits(encoded, input));
  if (problems.length) throw new ConfigurationError(problems, { input });
  return encoded;
}

/** The API's limits on an encoded map, one sentence per problem. */
function checkHyperparameterLimits(encoded: Record<string, string>, input = 'hyperparameters'): string[] {
  const problems: string[] = [];
  const { maxEntries, maxKeyLength, maxValueLength } = HYPERPARAMETER_LIMITS;
  const entries = Object.entries(encoded);
  const reservedCount = entries.filter(([key]) => key.startsWith(RESERVED_PREFIX)).length;
  if (entries.length > maxEntries) {
    const ofWhich = reservedCount ? ` (${reservedCount} of them the action's own sagemaker_* settings)` : '';
    problems.push(
      `Input '${input}' gives ${entries.length} hyperparameters${ofWhich}; SageMaker accepts at most ${maxEntries}`,
    );
  }
  for (const [key, value] of entries) {
    if (key.length > maxKeyLength) {
      problems.push(
        `Input '${input}' has a name of ${key.length} characters (${JSON.stringify(key.slice(0, 40))}…); SageMaker accepts at most ${maxKeyLength}`,
      );
    }
    if (value.length > maxValueLength) {
      problems.push(
        `Input '${input}' has ${JSON.stringify(key)} whose encoded value is ${value.length} characters; SageMaker accepts ` +
          `at most ${maxValueLength}: pass large settings as a file in an input channel instead`,
      );
    }
  }
  return problems;
}
