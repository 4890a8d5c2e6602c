// The logging interface the plain libraries (data, sagemaker, core's own helpers) take; actions pass one backed by
// @actions/core, tests pass a recording one.
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warning() {}, error() {} };

export const consoleLogger: Logger = {
  debug: (m) => {
    if (process.env.RUNNER_DEBUG === '1') console.error(`debug: ${m}`);
  },
  info: (m) => console.log(m),
  warning: (m) => console.error(`warning: ${m}`),
  error: (m) => console.error(`error: ${m}`),
};

/** A logger that keeps every line, for tests. */
export function recordingLogger(): Logger & { lines: { level: keyof Logger; message: string }[] } {
  const lines: { level: keyof Logger; message: string }[] = [];
  const at = (level: keyof Logger) => (message: string) => void lines.push({ level, message });
  return { lines, debug: at('debug'), info: at('info'), warning: at('warning'), error: at('error') };
}
