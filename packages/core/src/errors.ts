// The two kinds of failure a user can fix themselves. The run wrapper prints them as one line, without a stack.

/** A bad input or a bad combination of inputs. `problems` holds one sentence per problem, each naming its input. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  readonly problems: string[];
  readonly input: string | undefined;

  constructor(message: string | string[], options: { input?: string } = {}) {
    const problems = Array.isArray(message) ? message : [message];
    super(problems.join('\n'));
    this.problems = problems;
    this.input = options.input;
  }
}

export interface DataLocation {
  /** A path or URI, as the user wrote it. */
  file?: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
}

/** Data that cannot be read or does not hold what it should: malformed files, missing objects, unreadable baselines. */
export class DataError extends Error {
  override readonly name = 'DataError';
  readonly location: DataLocation;
  readonly detail: string;

  constructor(detail: string, location: DataLocation = {}, options: { cause?: unknown } = {}) {
    super(formatLocated(detail, location), options);
    this.detail = detail;
    this.location = location;
  }
}

/** `file:line:column: detail`, leaving out the parts that are unknown. */
export function formatLocated(detail: string, { file, line, column }: DataLocation): string {
  if (file === undefined) return detail;
  let where = file;
  if (line !== undefined) where += `:${line}`;
  if (line !== undefined && column !== undefined) where += `:${column}`;
  return `${where}: ${detail}`;
}

export function isUserError(error: unknown): error is ConfigurationError | DataError {
  return error instanceof ConfigurationError || error instanceof DataError;
}

/** Thrown by waits and loops when the run is cancelled (SIGINT/SIGTERM); never reported as a failure of its own. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor(message = 'The run was cancelled') {
    super(message);
  }
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof CancelledError ||
    (error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR'))
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
