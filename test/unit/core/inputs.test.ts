import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigurationError } from '../../../packages/core/src/errors.js';
import {
  atMostOneOf,
  envInputSource,
  exactlyOneOf,
  formatDurationInput,
  inputs,
  parseBoolInput,
  parseDurationInput,
  parseEnumInput,
  parseInputs,
  parseIntInput,
  parseListInput,
  parseMapInput,
  parseNumberInput,
  parseStorageUri,
  parseStringInput,
  parseUriInput,
  type InputSource,
  type StorageUri,
} from '../../../packages/core/src/inputs.js';

// Compile-time equality: a mismatch fails `tsc --noEmit`.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<_T extends true>(): void {}

function sourceOf(values: Record<string, string>): InputSource {
  return (name) => values[name];
}

/** The ConfigurationError thrown by `fn`, failing when there is none. */
function configurationError(fn: () => unknown): ConfigurationError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigurationError');
}

function rejects(fn: () => unknown, input: string | undefined, ...fragments: (string | RegExp)[]): void {
  const error = configurationError(fn);
  assert.equal(error.input, input);
  for (const fragment of fragments) {
    if (typeof fragment === 'string')
      assert.ok(error.message.includes(fragment), `"${error.message}" lacks "${fragment}"`);
    else assert.match(error.message, fragment);
  }
}

describe('parseStringInput', () => {
  it('returns the value when it passes the checks', () => {
    assert.equal(parseStringInput('role', 'arn:aws:iam::1:role/x'), 'arn:aws:iam::1:role/x');
    assert.equal(parseStringInput('name', 'abc', { pattern: /[a-z]+/, maxLength: 3 }), 'abc');
  });

  it('matches the pattern against the whole value, whatever flags the regex has', () => {
    const pattern = /[a-z]+/g;
    rejects(() => parseStringInput('name', 'abc1', { pattern }), 'name', 'expected a value matching /[a-z]+/g');
    assert.equal(parseStringInput('name', 'abc', { pattern }), 'abc');
    assert.equal(parseStringInput('name', 'abc', { pattern }), 'abc');
  });

  it('says what the pattern accepts in words when given', () => {
    rejects(
      () =>
        parseStringInput('region', 'Europe', {
          pattern: /[a-z]{2}-[a-z]+-\d/,
          patternDescription: 'an AWS region like eu-west-1',
        }),
      'region',
      `Input 'region' has an invalid value "Europe": expected an AWS region like eu-west-1`,
    );
  });

  it('refuses values over maxLength', () => {
    rejects(() => parseStringInput('name', 'abcd', { maxLength: 3 }), 'name', 'expected at most 3 characters, got 4');
  });

  it('never quotes a secret value', () => {
    const error = configurationError(() =>
      parseStringInput('token', 'hunter2-secret', { secret: true, pattern: /ghp_\w+/, maxLength: 5 }),
    );
    assert.ok(!error.message.includes('hunter2'));
    assert.equal(error.message, `Input 'token' has an invalid value: expected at most 5 characters, got 14`);
  });
});

describe('parseBoolInput', () => {
  for (const [raw, expected] of [
    ['true', true],
    ['True', true],
    ['TRUE', true],
    ['false', false],
    ['False', false],
    ['FALSE', false],
    [' true ', true],
  ] as const) {
    it(`reads ${JSON.stringify(raw)} as ${expected}`, () => assert.equal(parseBoolInput('x', raw), expected));
  }

  for (const raw of ['yes', 'no', 'on', 'off', '1', '0', 'tRUE', 'y', 't', '']) {
    it(`refuses ${JSON.stringify(raw)} and lists what is accepted`, () => {
      rejects(
        () => parseBoolInput('dry-run', raw),
        'dry-run',
        `Input 'dry-run' has an invalid value ${JSON.stringify(raw)}: expected a YAML 1.2 boolean: true | True | TRUE | false | False | FALSE`,
      );
    });
  }
});

