// One place that builds AWS SDK v3 client configuration, so every action resolves the region, retries and identifies
// itself the same way, and one place that turns SDK errors into sentences a user can act on.
import { S3Client } from '@aws-sdk/client-s3';
import { isIP } from 'node:net';
import { ConfigurationError, errorMessage } from './errors.js';
import type { Logger } from './logger.js';

export interface AwsClientOptions {
  /** The action's name, for the user agent (`mlops-actions/<action>/<version>`). */
  action: string;
  version: string;
  /** The `region` input; empty means "not given". */
  region?: string;
  logger?: Logger;
  /** Total attempts per call, first one included (SDK default 3). */
  maxAttempts?: number;
  /** Defaults to `process.env`; tests pass their own. */
  env?: NodeJS.ProcessEnv;
}

/** The SDK logger shape, declared here so the config stays assignable to every client's config type. */
export interface SdkLogger {
  debug: (...content: unknown[]) => void;
  info: (...content: unknown[]) => void;
  warn: (...content: unknown[]) => void;
  error: (...content: unknown[]) => void;
}

/** Assignable to the configuration of any SDK v3 client (S3, SageMaker, CloudWatch Logs...). */
export interface AwsClientConfig {
  region: string;
  retryMode: 'adaptive';
  maxAttempts?: number;
  customUserAgent: string;
  logger?: SdkLogger;
}

/**
 * The region from the input, else AWS_REGION, else AWS_DEFAULT_REGION. We resolve it ourselves rather than let the SDK
 * fail at the first call with "Region is missing", so the user learns which input to set before anything starts.
 */
export function resolveRegion(input?: string, env: NodeJS.ProcessEnv = process.env): string {
  const region = [input, env.AWS_REGION, env.AWS_DEFAULT_REGION].map((v) => v?.trim()).find((v) => v);
  if (region) return region;
  throw new ConfigurationError(
    'No AWS region is configured: set the `region` input, or AWS_REGION (aws-actions/configure-aws-credentials sets it)',
    { input: 'region' },
  );
}

export function awsClientConfig(options: AwsClientOptions): AwsClientConfig {
  const config: AwsClientConfig = {
    region: resolveRegion(options.region, options.env),
    // Adaptive adds client-side rate limiting on top of standard retries: SageMaker's Describe*/List* quotas are low,
    // and several polling steps of one workflow share them.
    retryMode: 'adaptive',
    customUserAgent: `mlops-actions/${options.action}/${options.version}`,
  };
  if (options.maxAttempts !== undefined) config.maxAttempts = options.maxAttempts;
  if (options.logger) config.logger = sdkLogger(options.logger);
  return config;
}

/**
 * The endpoint override the SDK itself will use for `service` (its serviceId, e.g. "S3", "SageMaker"), read the way
 * the SDK reads it: AWS_ENDPOINT_URL_<SERVICE> (serviceId upper-cased, spaces to underscores), then AWS_ENDPOINT_URL,
 * unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true. We only read it to adapt (path-style S3); the SDK resolves the
 * endpoint on its own, so `endpoint_url` in the shared config file keeps working too.
 */
export function configuredEndpoint(service: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === 'true') return undefined;
  const serviceVar = `AWS_ENDPOINT_URL_${service.split(' ').join('_').toUpperCase()}`;
  return env[serviceVar] || env.AWS_ENDPOINT_URL || undefined;
}

