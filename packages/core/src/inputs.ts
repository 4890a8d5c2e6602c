// Typed, strict action inputs. Everything here is pure (no @actions/*): the action layer supplies the raw values
// (envInputSource reads them the way the runner passes them) and a setSecret callback.
import { fileURLToPath } from 'node:url';
import { isAlias, isMap, isNode, isScalar, parseDocument, type YAMLError } from 'yaml';
import { ConfigurationError } from './errors.js';

// ---------------------------------------------------------------------------------------------------------------
// Messages

// Long values (maps, lists) would drown the sentence; the start is enough to recognise what was typed.
const QUOTE_LIMIT = 100;

function quote(value: string): string {
  const shown = value.length > QUOTE_LIMIT ? `${value.slice(0, QUOTE_LIMIT)}…` : value;
  return JSON.stringify(shown);
}

function invalid(name: string, raw: string, expected: string, secret = false): ConfigurationError {
  const value = secret ? '' : ` ${quote(raw)}`;
  return new ConfigurationError(`Input '${name}' has an invalid value${value}: ${expected}`, { input: name });
}

function listWords(words: readonly string[], conjunction: 'and' | 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${conjunction} ${words.at(-1)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsers: (name, raw, options) -> value, or a ConfigurationError naming the input, the value and what is accepted.

export interface StringOptions {
  /** The whole value must match. */
  pattern?: RegExp;
  /** What the pattern accepts, in words ("a bucket name"); without it the message shows the pattern itself. */
  patternDescription?: string;
  maxLength?: number;
  /** Never quote the value in messages. */
  secret?: boolean;
}

export function parseStringInput(name: string, raw: string, options: StringOptions = {}): string {
  const { pattern, patternDescription, maxLength, secret } = options;
  if (maxLength !== undefined && raw.length > maxLength) {
    throw invalid(name, raw, `expected at most ${maxLength} characters, got ${raw.length}`, secret);
  }
  if (pattern && !wholeMatch(pattern, raw)) {
    throw invalid(name, raw, `expected ${patternDescription ?? `a value matching ${pattern}`}`, secret);
  }
  return raw;
}

function wholeMatch(pattern: RegExp, text: string): boolean {
  // A fresh non-global copy: a caller's /g or /y regex keeps lastIndex between calls.
  const anchored = new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace(/[gy]/g, ''));
  return anchored.test(text);
}

const TRUE_VALUES = ['true', 'True', 'TRUE'];
const FALSE_VALUES = ['false', 'False', 'FALSE'];

/** YAML 1.2 core schema booleans only, as @actions/core getBooleanInput: `yes`, `on` and `1` are refused. */
export function parseBoolInput(name: string, raw: string): boolean {
  const value = raw.trim();
  if (TRUE_VALUES.includes(value)) return true;
  if (FALSE_VALUES.includes(value)) return false;
  throw invalid(name, raw, `expected a YAML 1.2 boolean: ${[...TRUE_VALUES, ...FALSE_VALUES].join(' | ')}`);
}

export interface RangeOptions {
  /** Inclusive. */
  min?: number;
  /** Inclusive. */
  max?: number;
}

function describeRange({ min, max }: RangeOptions, show: (n: number) => string = String): string {
  if (min !== undefined && max !== undefined) return ` between ${show(min)} and ${show(max)}`;
  if (min !== undefined) return ` of at least ${show(min)}`;
  if (max !== undefined) return ` of at most ${show(max)}`;
  return '';
}

function inRange(value: number, { min, max }: RangeOptions): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

const INTEGER = /^[+-]?\d+$/;
// Decimal notation only: Number() would also take hex, binary, 'Infinity' and an empty string.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function parseIntInput(name: string, raw: string, options: RangeOptions = {}): number {
  const text = raw.trim();
  const expected = `expected a whole number${describeRange(options)}`;
  if (!INTEGER.test(text)) throw invalid(name, raw, expected);
  const value = Number(text);
  // Beyond 2^53 the digits typed are not the number used.
  if (!Number.isSafeInteger(value) || !inRange(value, options)) throw invalid(name, raw, expected);
  return value;
}