describe('parseIntInput', () => {
  const accepted: [string, number, { min?: number; max?: number }?][] = [
    ['0', 0],
    ['42', 42],
    ['-7', -7],
    ['+7', 7],
    ['007', 7],
    [' 12 ', 12],
    ['1', 1, { min: 1, max: 1 }],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
  ];
  for (const [raw, expected, range] of accepted) {
    it(`reads ${JSON.stringify(raw)}`, () => assert.equal(parseIntInput('n', raw, range), expected));
  }

  const refused = [
    '',
    ' ',
    '1.5',
    '1.0',
    '1e3',
    '0x10',
    '0b1',
    'NaN',
    'Infinity',
    '-Infinity',
    '12abc',
    '1 2',
    '1_000',
    '9007199254740993',
  ];
  for (const raw of refused) {
    it(`refuses ${JSON.stringify(raw)}`, () => rejects(() => parseIntInput('n', raw), 'n', 'expected a whole number'));
  }

  it('enforces inclusive bounds and says them', () => {
    rejects(
      () => parseIntInput('instance-count', '0', { min: 1, max: 100 }),
      'instance-count',
      `Input 'instance-count' has an invalid value "0": expected a whole number between 1 and 100`,
    );
    rejects(() => parseIntInput('n', '101', { min: 1, max: 100 }), 'n', 'between 1 and 100');
    rejects(() => parseIntInput('n', '-1', { min: 0 }), 'n', 'expected a whole number of at least 0');
    rejects(() => parseIntInput('n', '11', { max: 10 }), 'n', 'expected a whole number of at most 10');
  });

  it('round-trips every safe integer within its bounds', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), fc.maxSafeNat(), fc.maxSafeNat(), (value, below, above) => {
        const min = Math.max(Number.MIN_SAFE_INTEGER, value - below);
        const max = Math.min(Number.MAX_SAFE_INTEGER, value + above);
        assert.equal(parseIntInput('n', String(value), { min, max }), value);
      }),
    );
  });
});

describe('parseNumberInput', () => {
  const accepted: [string, number][] = [
    ['0', 0],
    ['0.1', 0.1],
    ['.5', 0.5],
    ['5.', 5],
    ['-2.5', -2.5],
    ['1e-3', 0.001],
    ['1E3', 1000],
  ];
  for (const [raw, expected] of accepted) {
    it(`reads ${JSON.stringify(raw)}`, () => assert.equal(parseNumberInput('lr', raw), expected));
  }

  for (const raw of ['', '.', 'NaN', 'Infinity', '-Infinity', '1e999', '0x1A', '1,5', '1.2.3', '3%', 'e5', '1e']) {
    it(`refuses ${JSON.stringify(raw)}`, () => rejects(() => parseNumberInput('lr', raw), 'lr', 'expected a number'));
  }

  it('enforces inclusive bounds', () => {
    assert.equal(parseNumberInput('ratio', '1', { min: 0, max: 1 }), 1);
    rejects(
      () => parseNumberInput('ratio', '1.01', { min: 0, max: 1 }),
      'ratio',
      `Input 'ratio' has an invalid value "1.01": expected a number between 0 and 1`,
    );
  });
});

describe('parseDurationInput', () => {
  const accepted: [string, number][] = [
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1m500ms', 60_500],
    ['2d', 172_800_000],
    ['1.5h', 5_400_000],
    ['90', 90_000],
    ['0', 0],
  ];
  for (const [raw, expected] of accepted) {
    it(`reads ${raw} as ${expected} ms`, () => assert.equal(parseDurationInput('timeout', raw), expected));
  }

  const refused = ['', '9x', 'h', '-5s', '1.5', '30m1h', '1m1m', '1h 30m', '2H', '1 h', 's30', '1e3s', 'PT1H'];
  for (const raw of refused) {
    it(`refuses ${JSON.stringify(raw)}`, () => {
      rejects(
        () => parseDurationInput('max-runtime', raw),
        'max-runtime',
        `Input 'max-runtime' has an invalid value ${JSON.stringify(raw)}: expected a duration like 90s, 30m or 2h`,
      );
    });
  }

  it('enforces bounds in milliseconds and shows them as durations', () => {
    assert.equal(parseDurationInput('t', '1h', { min: 60_000, max: 3_600_000 }), 3_600_000);
    rejects(
      () => parseDurationInput('max-runtime', '30d', { max: 28 * 86_400_000 }),
      'max-runtime',
      `Input 'max-runtime' has an invalid value "30d": expected a duration of at most 28d`,
    );
    rejects(() => parseDurationInput('t', '30s', { min: 60_000, max: 5_400_000 }), 't', 'between 1m and 1h30m');
  });

  it('round-trips n seconds, minutes and hours', () => {
    const unitMs = { s: 1000, m: 60_000, h: 3_600_000 } as const;
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.constantFrom('s', 'm', 'h'), (n, unit) => {
        assert.equal(parseDurationInput('t', `${n}${unit}`), n * unitMs[unit]);
      }),
    );
  });

  it('reads back what formatDurationInput writes', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10 * 365 * 86_400_000 }), (ms) => {
        assert.equal(parseDurationInput('t', formatDurationInput(ms)), ms);
      }),
    );
  });
});

