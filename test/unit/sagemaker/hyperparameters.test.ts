import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ConfigurationError } from '@mlops-actions/core';
import {
  buildHyperparameters,
  encodeHyperparameterValue,
  HYPERPARAMETER_LIMITS,
  parsePythonJson,
  pythonFloatRepr,
  pythonJsonDumps,
  pythonStr,
  toPyValue,
} from '@mlops-actions/sagemaker';
import { python } from './helpers.js';

function configurationError(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigurationError');
}

describe('encodeHyperparameterValue', () => {
  it('JSON-encodes like the SDK’s json.dumps for script mode', () => {
    const cases: [unknown, string][] = [
      ['adam', '"adam"'],
      [0.1, '0.1'],
      [100, '100'],
      [1e-5, '1e-05'],
      [1e16, '10000000000000000'],
      [1e21, '1e+21'],
      [true, 'true'],
      [null, 'null'],
      [[1, 2.5, 'a'], '[1, 2.5, "a"]'],
      [{ layers: [64, 32], dropout: 0.25 }, '{"layers": [64, 32], "dropout": 0.25}'],
      ['café', '"caf\\u00e9"'],
      ['say "hi"\n', '"say \\"hi\\"\\n"'],
    ];
    for (const [value, expected] of cases) assert.equal(encodeHyperparameterValue(value), expected, String(value));
  });

  it('passes raw strings for algorithm images and str() for the rest', () => {
    assert.equal(encodeHyperparameterValue('binary:logistic', 'raw'), 'binary:logistic');
    assert.equal(encodeHyperparameterValue(0.1, 'raw'), '0.1');
    assert.equal(encodeHyperparameterValue(200, 'raw'), '200');
    assert.equal(encodeHyperparameterValue(true, 'raw'), 'True');
    assert.equal(encodeHyperparameterValue([1, 'a'], 'raw'), "[1, 'a']");
  });

  it('agrees with CPython’s json.dumps and str() on any JSON value', () => {
    // A JavaScript value means what Python's json.loads makes of its JSON text.
    const samples = fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: 300, seed: 42 });
    const texts = samples.map((value) => JSON.stringify(value));
    const expected = python<{ json: string; str: string }[]>(
      `import json, sys
print(json.dumps([{"json": json.dumps(json.loads(t)), "str": str(json.loads(t))} for t in json.load(sys.stdin)]))`,
      texts,
    );
    texts.forEach((text, i) => {
      const value: unknown = JSON.parse(text);
      assert.equal(encodeHyperparameterValue(value, 'json'), expected[i]!.json, text);
      assert.equal(encodeHyperparameterValue(value, 'raw'), expected[i]!.str, text);
    });
  });
});

describe('Python value helpers', () => {
  it('writes floats like repr(float)', () => {
    const floats = [
      0.1,
      1e-5,
      1.5e-7,
      0.0001,
      123.456,
      1e15,
      1e16,
      2.5e22,
      -0.5,
      5e-324,
      1.7976931348623157e308,
      1 / 3,
    ];
    const expected = python<string[]>(
      'import json, sys\nprint(json.dumps([repr(float(x)) for x in json.load(sys.stdin)]))',
      floats,
    );
    assert.deepEqual(
      floats.map((x) => pythonFloatRepr(x)),
      expected,
    );
    assert.equal(pythonFloatRepr(1), '1.0');
    assert.equal(pythonFloatRepr(-0), '-0.0');
  });

  it('reads JSON keeping ints, floats and big ints apart, like json.loads', () => {
    assert.deepEqual(parsePythonJson('1'), { kind: 'int', digits: '1' });
    assert.deepEqual(parsePythonJson('1.0'), { kind: 'float', value: 1 });
    assert.deepEqual(parsePythonJson('12345678901234567890123'), { kind: 'int', digits: '12345678901234567890123' });
    assert.equal(pythonJsonDumps(parsePythonJson('[1.0, 2, 1e400, NaN]')), '[1.0, 2, Infinity, NaN]');
    assert.equal(
      pythonStr(parsePythonJson('{"b": 1.0, "a": [true, null, "x\'y"]}')),
      `{'b': 1.0, 'a': [True, None, "x'y"]}`,
    );
    assert.equal(pythonJsonDumps(parsePythonJson('{"a": 1, "a": 2}')), '{"a": 2}');
    for (const bad of ['adam', '', '{', '[1,]', '01', '"\\x"', '1 2']) {
      assert.throws(() => parsePythonJson(bad), /at character/, bad);
    }
  });

  it('round-trips what Python writes, for texts only Python can tell apart', () => {
    const texts = [
      '1.0',
      '-0.0',
      '1e-05',
      '[1, 2.0]',
      '{"z": 1, "a": {"k": [0.5, "é"]}}',
      '"\\ud83d\\ude00"',
      '18446744073709551616',
    ];
    const expected = python<{ json: string; compact: string; str: string }[]>(
      `import json, sys
out = []
for t in json.load(sys.stdin):
    v = json.loads(t)
    out.append({"json": json.dumps(v), "compact": json.dumps(v, sort_keys=True, separators=(",", ":")), "str": str(v)})
print(json.dumps(out))`,
      texts,
    );
    texts.forEach((text, i) => {
      const value = parsePythonJson(text);
      assert.equal(pythonJsonDumps(value), expected[i]!.json, text);
      assert.equal(pythonJsonDumps(value, { sortKeys: true, compact: true }), expected[i]!.compact, text);
      assert.equal(pythonStr(value), expected[i]!.str, text);
    });
  });

  it('treats integral JavaScript numbers as ints only where JSON.stringify writes them without an exponent', () => {
    assert.deepEqual(toPyValue(3), { kind: 'int', digits: '3' });
    assert.deepEqual(toPyValue(-0), { kind: 'int', digits: '0' });
    assert.deepEqual(toPyValue(1e21), { kind: 'float', value: 1e21 });
    assert.throws(() => toPyValue(() => 1), TypeError);
  });
});