export function parseNumberInput(name: string, raw: string, options: RangeOptions = {}): number {
  const text = raw.trim();
  const expected = `expected a number${describeRange(options)}`;
  if (!DECIMAL.test(text)) throw invalid(name, raw, expected);
  const value = Number(text);
  if (!Number.isFinite(value) || !inRange(value, options)) throw invalid(name, raw, expected);
  return value;
}

const DURATION_UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
] as const;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/y;
const DURATION_EXPECTED = 'expected a duration like 90s, 30m or 2h';

/** `90s`, `30m`, `2h`, `1h30m`, `1.5h`, `500ms`, `2d`, or a plain whole number of seconds; returns milliseconds. */
export function parseDurationInput(name: string, raw: string, options: RangeOptions = {}): number {
  const text = raw.trim();
  const ms = durationMs(text);
  if (ms === undefined) throw invalid(name, raw, DURATION_EXPECTED);
  if (!inRange(ms, options))
    throw invalid(name, raw, `expected a duration${describeRange(options, formatDurationInput)}`);
  return ms;
}

function durationMs(text: string): number | undefined {
  if (/^\d+$/.test(text)) return safe(Number(text) * 1000);
  let total = 0;
  let lastUnit = -1;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const match = DURATION_PART.exec(text);
    if (!match) return undefined;
    const unitIndex = DURATION_UNITS.findIndex(([unit]) => unit === match[2]);
    // Largest unit first, each once: `30m1h` or `1m1m` is more likely a typo than a wish.
    if (unitIndex <= lastUnit) return undefined;
    lastUnit = unitIndex;
    total += Number(match[1]) * DURATION_UNITS[unitIndex]![1];
  }
  return lastUnit === -1 ? undefined : safe(Math.round(total));
}

