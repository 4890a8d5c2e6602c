import { GetObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import {
  awsClientConfig,
  configuredEndpoint,
  describeAwsError,
  isTransientError,
  needsPathStyle,
  resolveRegion,
  s3Client,
} from '../../../packages/core/src/aws.js';
import { ConfigurationError } from '../../../packages/core/src/errors.js';
import { recordingLogger } from '../../../packages/core/src/logger.js';

const base = { action: 'train', version: '1.2.3' };
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

interface Seen {
  headers: Record<string, string>;
}

/**
 * A fake HTTP layer. aws-sdk-client-mock stubs `send` itself, which skips the middleware stack and with it the retry
 * strategy, so retries can only be shown by answering below the middleware, at the request handler.
 */
function fakeHttp(answers: { status: number; body: string }[]) {
  const seen: Seen[] = [];
  const handler = {
    async handle(request: { headers: Record<string, string> }) {
      seen.push({ headers: { ...request.headers } });
      const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
      return {
        response: {
          statusCode: answer.status,
          reason: '',
          headers: { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(answer.body)) },
          body: Readable.from([Buffer.from(answer.body)]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  return { handler, seen };
}

const throttled = {
  status: 400,
  body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>ThrottlingException</Code><Message>Rate exceeded</Message></Error>',
};
const ok = { status: 200, body: 'hello' };

describe('resolveRegion / awsClientConfig', () => {
  it('prefers the input, then AWS_REGION, then AWS_DEFAULT_REGION', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-central-1' };
    assert.equal(resolveRegion('us-west-2', env), 'us-west-2');
    assert.equal(resolveRegion('', env), 'eu-west-1');
    assert.equal(resolveRegion('  ', env), 'eu-west-1');
    assert.equal(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'eu-central-1' }), 'eu-central-1');
    assert.equal(awsClientConfig({ ...base, env }).region, 'eu-west-1');
  });

  it('tells the user to set the region input or AWS_REGION when none is found', () => {
    assert.throws(
      () => awsClientConfig({ ...base, env: {} }),
      (error: unknown) =>
        error instanceof ConfigurationError &&
        error.input === 'region' &&
        /`region` input/.test(error.message) &&
        /AWS_REGION/.test(error.message),
    );
  });

  it('sets adaptive retries, the user agent and maxAttempts', () => {
    const config = awsClientConfig({ ...base, region: 'us-east-1', maxAttempts: 5 });
    assert.equal(config.retryMode, 'adaptive');
    assert.equal(config.customUserAgent, 'mlops-actions/train/1.2.3');
    assert.equal(config.maxAttempts, 5);
    assert.equal('maxAttempts' in awsClientConfig({ ...base, region: 'us-east-1' }), false);
  });

  it("keeps the SDK's own logging at debug level, without call inputs", () => {
    const logger = recordingLogger();
    const sdk = awsClientConfig({ ...base, region: 'us-east-1', logger }).logger!;
    sdk.warn('careful');
    sdk.info({ clientName: 'S3Client', commandName: 'GetObjectCommand', input: { Key: 'secret' } });
    // A handled failure (a missing object) must not become an ::error:: line in the user's log.
    sdk.error({
      clientName: 'S3Client',
      commandName: 'HeadObjectCommand',
      input: { Key: 'k' },
      error: { name: 'NotFound' },
    });
    assert.deepEqual(logger.lines, [
      { level: 'debug', message: 'AWS SDK warning: careful' },
      { level: 'debug', message: 'AWS S3Client GetObjectCommand' },
      { level: 'debug', message: 'AWS S3Client HeadObjectCommand failed: NotFound' },
    ]);
  });
});

describe('S3 client from the config', () => {
  it('sends the user agent on every request', async () => {
    const http = fakeHttp([ok]);
    const client = new S3Client({
      ...awsClientConfig({ ...base, region: 'us-east-1' }),
      credentials,
      requestHandler: http.handler,
    });
    await client.send(new GetObjectCommand({ Bucket: 'bucket-a', Key: 'k' }));
    const agent = `${http.seen[0]!.headers['user-agent']} ${http.seen[0]!.headers['x-amz-user-agent']}`;
    assert.match(agent, /mlops-actions\/train\/1\.2\.3/);
  });

  it('retries a ThrottlingException (adaptive mode) and then succeeds', async () => {
    const http = fakeHttp([throttled, ok]);
    const client = new S3Client({
      ...awsClientConfig({ ...base, region: 'us-east-1' }),
      credentials,
      requestHandler: http.handler,
    });
    const strategy = await client.config.retryStrategy();
    assert.equal((strategy as { mode?: string }).mode, 'adaptive');
    const out = await client.send(new GetObjectCommand({ Bucket: 'bucket-a', Key: 'k' }));
    assert.equal(await out.Body!.transformToString(), 'hello');
    assert.equal(out.$metadata.attempts, 2);
    assert.equal(http.seen.length, 2);
  });

  it('gives up after maxAttempts with the throttling error', async () => {
    const http = fakeHttp([throttled]);
    const client = new S3Client({
      ...awsClientConfig({ ...base, region: 'us-east-1', maxAttempts: 2 }),
      credentials,
      requestHandler: http.handler,
    });
    await assert.rejects(client.send(new GetObjectCommand({ Bucket: 'bucket-a', Key: 'k' })), (error: unknown) => {
      assert.equal((error as Error).name, 'ThrottlingException');
      assert.equal(isTransientError(error), true);
      assert.match(describeAwsError(error, 'Reading s3://bucket-a/k'), /^Reading s3:\/\/bucket-a\/k was throttled/);
      return true;
    });
    assert.equal(http.seen.length, 2);
  });

  it('can be stubbed with aws-sdk-client-mock (which replaces send, so no retries run there)', async () => {
    const client = s3Client({ ...base, region: 'us-east-1' });
    const mock = mockClient(client);
    mock.on(GetObjectCommand).rejectsOnce(throttledError()).resolves({});
    await assert.rejects(client.send(new GetObjectCommand({ Bucket: 'bucket-a', Key: 'k' })), /Rate exceeded/);
    await client.send(new GetObjectCommand({ Bucket: 'bucket-a', Key: 'k' }));
    assert.equal(mock.commandCalls(GetObjectCommand).length, 2);
    mock.restore();
  });
});

describe('endpoint overrides', () => {
  it('reads AWS_ENDPOINT_URL_<SERVICE> before AWS_ENDPOINT_URL, as the SDK does', () => {
    const env = { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://s3:2' };
    assert.equal(configuredEndpoint('S3', env), 'http://s3:2');
    assert.equal(configuredEndpoint('SageMaker', env), 'http://a:1');
    assert.equal(
      configuredEndpoint('CloudWatch Logs', { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: 'http://l:3' }),
      'http://l:3',
    );
    assert.equal(configuredEndpoint('S3', { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }), undefined);
    assert.equal(configuredEndpoint('S3', {}), undefined);
  });

  it('uses path-style S3 for IP and localhost endpoints only', async () => {
    assert.equal(needsPathStyle('http://127.0.0.1:5000'), true);
    assert.equal(needsPathStyle('http://[::1]:5000'), true);
    assert.equal(needsPathStyle('http://localhost:4566'), true);
    assert.equal(needsPathStyle('https://s3.eu-west-1.amazonaws.com'), false);
    assert.equal(needsPathStyle(undefined), false);
    const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://localhost:4566' };
    assert.equal(await s3Client({ ...base, env }).config.forcePathStyle, true);
    assert.equal(await s3Client({ ...base, env: { AWS_REGION: 'us-east-1' } }).config.forcePathStyle, false);
    assert.equal(await s3Client({ ...base, env, forcePathStyle: false }).config.forcePathStyle, false);
  });
});

describe('describeAwsError', () => {
  const serviceError = (name: string, status: number, message = 'details') =>
    new S3ServiceException({
      name,
      $fault: status >= 500 ? 'server' : 'client',
      $metadata: { httpStatusCode: status },
      message,
    });

  it('turns common failures into one sentence naming the operation and what to check', () => {
    const cases: [unknown, RegExp][] = [
      [
        serviceError('AccessDenied', 403),
        /^Reading s3:\/\/b\/k was denied \(AccessDenied: details\); check .*IAM policy/,
      ],
      [
        serviceError('ExpiredToken', 400),
        /^Reading s3:\/\/b\/k failed because the AWS credentials are expired.*role-duration-seconds/,
      ],
      [
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
        /^Reading s3:\/\/b\/k found no AWS credentials .*configure-aws-credentials/,
      ],
      [serviceError('NoSuchBucket', 404), /bucket does not exist.*check the bucket name and the region/],
      [serviceError('SlowDown', 503), /was throttled by AWS even after retries/],
      [
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
        /could not reach AWS \(ECONNREFUSED: .*AWS_ENDPOINT_URL/,
      ],
      [serviceError('InternalError', 500), /AWS service error.*try again later/],
      [serviceError('Weird', 400, 'odd'), /^Reading s3:\/\/b\/k failed \(Weird: odd\)$/],
    ];
    for (const [error, expected] of cases) {
      const sentence = describeAwsError(error, 'Reading s3://b/k');
      assert.match(sentence, expected);
      assert.equal(sentence.includes('\n'), false);
    }
  });

  it('classifies transient errors', () => {
    assert.equal(isTransientError(serviceError('ThrottlingException', 400)), true);
    assert.equal(isTransientError(serviceError('ServiceUnavailable', 503)), true);
    assert.equal(isTransientError(Object.assign(new Error('x'), { code: 'ECONNRESET' })), true);
    assert.equal(
      isTransientError(new Error('x', { cause: Object.assign(new Error('y'), { code: 'ETIMEDOUT' }) })),
      true,
    );
    assert.equal(isTransientError(serviceError('ValidationException', 400)), false);
    assert.equal(isTransientError(serviceError('AccessDenied', 403)), false);
  });
});

function throttledError(): Error {
  return new S3ServiceException({
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Rate exceeded',
  });
}