describe('parseEnumInput', () => {
  const backends = ['sagemaker', 'local'] as const;

  it('accepts the listed values exactly', () => {
    assert.equal(parseEnumInput('backend', 'local', backends), 'local');
    assert.equal(parseEnumInput('backend', 'sagemaker', backends), 'sagemaker');
  });

  it('refuses anything else and lists the values', () => {
    rejects(
      () => parseEnumInput('backend', 'docker', backends),
      'backend',
      `Input 'backend' has an invalid value "docker": expected one of sagemaker, local`,
    );
  });

  it('is case-sensitive and says so', () => {
    rejects(() => parseEnumInput('backend', 'Local', backends), 'backend', 'case-sensitive: did you mean local?');
  });
});

describe('parseListInput', () => {
  const cases: [string, string[]][] = [
    ['a,b,c', ['a', 'b', 'c']],
    ['a\nb\r\nc', ['a', 'b', 'c']],
    [' a , b \n c ', ['a', 'b', 'c']],
    ['a,,b\n\n,c,', ['a', 'b', 'c']],
    ['single', ['single']],
    [' , \n ', []],
  ];
  for (const [raw, expected] of cases) {
    it(`splits ${JSON.stringify(raw)}`, () => assert.deepEqual(parseListInput('files', raw), expected));
  }

  it('can split on newlines only', () => {
    assert.deepEqual(parseListInput('files', 'a,b\nc', { splitOnCommas: false }), ['a,b', 'c']);
  });

  it('runs the item parser on each item', () => {
    const uris = parseListInput('inputs', 's3://bucket-a/x, ./data', { item: parseUriInput });
    assert.deepEqual(
      uris.map((uri) => uri.kind),
      ['s3', 'local'],
    );
    rejects(
      () => parseListInput('inputs', 's3://ok-bucket/x\ns3://Bad/x', { item: parseUriInput }),
      'inputs',
      '"s3://Bad/x"',
    );
  });

  it('keeps the item when a validator returns nothing, and wraps a plain Error', () => {
    const check = (_name: string, item: string): void => {
      if (item.startsWith('-')) throw new Error('an item cannot start with a dash');
    };
    assert.deepEqual(parseListInput('args', 'a,b', { item: check }), ['a', 'b']);
    rejects(
      () => parseListInput('args', 'a,-b', { item: check }),
      'args',
      `Input 'args' has an invalid value "-b": an item cannot start with a dash`,
    );
  });
});