function safe(n: number): number | undefined {
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Milliseconds as the parser reads them back: `1h30m`, `90s`, `500ms`, `0s`. */
export function formatDurationInput(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(Math.abs(ms));
  let text = ms < 0 ? '-' : '';
  for (const [unit, size] of DURATION_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}

export function parseEnumInput<const V extends string>(name: string, raw: string, values: readonly V[]): V {
  const text = raw.trim();
  if ((values as readonly string[]).includes(text)) return text as V;
  const sameLetters = values.find((v) => v.toLowerCase() === text.toLowerCase());
  const hint = sameLetters === undefined ? '' : ` (values are case-sensitive: did you mean ${sameLetters}?)`;
  throw invalid(name, raw, `expected one of ${values.join(', ')}${hint}`);
}

export interface ListOptions<T = string> {
  /** Parses or checks one item; throw a ConfigurationError to refuse it. Returning undefined keeps the item as is. */
  item?: (name: string, item: string) => T;
  /** Split on commas as well as newlines (default true); turn off when items may contain commas. */
  splitOnCommas?: boolean;
}

/** Newline- or comma-separated items, trimmed, empty ones dropped. */
export function parseListInput<T = string>(name: string, raw: string, options: ListOptions<T> = {}): T[] {
  const separator = options.splitOnCommas === false ? /\r?\n/ : /\r?\n|,/;
  const items = raw
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const { item: check } = options;
  if (!check) return items as T[];
  return items.map((item) => {
    let parsed: T;
    try {
      parsed = check(name, item);
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      throw invalid(name, item, error instanceof Error ? error.message : String(error));
    }
    return parsed === undefined ? (item as T) : parsed;
  });
}

export interface MapOptions {
  /** 'string' (default) keeps every value as written (`0.10` stays "0.10"); 'any' gives YAML's typed values. */
  values?: 'string' | 'any';
}

const MAP_EXPECTED = 'expected a YAML or JSON mapping (key: value) or key=value lines';

/** A YAML/JSON mapping or `key=value` lines. Keys are unique; string values unless `values: 'any'`. */
export function parseMapInput(name: string, raw: string, options: { values: 'any' }): Record<string, unknown>;
export function parseMapInput(name: string, raw: string, options?: MapOptions): Record<string, string>;
export function parseMapInput(name: string, raw: string, options: MapOptions = {}): Record<string, unknown> {
  return looksLikeKeyValueLines(raw) ? parseKeyValueLines(name, raw) : parseYamlMapping(name, raw, options);
}

// Decided on the first line: `msg=a: b` is a key=value line, `url: http://x?a=b` is YAML.
function looksLikeKeyValueLines(raw: string): boolean {
  const first = raw.split(/\r?\n/).find((line) => line.trim() !== '' && !line.trim().startsWith('#'));
  if (first === undefined || /^\s*[{["'-]/.test(first)) return false;
  const equals = first.indexOf('=');
  const colon = first.indexOf(':');
  return equals > 0 && (colon === -1 || equals < colon);
}

function parseKeyValueLines(name: string, raw: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = raw.split(/\r?\n/);
  lines.forEach((line, index) => {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    const equals = text.indexOf('=');
    const at = `line ${index + 1} ${quote(text)}`;
    if (equals === -1) throw mapProblem(name, `${at} has no '=': ${MAP_EXPECTED}`);
    const key = text.slice(0, equals).trim();
    if (key === '') throw mapProblem(name, `${at} has no key before '='`);
    if (Object.hasOwn(result, key)) throw mapProblem(name, `duplicate key ${quote(key)} at line ${index + 1}`);
    setOwn(result, key, text.slice(equals + 1).trim());
  });
  return result;
}

function parseYamlMapping(name: string, raw: string, { values = 'string' }: MapOptions): Record<string, unknown> {
  // The failsafe schema leaves every scalar as the text written, which is what string values should be.
  const schema = values === 'any' ? 'core' : 'failsafe';
  const doc = parseDocument(raw, { version: '1.2', uniqueKeys: true, schema });
  const [error] = doc.errors;
  if (error) throw mapProblem(name, `${describeYamlError(raw, error)}; ${MAP_EXPECTED}`);
  if (!isMap(doc.contents)) throw invalid(name, raw, MAP_EXPECTED);
  const result: Record<string, unknown> = {};
  for (const { key, value } of doc.contents.items) {
    if (!isScalar(key)) throw mapProblem(name, `keys must be plain text, not a list or mapping; ${MAP_EXPECTED}`);
    const keyText = String(key.value);
    const node = isAlias(value) ? value.resolve(doc) : value;
    if (values === 'any') {
      setOwn(result, keyText, isNode(node) ? node.toJS(doc) : (node ?? null));
    } else if (node === null || node === undefined || isScalar(node)) {
      setOwn(result, keyText, node ? String(node.value ?? '') : '');
    } else {
      throw mapProblem(
        name,
        `the value of key ${quote(keyText)} is a list or mapping; expected text, a number or a boolean`,
      );
    }
  }
  return result;
}

function describeYamlError(source: string, error: YAMLError): string {
  // yaml's message ends with its own position and a code excerpt; keep the sentence, give the position our way.
  const sentence = error.message.split(/ at line \d+, column \d+/)[0]!.trim();
  const position = error.linePos?.[0];
  if (!position) return `YAML error: ${sentence}`;
  const line = source.split(/\r?\n/)[position.line - 1]?.trim() ?? '';
  return `YAML error at line ${position.line}, column ${position.col} (${quote(line)}): ${sentence}`;
}

function mapProblem(name: string, detail: string): ConfigurationError {
  return new ConfigurationError(`Input '${name}' has an invalid value: ${detail}`, { input: name });
}

// A key named `__proto__` must become an entry, not a new prototype.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------------------------
// Storage locations

export type StorageUri =
  | {
      kind: 's3';
      bucket: string;
      /** Without a leading slash; '' for the bucket root. A trailing slash is kept: it marks a prefix. */
      key: string;
      /** The location as written (trimmed). */
      uri: string;
    }
  | {
      kind: 'local';
      /** A plain path as written (relative stays relative), or the path of a file:// URL. */
      path: string;
      /** The location as written (trimmed). */
      uri: string;
    };

export type StorageKind = StorageUri['kind'];

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;
const BUCKET_CHARS = /^[a-z0-9.-]{3,63}$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;

/** Parses `s3://bucket/key`, `file:///path` or a plain path; the reason on failure is a phrase for a message. */
function readStorageUri(text: string): StorageUri | { problem: string } {
  const uri = text.trim();
  if (uri === '') return { problem: 'expected an s3:// URI or a local path' };
  if (uri.includes('\0')) return { problem: 'a location cannot contain a NUL character' };
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'local', path: uri, uri };
  if (scheme === 'file') {
    try {
      return { kind: 'local', path: fileURLToPath(uri), uri };
    } catch (error) {
      return { problem: `not a usable file:// URL (${error instanceof Error ? error.message : String(error)})` };
    }
  }
  if (scheme !== 's3')
    return { problem: `the scheme '${scheme}' is not supported: use s3://bucket/key or a local path` };
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  const bucketProblem = checkBucketName(bucket);
  if (bucketProblem) return { problem: bucketProblem };
  if (Buffer.byteLength(key, 'utf8') > 1024) return { problem: 'an S3 key is at most 1024 bytes' };
  return { kind: 's3', bucket, key, uri };
}

function checkBucketName(bucket: string): string | undefined {
  const rules =
    'bucket names are 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  if (bucket === '') return 'the bucket name is missing: expected s3://bucket/key';
  if (!BUCKET_CHARS.test(bucket) || !/^[a-z0-9]/.test(bucket) || !/[a-z0-9]$/.test(bucket)) {
    return `${quote(bucket)} is not a valid bucket name: ${rules}`;
  }
  if (bucket.includes('..')) return `${quote(bucket)} is not a valid bucket name: two dots cannot be adjacent`;
  if (IP_ADDRESS.test(bucket)) return `${quote(bucket)} is not a valid bucket name: it cannot look like an IP address`;
  return undefined;
}

/** A storage location from anywhere (inputs, registry files, manifests); throws a ConfigurationError on nonsense. */
export function parseStorageUri(text: string): StorageUri {
  const parsed = readStorageUri(text);
  if ('problem' in parsed) throw new ConfigurationError(`${quote(text)} is not a storage location: ${parsed.problem}`);
  return parsed;
}

export interface UriOptions {
  /** Accept only S3 or only local locations. */
  kind?: StorageKind;
}

export function parseUriInput<K extends StorageKind = StorageKind>(
  name: string,
  raw: string,
  options: { kind?: K } = {},
): Extract<StorageUri, { kind: K }> {
  const parsed = readStorageUri(raw);
  if ('problem' in parsed) throw invalid(name, raw, parsed.problem);
  if (options.kind !== undefined && parsed.kind !== options.kind) {
    const wanted = options.kind === 's3' ? 'an s3://bucket/key URI' : 'a local path or file:// URL';
    throw invalid(name, raw, `expected ${wanted}`);
  }
  return parsed as Extract<StorageUri, { kind: K }>;
}

/**
 * A `kms-key` input: the characters and length SageMaker allows in a KmsKeyId, which covers the id, alias and ARN forms
 * S3 takes too, so a pasted typo fails before anything is uploaded rather than as an AccessDenied later.
 */
export const KMS_KEY_INPUT = {
  pattern: /[a-zA-Z0-9:/_-]+/,
  patternDescription: 'a KMS key id, alias or ARN',
  maxLength: 2048,
} as const satisfies StringOptions;

// ---------------------------------------------------------------------------------------------------------------
// Declarative specs

export type InputType = 'string' | 'bool' | 'int' | 'number' | 'duration' | 'enum' | 'list' | 'map' | 'uri';

export interface CommonOptions {
  required?: boolean;
  /** As written in action.yml; parsed by the same parser when the input is unset. */
  default?: string;
}

/**
 * One input. `AlwaysSet` is true when the input is required or has a default, so the parsed value cannot be
 * undefined; it exists at runtime too so the contract test and docs can read it.
 */
export interface InputDefinition<T = unknown, AlwaysSet extends boolean = boolean> {
  readonly type: InputType;
  readonly required: boolean;
  readonly default: string | undefined;
  readonly secret: boolean;
  /** For enums: the accepted values, for docs. */
  readonly values?: readonly string[];
  readonly alwaysSet: AlwaysSet;
  readonly parse: (name: string, raw: string) => T;
}

export type InputSpec = Record<string, InputDefinition>;

/** The raw value as the runner passes it; undefined when unset. */
export type InputSource = (name: string) => string | undefined;

// A default only guarantees a value when it is a known non-empty literal ('' means unset) and not an expression that
// the runner evaluates (which can come out empty, or not be evaluated at all on a local run).
type AlwaysSet<O> = O extends { required: true }
  ? true
  : O extends { default: infer D extends string }
    ? string extends D
      ? false
      : D extends ''
        ? false
        : D extends `${string}\${{${string}`
          ? false
          : true
    : false;

export type ParsedInputs<S extends InputSpec> = {
  -readonly [K in keyof S]: S[K] extends InputDefinition<infer T, infer A>
    ? A extends true
      ? T
      : T | undefined
    : never;
};

function define<T, O extends CommonOptions & { secret?: boolean }>(
  type: InputType,
  options: O | undefined,
  parse: (name: string, raw: string) => T,
  values?: readonly string[],
): InputDefinition<T, AlwaysSet<O>> {
  const required = options?.required === true;
  const defaultValue = options?.default;
  if (defaultValue !== undefined && defaultValue !== '' && defaultValue.trim() === '') {
    // The type would promise a value that the runtime treats as unset.
    throw new TypeError(`A default of only whitespace reads as unset: use '' or leave the default out`);
  }
  const hasDefault = defaultValue !== undefined && defaultValue !== '';
  return {
    type,
    required,
    default: defaultValue,
    secret: options?.secret === true,
    ...(values ? { values } : {}),
    alwaysSet: (required || (hasDefault && !options?.default?.includes('${{'))) as AlwaysSet<O>,
    parse,
  };
}

type ListItem<O> = O extends { item: (name: string, item: string) => infer T }
  ? [T] extends [void]
    ? string
    : T
  : string;
type UriResult<O> = O extends { kind: infer K extends StorageKind } ? Extract<StorageUri, { kind: K }> : StorageUri;
type MapResult<O> = O extends { values: 'any' } ? Record<string, unknown> : Record<string, string>;

/* eslint-disable @typescript-eslint/no-empty-object-type -- `{}` is the "no options given" case of each builder */
export const inputs = {
  string: <const O extends CommonOptions & StringOptions = {}>(options?: O) =>
    define<string, O>('string', options, (name, raw) => parseStringInput(name, raw, options)),
  bool: <const O extends CommonOptions = {}>(options?: O) => define<boolean, O>('bool', options, parseBoolInput),
  int: <const O extends CommonOptions & RangeOptions = {}>(options?: O) =>
    define<number, O>('int', options, (name, raw) => parseIntInput(name, raw, options)),
  number: <const O extends CommonOptions & RangeOptions = {}>(options?: O) =>
    define<number, O>('number', options, (name, raw) => parseNumberInput(name, raw, options)),
  /** Milliseconds; `min`/`max` in milliseconds. */
  duration: <const O extends CommonOptions & RangeOptions = {}>(options?: O) =>
    define<number, O>('duration', options, (name, raw) => parseDurationInput(name, raw, options)),
  enum: <const V extends string, const O extends CommonOptions & { default?: NoInfer<V> } = {}>(
    values: readonly V[],
    options?: O,
  ) => define<V, O>('enum', options, (name, raw) => parseEnumInput(name, raw, values), values),
  list: <const O extends CommonOptions & ListOptions<unknown> = {}>(options?: O) =>
    define<ListItem<O>[], O>('list', options, (name, raw) => parseListInput(name, raw, options) as ListItem<O>[]),
  map: <const O extends CommonOptions & MapOptions = {}>(options?: O) =>
    define<MapResult<O>, O>('map', options, (name, raw) => parseMapInput(name, raw, options) as MapResult<O>),
  uri: <const O extends CommonOptions & UriOptions = {}>(options?: O) =>
    define<UriResult<O>, O>('uri', options, (name, raw) => parseUriInput(name, raw, options) as UriResult<O>),
};
/* eslint-enable @typescript-eslint/no-empty-object-type */

/** Reads inputs as the runner passes them: `INPUT_` + name with spaces as `_`, upper-cased, dashes kept; trimmed. */
export function envInputSource(env: NodeJS.ProcessEnv = process.env): InputSource {
  return (name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`]?.trim();
}

export interface ParseInputsOptions {
  /** Called with each secret input's value before it is checked, so it is masked even in a failure; pass core.setSecret. */
  onSecret?: (value: string) => void;
}

/** Parses every input of the spec; one ConfigurationError lists all the problems, one sentence per input. */
export function parseInputs<S extends InputSpec>(
  spec: S,
  source: InputSource = envInputSource(),
  options: ParseInputsOptions = {},
): ParsedInputs<S> {
  const result: Record<string, unknown> = {};
  const problems: string[] = [];
  const badInputs: string[] = [];
  for (const [name, definition] of Object.entries(spec)) {
    const given = source(name)?.trim();
    // A default that is an expression (`${{ github.token }}`) is the runner's to evaluate; when the value still
    // arrives empty (a local run, or an expression that evaluated to nothing) there is no value, not the literal text.
    const fallback = definition.default?.includes('${{') ? undefined : definition.default?.trim() || undefined;
    const raw = given ? given : fallback;
    if (raw === undefined) {
      if (definition.required) {
        problems.push(`Input required and not supplied: ${name}`);
        badInputs.push(name);
      }
      setOwn(result, name, undefined);
      continue;
    }
    if (definition.secret) options.onSecret?.(raw);
    try {
      setOwn(result, name, definition.parse(name, raw));
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      problems.push(...error.problems);
      badInputs.push(name);
    }
  }
  if (problems.length > 0)
    throw new ConfigurationError(problems, badInputs.length === 1 ? { input: badInputs[0] } : {});
  return result as ParsedInputs<S>;
}

// ---------------------------------------------------------------------------------------------------------------
// Combinations

// undefined, null and '' are "not given"; false and 0 are values a user chose.
function givenNames<K extends string>(values: { readonly [P in K]?: unknown }, names: readonly K[]): K[] {
  return names.filter((name) => {
    const value = values[name];
    return value !== undefined && value !== null && value !== '';
  });
}

function conflict(given: readonly string[], rule: string, names: readonly string[]): ConfigurationError {
  const quoted = given.map((name) => `'${name}'`);
  return new ConfigurationError(
    `Inputs ${listWords(quoted, 'and')} cannot be used together: ${rule} ${names.join(', ')}`,
    {
      input: given[0],
    },
  );
}

/** Returns the one input given; throws when none or several are. */
export function exactlyOneOf<const K extends string>(values: { readonly [P in K]?: unknown }, names: readonly K[]): K {
  const given = givenNames(values, names);
  if (given.length === 0) {
    throw new ConfigurationError(`Input required and not supplied: give exactly one of ${names.join(', ')}`, {
      input: names[0],
    });
  }
  if (given.length > 1) throw conflict(given, 'give exactly one of', names);
  return given[0]!;
}

/** Returns the input given, if any; throws when several are. */
export function atMostOneOf<const K extends string>(
  values: { readonly [P in K]?: unknown },
  names: readonly K[],
): K | undefined {
  const given = givenNames(values, names);
  if (given.length > 1) throw conflict(given, 'give at most one of', names);
  return given[0];
}
