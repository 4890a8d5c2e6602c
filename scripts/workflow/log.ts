// The local runner's log: headers per job and step, each step's output with its `::command::` lines shown the way
// GitHub's log viewer shows them (groups, errors, warnings, notices; debug lines only with --debug), and every line
// passed through the masker first, so a secret or an `::add-mask::` value never reaches the terminal or a file.
import { parseWorkflowCommand } from './runner-protocol.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  message: string;
  /** `job / step`, for the list at the end of the run. */
  where: string;
  file?: string;
  line?: string;
}

/** Replaces registered values with `***`, longest first, as the runner does in logs and summaries. */
export class Masker {
  private values: string[] = [];

  /** Registers a value and, for a multi-line one, each of its lines (the runner masks them separately too). */
  add(value: string): void {
    const candidates = [value, ...value.split(/\r?\n/)].map((v) => v.trim()).filter((v) => v.length > 0);
    for (const candidate of candidates) if (!this.values.includes(candidate)) this.values.push(candidate);
    this.values.sort((a, b) => b.length - a.length);
  }

  apply(text: string): string {
    let masked = text;
    for (const value of this.values) masked = masked.split(value).join('***');
    return masked;
  }

  /** Whether the text holds a masked value: such a job output is dropped, as on GitHub. */
  reveals(text: string): boolean {
    return this.values.some((value) => text.includes(value));
  }
}

const COLORS = { red: 31, green: 32, yellow: 33, blue: 34, gray: 90, bold: 1 } as const;
export type Color = keyof typeof COLORS;
/** Text, or text with a colour for sinks that show colours. */
export type Segment = string | { text: string; color: Color };

export interface LogSink {
  write: (text: string) => void;
  color: boolean;
}

export class Log {
  readonly annotations: Annotation[] = [];

  constructor(
    private readonly sinks: LogSink[],
    readonly masker: Masker,
    readonly debug: boolean,
  ) {}

  /** One line made of segments, masked, written to every sink (in colour where the sink wants it). */
  emit(...segments: Segment[]): void {
    for (const sink of this.sinks) {
      const text = segments
        .map((segment) => {
          if (typeof segment === 'string') return this.masker.apply(segment);
          const masked = this.masker.apply(segment.text);
          return sink.color ? `\u001b[${COLORS[segment.color]}m${masked}\u001b[0m` : masked;
        })
        .join('');
      sink.write(text + '\n');
    }
  }

  line(text: string, color?: Color): void {
    this.emit(color ? { text, color } : text);
  }

  annotate(annotation: Annotation, indent: string): void {
    this.annotations.push({ ...annotation, message: this.masker.apply(annotation.message) });
    const label = { error: 'Error:', warning: 'Warning:', notice: 'Notice:' }[annotation.level];
    const color: Color = { error: 'red', warning: 'yellow', notice: 'blue' }[annotation.level] as Color;
    const location = annotation.file ? ` (${annotation.file}${annotation.line ? `:${annotation.line}` : ''})` : '';
    this.emit(indent, { text: label, color }, ` ${annotation.message}${location}`);
  }

  /** A step's output, line by line, with workflow commands interpreted. */
  stepOutput(where: string, indent: string): StepOutput {
    return new StepOutput(this, where, indent, this.debug);
  }
}

export class StepOutput {
  private pending = { stdout: '', stderr: '' };
  private groupDepth = 0;
  /** Set by `::stop-commands::<token>`: commands are printed as text until `::<token>::`. */
  private stopToken: string | undefined;

  constructor(
    private readonly log: Log,
    private readonly where: string,
    private readonly indent: string,
    private readonly debug: boolean,
  ) {}

  write(chunk: string, stream: 'stdout' | 'stderr'): void {
    const lines = (this.pending[stream] + chunk).split('\n');
    this.pending[stream] = lines.pop()!;
    for (const line of lines) this.handle(line.replace(/\r$/, ''));
  }

  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream]) this.handle(this.pending[stream]);
      this.pending[stream] = '';
    }
  }

  private get prefix(): string {
    return this.indent + '  '.repeat(this.groupDepth);
  }

  // The runner reads commands from stdout and stderr alike.
  private handle(line: string): void {
    if (this.stopToken !== undefined) {
      if (line === `::${this.stopToken}::`) this.stopToken = undefined;
      else this.log.line(this.prefix + line);
      return;
    }
    const command = parseWorkflowCommand(line);
    if (!command) {
      this.log.line(this.prefix + line);
      return;
    }
    switch (command.command) {
      case 'add-mask':
        this.log.masker.add(command.message);
        return;
      case 'group':
        this.log.line(`${this.prefix}▸ ${command.message}`, 'bold');
        this.groupDepth++;
        return;
      case 'endgroup':
        this.groupDepth = Math.max(0, this.groupDepth - 1);
        return;
      case 'error':
      case 'warning':
      case 'notice':
        this.log.annotate(
          {
            level: command.command,
            message: command.message,
            where: this.where,
            ...(command.properties.file ? { file: command.properties.file } : {}),
            ...(command.properties.line ? { line: command.properties.line } : {}),
          },
          this.prefix,
        );
        return;
      case 'debug':
        if (this.debug) this.log.line(`${this.prefix}Debug: ${command.message}`, 'gray');
        return;
      case 'stop-commands':
        this.stopToken = command.message;
        return;
      case 'echo':
        return;
      default:
        this.log.line(this.prefix + line);
    }
  }
}