describe('parseMapInput', () => {
  const accepted: [string, string, Record<string, string>][] = [
    [
      'a YAML mapping, values as written',
      'epochs: 10\nlr: 0.10\ndebug: true\nname: "x y"',
      { epochs: '10', lr: '0.10', debug: 'true', name: 'x y' },
    ],
    ['a JSON object', '{"epochs": 10, "optimizer": "adam"}', { epochs: '10', optimizer: 'adam' }],
    [
      'key=value lines',
      'team=ml\ncost-center = 42\n\n# a comment\nempty=',
      { team: 'ml', 'cost-center': '42', empty: '' },
    ],
    ['key=value lines whose values hold colons and equals', 'url=http://x:1/?a=b', { url: 'http://x:1/?a=b' }],
    ['YAML whose values hold equals', 'url: http://x/?a=b', { url: 'http://x/?a=b' }],
    ['an empty YAML value as ""', 'a:\nb: ~', { a: '', b: '~' }],
    ['aliases resolved', 'a: &v 1\nb: *v', { a: '1', b: '1' }],
    ['an empty flow mapping', '{}', {}],
  ];
  for (const [title, raw, expected] of accepted) {
    it(`reads ${title}`, () => assert.deepEqual(parseMapInput('hyperparameters', raw), expected));
  }

  it("gives YAML's typed values with values: 'any'", () => {
    assert.deepEqual(
      parseMapInput('config', 'n: 10\nlr: 0.1\nok: true\nnone: null\nlist: [1, 2]\nnested: {a: b}', { values: 'any' }),
      {
        n: 10,
        lr: 0.1,
        ok: true,
        none: null,
        list: [1, 2],
        nested: { a: 'b' },
      },
    );
  });

  it('keeps a __proto__ key as an entry', () => {
    const map = parseMapInput('tags', '__proto__=x');
    assert.equal(Object.getPrototypeOf(map), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(map, '__proto__')?.value, 'x');
  });

  it('refuses YAML that is not a mapping', () => {
    for (const raw of ['[1, 2]', 'just text', '- a\n- b']) {
      rejects(
        () => parseMapInput('tags', raw),
        'tags',
        'expected a YAML or JSON mapping (key: value) or key=value lines',
      );
    }
  });

  it('refuses duplicate keys in YAML with their position', () => {
    rejects(
      () => parseMapInput('tags', 'a: 1\nb: 2\na: 3'),
      'tags',
      'YAML error at line 3, column 1 ("a: 3"): Map keys must be unique',
    );
  });

  it('refuses duplicate keys in key=value lines', () => {
    rejects(
      () => parseMapInput('tags', 'a=1\na=2'),
      'tags',
      `Input 'tags' has an invalid value: duplicate key "a" at line 2`,
    );
  });

  it('refuses key=value lines without =', () => {
    rejects(() => parseMapInput('tags', 'a=1\nb: 2\nc=3'), 'tags', `line 2 "b: 2" has no '='`);
    rejects(() => parseMapInput('tags', '=1'), 'tags');
  });

  it("reports the YAML parser's line and column", () => {
    rejects(
      () => parseMapInput('hyperparameters', 'a: 1\nb: [1, 2\nc: 3'),
      'hyperparameters',
      /YAML error at line \d+, column \d+/,
    );
    rejects(
      () => parseMapInput('hyperparameters', 'a: "open\nb: 1'),
      'hyperparameters',
      'YAML error at line 2, column 5',
      'Missing closing',
    );
  });

  it('refuses nested values when values must be strings', () => {
    rejects(
      () => parseMapInput('hyperparameters', 'layers: [1, 2]'),
      'hyperparameters',
      'the value of key "layers" is a list or mapping',
    );
  });
});

describe('parseStorageUri and parseUriInput', () => {
  const accepted: [string, StorageUri][] = [
    [
      's3://my-bucket/models/run-1/',
      { kind: 's3', bucket: 'my-bucket', key: 'models/run-1/', uri: 's3://my-bucket/models/run-1/' },
    ],
    ['s3://my.bucket.01', { kind: 's3', bucket: 'my.bucket.01', key: '', uri: 's3://my.bucket.01' }],
    ['s3://abc/', { kind: 's3', bucket: 'abc', key: '', uri: 's3://abc/' }],
    ['s3://abc/a b?c#d', { kind: 's3', bucket: 'abc', key: 'a b?c#d', uri: 's3://abc/a b?c#d' }],
    ['./data/train.csv', { kind: 'local', path: './data/train.csv', uri: './data/train.csv' }],
    ['/tmp/model', { kind: 'local', path: '/tmp/model', uri: '/tmp/model' }],
    ['file:///tmp/my%20model', { kind: 'local', path: '/tmp/my model', uri: 'file:///tmp/my%20model' }],
    ['  data  ', { kind: 'local', path: 'data', uri: 'data' }],
  ];
  for (const [text, expected] of accepted) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parseStorageUri(text), expected));
  }

  const refused: [string, string][] = [
    ['s3://', 'the bucket name is missing'],
    ['s3:///key', 'the bucket name is missing'],
    ['s3://ab/key', 'not a valid bucket name'],
    ['s3://My-Bucket/key', 'not a valid bucket name'],
    ['s3://under_score', 'not a valid bucket name'],
    ['s3://-bucket', 'not a valid bucket name'],
    ['s3://bucket-', 'not a valid bucket name'],
    [`s3://${'a'.repeat(64)}`, 'not a valid bucket name'],
    ['s3://a..b', 'two dots'],
    ['s3://192.168.0.1/x', 'IP address'],
    ['gs://bucket/key', "the scheme 'gs' is not supported"],
    ['https://example.com/x', "the scheme 'https' is not supported"],
    ['file://remote-host/x', 'not a usable file:// URL'],
    ['', 'expected an s3:// URI or a local path'],
  ];
  for (const [text, reason] of refused) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      rejects(() => parseStorageUri(text), undefined, reason);
      rejects(
        () => parseUriInput('output', text),
        'output',
        `Input 'output' has an invalid value ${JSON.stringify(text)}`,
        reason,
      );
    });
  }

  it('accepts bucket names of exactly 3 and 63 characters', () => {
    assert.equal(parseStorageUri('s3://abc').kind, 's3');
    assert.equal(parseStorageUri(`s3://${'a'.repeat(63)}`).kind, 's3');
  });

  it('can allow only one kind', () => {
    const s3 = parseUriInput('output', 's3://bucket/x', { kind: 's3' });
    assertType<Equal<typeof s3, Extract<StorageUri, { kind: 's3' }>>>();
    assert.equal(s3.bucket, 'bucket');
    rejects(() => parseUriInput('output', './x', { kind: 's3' }), 'output', 'expected an s3://bucket/key URI');
    rejects(
      () => parseUriInput('cache', 's3://bucket/x', { kind: 'local' }),
      'cache',
      'expected a local path or file:// URL',
    );
  });
});

