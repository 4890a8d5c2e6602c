// A real moto_server per test file, on a free loopback port, so integration tests drive the real SDK clients over
// HTTP without AWS. Clients find it through AWS_ENDPOINT_URL, as a user pointing the actions at moto/LocalStack would.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestContext } from 'node:test';

export interface Moto {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  port: number;
  /** What SDK clients (in this process or spawned bundles) need to talk to this server. */
  env: Record<string, string>;
  /** Forgets every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const INSTALL_HINT = "install it with: pip install 'moto[server]'";
const START_TIMEOUT_MS = 30_000;

let available: boolean | undefined;

/** Whether `moto_server` runs here (a pyenv shim can sit on PATH without moto behind it, so run it, don't look). */
export function motoAvailable(): boolean {
  if (available === undefined) {
    const probe = spawnSync('moto_server', ['--help'], { stdio: 'ignore', timeout: 30_000 });
    available = probe.error === undefined && probe.status === 0;
  }
  return available;
}

function missingMessage(): string {
  const ci = process.env.CI === 'true' ? ' (CI=true, so the tests that need it fail instead of skipping)' : '';
  return `moto_server is not available; ${INSTALL_HINT}${ci}`;
}

/**
 * For node:test: true when moto can be used. Otherwise the test is skipped with how to install it, except on CI
 * (CI=true), where a missing emulator must not pass silently: it throws and the test fails.
 */
export function requireMoto(t: TestContext): boolean {
  if (motoAvailable()) return true;
  if (process.env.CI === 'true') throw new Error(missingMessage());
  t.skip(missingMessage());
  return false;
}

/**
 * For `describe(name, { skip: motoSkip() }, ...)`: the skip message when moto is missing, false when the suite should
 * run. On CI the suite runs anyway, so that startMoto() fails it with the install hint.
 */
export function motoSkip(): string | false {
  if (motoAvailable() || process.env.CI === 'true') return false;
  return missingMessage();
}

/** Dummy credentials, region us-east-1 and AWS_ENDPOINT_URL; merge over process.env for spawned processes. */
export function motoEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    // Without this the SDK may spend seconds probing the EC2 metadata service for credentials or region.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Sets `env` on process.env and returns a function that puts back what was there. */
export function applyEnv(env: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  const assign = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  assign(env);
  return () => assign(saved);
}

export async function startMoto(): Promise<Moto> {
  if (!motoAvailable()) throw new Error(missingMessage());
  // The port is free when we ask but could be taken before moto binds it; a second try covers that race.
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce(port: number): Promise<Moto> {
  const endpoint = `http://127.0.0.1:${port}`;
  // Its own process group, so stop() can kill moto and anything the shim started, leaving no orphan.
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `exit code ${code}`;
      resolve();
    });
    child.once('error', (error) => {
      exited = error.message;
      resolve();
    });
  });
  const killGroup = (signal: NodeJS.Signals) => {
    if (exited !== undefined || child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  // Last resort if the test process ends without stop(): 'exit' handlers must be synchronous, and kill is.
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);
  // The server must not keep a finished test file alive on its own.
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();

  const stop = async () => {
    process.removeListener('exit', onExit);
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5_000);
    await exit;
    clearTimeout(timer);
  };

  try {
    await waitUntilUp(endpoint, child, () => exited);
  } catch (error) {
    await stop();
    throw new Error(`moto_server did not start on ${endpoint}: ${(error as Error).message}\n${output.trim()}`, {
      cause: error,
    });
  }

  return {
    endpoint,
    port,
    env: motoEnv(endpoint),
    stop,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!response.ok) throw new Error(`moto reset answered ${response.status}: ${await response.text()}`);
    },
  };
}

async function waitUntilUp(endpoint: string, child: ChildProcess, exited: () => string | undefined): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const why = exited();
    if (why !== undefined) throw new Error(`it ended early (${why})`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`no answer from ${endpoint}/moto-api/ within ${START_TIMEOUT_MS / 1000}s (pid ${child.pid})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not find a free port'));
      });
    });
  });
}