/** True for endpoints whose host cannot take a bucket as a subdomain (virtual-hosted style would resolve nowhere). */
export function needsPathStyle(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  let host: string;
  try {
    host = new URL(endpoint).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost');
}

export interface S3ClientOptions extends AwsClientOptions {
  /** An explicit endpoint; normally left out so AWS_ENDPOINT_URL(_S3) applies. */
  endpoint?: string;
  /** Overrides the automatic path-style choice. */
  forcePathStyle?: boolean;
}

export function s3Client(options: S3ClientOptions): S3Client {
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? configuredEndpoint('S3', env);
  return new S3Client({
    ...awsClientConfig(options),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    forcePathStyle: options.forcePathStyle ?? needsPathStyle(endpoint),
  });
}

/** The SDK's error code: the exception name for service errors, `code` for Node network errors. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; Code?: unknown; code?: unknown };
  if (typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code)) return e.code;
  if (typeof e.Code === 'string') return e.Code;
  if (typeof e.name === 'string' && e.name !== 'Error') return e.name;
  return typeof e.code === 'string' ? e.code : undefined;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

// Mirrors the SDK's own classification (@smithy retry): these are worth retrying after the SDK's attempts ran out.
const THROTTLING = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'TokenRefreshRequired',
]);

export function isThrottlingError(error: unknown): boolean {
  const code = awsErrorCode(error);
  return (code !== undefined && THROTTLING.has(code)) || httpStatus(error) === 429;
}

export function isNetworkError(error: unknown): boolean {
  const code = awsErrorCode(error);
  if (code !== undefined && NETWORK.has(code)) return true;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause !== undefined && cause !== error && isNetworkError(cause);
}

/** Throttling, 5xx and network failures: the kind a later attempt may not meet. */
export function isTransientError(error: unknown): boolean {
  const status = httpStatus(error);
  return isThrottlingError(error) || isNetworkError(error) || (status !== undefined && status >= 500);
}

/**
 * One sentence naming the operation and what to check, e.g. "Reading s3://b/k was denied (AccessDenied: ...); check
 * that the role's IAM policy, and any bucket or key policy, allows it".
 */
export function describeAwsError(error: unknown, operation: string): string {
  const code = awsErrorCode(error) ?? 'Error';
  const message = errorMessage(error).replace(/\s+/g, ' ').trim().replace(/\.$/, '');
  const detail = message && message !== code && message !== 'UnknownError' ? `${code}: ${message}` : code;
  const status = httpStatus(error);
  if (code === 'CredentialsProviderError') {
    return `${operation} found no AWS credentials (${detail}); add aws-actions/configure-aws-credentials before this step, or set the AWS_* credential variables`;
  }
  if (CREDENTIALS.has(code)) {
    return `${operation} failed because the AWS credentials are expired or invalid (${detail}); check the credentials step (aws-actions/configure-aws-credentials, role-duration-seconds) and the system clock`;
  }
  if (/AccessDenied|Forbidden|UnauthorizedOperation|AuthorizationError/.test(code) || status === 403) {
    return `${operation} was denied (${detail}); check that the role's IAM policy, and any bucket, key or resource policy, allows it`;
  }
  if (code === 'NoSuchBucket') {
    return `${operation} failed because the bucket does not exist (${detail}); check the bucket name and the region`;
  }
  if (code === 'NoSuchKey' || code === 'NotFound' || status === 404) {
    return `${operation} failed because it was not found (${detail}); check the name or path`;
  }
  if (isThrottlingError(error)) {
    return `${operation} was throttled by AWS even after retries (${detail}); check for other jobs calling the same API, or ask for a higher quota`;
  }
  if (isNetworkError(error)) {
    return `${operation} could not reach AWS (${detail}); check the network, proxy settings and any AWS_ENDPOINT_URL override`;
  }
  if (status !== undefined && status >= 500) {
    return `${operation} failed with an AWS service error (${detail}); this is usually temporary, so try again later`;
  }
  if (code === 'ValidationException' || code === 'InvalidParameterValue' || code === 'InvalidRequest') {
    return `${operation} was rejected as invalid (${detail}); check the inputs it was built from`;
  }
  return `${operation} failed (${detail})`;
}

function sdkLogger(logger: Logger): SdkLogger {
  const text = (content: unknown[]) =>
    content.map((c) => (typeof c === 'string' ? c : c instanceof Error ? c.message : safeJson(c))).join(' ');
  return {
    debug: (...content) => logger.debug(text(content)),
    // The SDK logs each call's input and output at info level; only the call's name is worth a debug line.
    info: (...content) => {
      const call = content[0] as { clientName?: string; commandName?: string } | undefined;
      if (call && typeof call === 'object' && call.commandName)
        logger.debug(`AWS ${call.clientName ?? ''} ${call.commandName}`);
    },
    // The SDK logs every failed call at error level, including ones the caller expects and handles (a missing
    // object, a job that does not exist yet); the caller decides what reaches the user, so these stay debug lines.
    warn: (...content) => logger.debug(`AWS SDK warning: ${text(content)}`),
    error: (...content) => {
      const call = content[0] as { clientName?: string; commandName?: string; error?: { name?: string } } | undefined;
      if (call && typeof call === 'object' && call.commandName) {
        logger.debug(`AWS ${call.clientName ?? ''} ${call.commandName} failed: ${call.error?.name ?? 'error'}`);
      } else logger.debug(`AWS SDK error: ${text(content)}`);
    },
  };
}

function safeJson(value: unknown): string {
  try {
    const json = JSON.stringify(value);
    return json.length > 500 ? `${json.slice(0, 500)}...` : json;
  } catch {
    return String(value);
  }
}