describe('envInputSource', () => {
  it('reads INPUT_ + the upper-cased name, dashes kept, spaces as underscores', () => {
    const source = envInputSource({
      'INPUT_MODEL-NAME': 'm',
      INPUT_MODEL_NAME: 'wrong',
      INPUT_MY_INPUT: 'spaced',
    });
    assert.equal(source('model-name'), 'm');
    assert.equal(source('my input'), 'spaced');
  });

  it('trims like core.getInput and gives undefined when unset', () => {
    const source = envInputSource({ INPUT_DATA: '  s3://b/k \n', INPUT_EMPTY: '' });
    assert.equal(source('data'), 's3://b/k');
    assert.equal(source('empty'), '');
    assert.equal(source('missing'), undefined);
  });

  it('reads process.env by default', () => {
    process.env['INPUT_UNIT-TEST-PROBE'] = 'yes';
    try {
      assert.equal(envInputSource()('unit-test-probe'), 'yes');
    } finally {
      delete process.env['INPUT_UNIT-TEST-PROBE'];
    }
  });
});

describe('parseInputs', () => {
  const spec = {
    data: inputs.uri({ required: true }),
    'model-name': inputs.string({ pattern: /[a-z-]+/, patternDescription: 'lowercase letters and dashes' }),
    'dry-run': inputs.bool({ default: 'false' }),
    'instance-count': inputs.int({ default: '1', min: 1, max: 10 }),
    threshold: inputs.number(),
    'max-runtime': inputs.duration({ default: '1h' }),
    backend: inputs.enum(['sagemaker', 'local'], { default: 'local' }),
    mode: inputs.enum(['fast', 'slow']),
    files: inputs.list(),
    hyperparameters: inputs.map(),
    config: inputs.map({ values: 'any' }),
    output: inputs.uri({ kind: 's3' }),
    channels: inputs.list({ item: parseUriInput }),
  };

  it('types the result precisely', () => {
    const parsed = parseInputs(spec, sourceOf({ data: './d' }));
    assertType<
      Equal<
        typeof parsed,
        {
          data: StorageUri;
          'model-name': string | undefined;
          'dry-run': boolean;
          'instance-count': number;
          threshold: number | undefined;
          'max-runtime': number;
          backend: 'sagemaker' | 'local';
          mode: 'fast' | 'slow' | undefined;
          files: string[] | undefined;
          hyperparameters: Record<string, string> | undefined;
          config: Record<string, unknown> | undefined;
          output: Extract<StorageUri, { kind: 's3' }> | undefined;
          channels: StorageUri[] | undefined;
        }
      >
    >();
    assert.equal(parsed['dry-run'], false);
    const emptyDefault = parseInputs(
      { a: inputs.string({ default: '' }), b: inputs.bool({ required: true }) },
      sourceOf({ b: 'true' }),
    );
    assertType<Equal<typeof emptyDefault, { a: string | undefined; b: boolean }>>();
    assert.deepEqual(emptyDefault, { a: undefined, b: true });
  });

  it('parses given values and falls back to parsed defaults', () => {
    const parsed = parseInputs(
      spec,
      sourceOf({
        data: 's3://bucket/train/',
        'model-name': 'my-model',
        threshold: '0.25',
        files: 'a.csv, b.csv',
        hyperparameters: 'epochs: 3',
        config: 'n: 3',
        output: 's3://bucket/out',
        channels: 's3://bucket/a\n./b',
      }),
    );
    assert.deepEqual(parsed, {
      data: { kind: 's3', bucket: 'bucket', key: 'train/', uri: 's3://bucket/train/' },
      'model-name': 'my-model',
      'dry-run': false,
      'instance-count': 1,
      threshold: 0.25,
      'max-runtime': 3_600_000,
      backend: 'local',
      mode: undefined,
      files: ['a.csv', 'b.csv'],
      hyperparameters: { epochs: '3' },
      config: { n: 3 },
      output: { kind: 's3', bucket: 'bucket', key: 'out', uri: 's3://bucket/out' },
      channels: [
        { kind: 's3', bucket: 'bucket', key: 'a', uri: 's3://bucket/a' },
        { kind: 'local', path: './b', uri: './b' },
      ],
    });
  });

  it('treats an empty or whitespace-only value as unset', () => {
    const parsed = parseInputs(spec, sourceOf({ data: 'd', 'dry-run': '', 'instance-count': '  \n ', threshold: ' ' }));
    assert.equal(parsed['dry-run'], false);
    assert.equal(parsed['instance-count'], 1);
    assert.equal(parsed.threshold, undefined);
  });

  it('refuses a required input that is unset, in core.getInput words', () => {
    const error = configurationError(() => parseInputs(spec, sourceOf({ data: '   ' })));
    assert.deepEqual(error.problems, ['Input required and not supplied: data']);
    assert.equal(error.input, 'data');
  });

  it('collects every problem, one sentence per bad input', () => {
    const error = configurationError(() =>
      parseInputs(
        spec,
        sourceOf({
          'model-name': 'Bad_Name',
          'dry-run': 'yes',
          'instance-count': '0',
          'max-runtime': '9x',
          mode: 'FAST',
        }),
      ),
    );
    assert.deepEqual(error.problems, [
      'Input required and not supplied: data',
      `Input 'model-name' has an invalid value "Bad_Name": expected lowercase letters and dashes`,
      `Input 'dry-run' has an invalid value "yes": expected a YAML 1.2 boolean: true | True | TRUE | false | False | FALSE`,
      `Input 'instance-count' has an invalid value "0": expected a whole number between 1 and 10`,
      `Input 'max-runtime' has an invalid value "9x": expected a duration like 90s, 30m or 2h`,
      `Input 'mode' has an invalid value "FAST": expected one of fast, slow (values are case-sensitive: did you mean fast?)`,
    ]);
    assert.equal(error.message, error.problems.join('\n'));
    assert.equal(error.input, undefined);
  });

  it('parses defaults with the same parser, so a bad default is caught', () => {
    const error = configurationError(() => parseInputs({ n: inputs.int({ default: 'ten' }) }, sourceOf({})));
    assert.deepEqual(error.problems, [`Input 'n' has an invalid value "ten": expected a whole number`]);
  });

  it('checks an enum default against its values at compile time', () => {
    // @ts-expect-error 'docker' is not one of the values
    const definition = inputs.enum(['sagemaker', 'local'], { default: 'docker' });
    assert.equal(definition.default, 'docker');
  });

  it('rejects a whitespace-only default when the spec is declared', () => {
    assert.throws(() => inputs.string({ default: '  ' }), TypeError);
  });

  it('reads the environment by default', () => {
    process.env['INPUT_UNIT-PARSE-PROBE'] = ' 5 ';
    try {
      assert.deepEqual(parseInputs({ 'unit-parse-probe': inputs.int() }), { 'unit-parse-probe': 5 });
    } finally {
      delete process.env['INPUT_UNIT-PARSE-PROBE'];
    }
  });

  it('exposes names, required and defaults for the action.yml contract test', () => {
    assert.deepEqual(
      Object.entries(spec).map(([name, d]) => [name, d.type, d.required, d.default]),
      [
        ['data', 'uri', true, undefined],
        ['model-name', 'string', false, undefined],
        ['dry-run', 'bool', false, 'false'],
        ['instance-count', 'int', false, '1'],
        ['threshold', 'number', false, undefined],
        ['max-runtime', 'duration', false, '1h'],
        ['backend', 'enum', false, 'local'],
        ['mode', 'enum', false, undefined],
        ['files', 'list', false, undefined],
        ['hyperparameters', 'map', false, undefined],
        ['config', 'map', false, undefined],
        ['output', 'uri', false, undefined],
        ['channels', 'list', false, undefined],
      ],
    );
    assert.deepEqual(spec.backend.values, ['sagemaker', 'local']);
  });
});