describe('buildHyperparameters', () => {
  it('merges the script-mode settings, JSON-encoded, into the user’s values', () => {
    const encoded = buildHyperparameters(
      { epochs: 10, optimizer: 'adam', 'learning-rate': 0.1 },
      {
        scriptMode: {
          entryPoint: 'train.py',
          submitDirectory: 's3://bucket/prefix/job-1/source/sourcedir.tar.gz',
          region: 'us-east-1',
          jobName: 'job-1',
        },
      },
    );
    assert.deepEqual(encoded, {
      epochs: '10',
      optimizer: '"adam"',
      'learning-rate': '0.1',
      sagemaker_program: '"train.py"',
      sagemaker_submit_directory: '"s3://bucket/prefix/job-1/source/sourcedir.tar.gz"',
      sagemaker_container_log_level: '20',
      sagemaker_job_name: '"job-1"',
      sagemaker_region: '"us-east-1"',
    });
  });

  it('leaves the region out when there is none and honours a log level', () => {
    const encoded = buildHyperparameters(
      {},
      { scriptMode: { entryPoint: 'a.py', submitDirectory: '/code', jobName: 'j', containerLogLevel: 10 } },
    );
    assert.equal(encoded.sagemaker_container_log_level, '10');
    assert.ok(!('sagemaker_region' in encoded));
  });

  it('sends raw strings without script-mode settings for algorithm images', () => {
    assert.deepEqual(
      buildHyperparameters({ objective: 'binary:logistic', num_round: 100, eta: 0.2 }, { encoding: 'raw' }),
      {
        objective: 'binary:logistic',
        num_round: '100',
        eta: '0.2',
      },
    );
  });

  it('refuses user names starting with sagemaker_, naming hyperparameters', () => {
    const error = configurationError(() => buildHyperparameters({ sagemaker_program: 'evil.py', ok: 1 }));
    assert.equal(error.input, 'hyperparameters');
    assert.match(error.message, /"sagemaker_program": names starting with sagemaker_ are reserved/);
  });

  it('counts the script-mode entries against the limit of 100', () => {
    const user = Object.fromEntries(Array.from({ length: 96 }, (_, i) => [`p${i}`, i]));
    const scriptMode = { entryPoint: 'train.py', submitDirectory: 's3://b/k', jobName: 'j', region: 'us-east-1' };
    const error = configurationError(() => buildHyperparameters(user, { scriptMode }));
    assert.match(
      error.message,
      /gives 101 hyperparameters \(5 of them the action's own sagemaker_\* settings\); SageMaker accepts at most 100/,
    );
    delete user.p0;
    assert.equal(Object.keys(buildHyperparameters(user, { scriptMode })).length, HYPERPARAMETER_LIMITS.maxEntries);
  });

  it('checks key and encoded value lengths at the API’s limits (256 and 2500)', () => {
    // A string of n characters encodes to n + 2 with its quotes.
    assert.doesNotThrow(() => buildHyperparameters({ notes: 'x'.repeat(2498), ['k'.repeat(256)]: 1 }));
    const error = configurationError(() => buildHyperparameters({ notes: 'x'.repeat(2499), ['k'.repeat(257)]: 1 }));
    assert.equal(error.problems.length, 2);
    assert.ok(error.problems.some((p) => /a name of 257 characters/.test(p)));
    assert.ok(
      error.problems.some((p) =>
        /"notes" whose encoded value is 2501 characters; SageMaker accepts at most 2500/.test(p),
      ),
    );
  });

  it('reports every problem at once', () => {
    const error = configurationError(() =>
      buildHyperparameters({ '': 1, sagemaker_x: 2, fn: () => 3, fine: 4 } as Record<string, unknown>),
    );
    assert.equal(error.problems.length, 3);
    assert.match(error.problems[0]!, /an entry without a name/);
    assert.match(error.problems[2]!, /"fn" with a value that is not text/);
  });
});