describe('secret inputs', () => {
  const spec = {
    token: inputs.string({ secret: true, required: true, pattern: /gh[ps]_\w+/ }),
    other: inputs.string(),
  };

  it('passes each secret value to onSecret, and only secrets', () => {
    const masked: string[] = [];
    const parsed = parseInputs(spec, sourceOf({ token: ' ghp_abc ', other: 'visible' }), {
      onSecret: (v) => masked.push(v),
    });
    assert.equal(parsed.token, 'ghp_abc');
    assert.deepEqual(masked, ['ghp_abc']);
  });

  it('masks a secret before checking it, and never echoes it', () => {
    const masked: string[] = [];
    const error = configurationError(() =>
      parseInputs(spec, sourceOf({ token: 'hunter2' }), { onSecret: (v) => masked.push(v) }),
    );
    assert.deepEqual(masked, ['hunter2']);
    assert.ok(!error.message.includes('hunter2'), error.message);
    assert.deepEqual(error.problems, [`Input 'token' has an invalid value: expected a value matching /gh[ps]_\\w+/`]);
  });

  it('marks the definition as secret', () => {
    assert.equal(spec.token.secret, true);
    assert.equal(spec.other.secret, false);
  });
});

describe('exactlyOneOf and atMostOneOf', () => {
  const names = ['image-uri', 'framework', 'command'] as const;

  it('returns the one input given', () => {
    assert.equal(exactlyOneOf({ 'image-uri': undefined, framework: 'sklearn', command: '' }, names), 'framework');
    assert.equal(atMostOneOf({ framework: 'sklearn' }, names), 'framework');
    assert.equal(atMostOneOf({}, names), undefined);
  });

  it('counts false and 0 as given, undefined, null and empty as not', () => {
    assert.equal(exactlyOneOf({ a: false, b: null }, ['a', 'b']), 'a');
    assert.equal(exactlyOneOf({ a: undefined, b: 0 }, ['a', 'b']), 'b');
  });

  it('refuses inputs used together, naming them', () => {
    rejects(
      () => exactlyOneOf({ 'image-uri': 'x', framework: 'sklearn' }, names),
      'image-uri',
      `Inputs 'image-uri' and 'framework' cannot be used together: give exactly one of image-uri, framework, command`,
    );
    rejects(
      () => atMostOneOf({ 'image-uri': 'x', framework: 'y', command: 'z' }, names),
      'image-uri',
      `Inputs 'image-uri', 'framework' and 'command' cannot be used together: give at most one of image-uri, framework, command`,
    );
  });

  it('refuses none given when one is needed', () => {
    rejects(
      () => exactlyOneOf({}, names),
      'image-uri',
      'Input required and not supplied: give exactly one of image-uri, framework, command',
    );
  });

  it('works on parsed inputs', () => {
    const parsed = parseInputs(
      { 'image-uri': inputs.string(), framework: inputs.enum(['sklearn', 'xgboost']), command: inputs.string() },
      sourceOf({ command: 'python train.py' }),
    );
    assert.equal(exactlyOneOf(parsed, names), 'command');
  });
});

describe('expression defaults', () => {
  it('never hands out the literal text of an expression default', () => {
    const spec = { token: inputs.string({ default: '${{ github.token }}', secret: true }) };
    assert.equal(parseInputs(spec, () => undefined).token, undefined);
    assert.equal(parseInputs(spec, () => 'ghs_x').token, 'ghs_x');
  });
});
