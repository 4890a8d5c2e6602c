import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canonicalKey,
  classifyText,
  classifyValue,
  FrequentValues,
  HyperLogLog,
  lastParsed,
  ValueKind,
} from '@mlops-actions/data';
// Internal: the radix sort behind the KLL compactions.
import { sortDoubles } from '../../../packages/data/src/sort.js';

describe('value classification', () => {
  const cases: [string, ValueKind, number | boolean | undefined][] = [
    ['', ValueKind.Missing, undefined],
    ['   ', ValueKind.Missing, undefined],
    ['\t\r', ValueKind.Missing, undefined],
    ['NaN', ValueKind.Missing, undefined],
    ['nan', ValueKind.Missing, undefined],
    ['NULL', ValueKind.Missing, undefined],
    ['null', ValueKind.Missing, undefined],
    ['NA', ValueKind.String, undefined],
    ['None', ValueKind.String, undefined],
    ['42', ValueKind.Integral, 42],
    ['-7', ValueKind.Integral, -7],
    ['+7', ValueKind.Integral, 7],
    ['007', ValueKind.Integral, 7],
    [' 12 ', ValueKind.Integral, 12],
    ['12345678901234567890', ValueKind.Integral, 12345678901234567000],
    ['1.5', ValueKind.Fractional, 1.5],
    ['-.5', ValueKind.Fractional, -0.5],
    ['5.', ValueKind.Fractional, 5],
    ['1e-3', ValueKind.Fractional, 0.001],
    ['2.5E+2', ValueKind.Fractional, 250],
    ['1e999', ValueKind.String, undefined],
    ['1e', ValueKind.String, undefined],
    ['.', ValueKind.String, undefined],
    ['-', ValueKind.String, undefined],
    ['1,000', ValueKind.String, undefined],
    ['0x1F', ValueKind.String, undefined],
    ['inf', ValueKind.String, undefined],
    ['12 kg', ValueKind.String, undefined],
    ['true', ValueKind.Boolean, true],
    ['FALSE', ValueKind.Boolean, false],
    [' True ', ValueKind.Boolean, true],
    ['truth', ValueKind.String, undefined],
  ];
  for (const [text, kind, value] of cases) {
    it(`reads ${JSON.stringify(text)} as ${Object.keys(ValueKind)[kind]}`, () => {
      assert.equal(classifyText(text), kind);
      if (typeof value === 'number') assert.equal(lastParsed.number, value);
      if (typeof value === 'boolean') assert.equal(lastParsed.boolean, value);
    });
  }

  it('reads typed values: NaN and null are missing, ±Infinity is text, integers are Integral', () => {
    assert.equal(classifyValue(null), ValueKind.Missing);
    assert.equal(classifyValue(undefined), ValueKind.Missing);
    assert.equal(classifyValue(NaN), ValueKind.Missing);
    assert.equal(classifyValue(Infinity), ValueKind.String);
    assert.equal(classifyValue(3), ValueKind.Integral);
    assert.equal(classifyValue(3.25), ValueKind.Fractional);
    assert.equal(classifyValue(false), ValueKind.Boolean);
  });

  it('keys values canonically: numbers by value, Booleans in lower case, text as written', () => {
    assert.equal(canonicalKey('1.0'), 1);
    assert.equal(canonicalKey(' 1 '), 1);
    assert.equal(canonicalKey('TRUE'), 'true');
    assert.equal(canonicalKey(' red'), ' red');
    assert.equal(canonicalKey(''), undefined);
  });

  it('parses decimal text exactly as Number() does, fast path included (property)', () => {
    const written = fc
      .tuple(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), fc.nat(3))
      .map(([value, digits, style]) =>
        style === 0 ? value.toFixed(digits) : style === 1 ? value.toExponential(digits) : value.toPrecision(digits + 1),
      );
    fc.assert(
      fc.property(written, (text) => {
        const kind = classifyText(text);
        if (kind === ValueKind.String) return; // 1e+308-style overflow after rounding
        assert.ok(kind === ValueKind.Integral || kind === ValueKind.Fractional, text);
        assert.ok(Object.is(lastParsed.number, Number(text)) || lastParsed.number === Number(text), text);
      }),
      { numRuns: 2000 },
    );
  });

  it('parses every finite double written by String() back to itself (property)', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const kind = classifyText(String(value));
        assert.ok(kind === ValueKind.Integral || kind === ValueKind.Fractional);
        assert.ok(lastParsed.number === value, `${value} parsed as ${lastParsed.number}`);
      }),
    );
  });
});

describe('HyperLogLog', () => {
  it('estimates large distinct counts within 3 standard errors', () => {
    for (const distinct of [1_000, 50_000, 400_000]) {
      const sketch = new HyperLogLog();
      for (let i = 0; i < distinct; i++) sketch.addNumber(i * 1.5);
      const error = Math.abs(sketch.estimate() - distinct) / distinct;
      assert.ok(error <= 3 * HyperLogLog.RELATIVE_STANDARD_ERROR, `${distinct}: relative error ${error}`);
    }
  });

  it('is exact-ish for small counts and 0 when empty', () => {
    const sketch = new HyperLogLog();
    assert.equal(sketch.estimate(), 0);
    for (const word of ['a', 'b', 'c', 'a', 'b']) sketch.addString(word);
    assert.equal(sketch.estimate(), 3);
  });

  it('merges to exactly the sketch of the union', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    const union = new HyperLogLog();
    for (let i = 0; i < 20_000; i++) {
      (i % 3 === 0 ? a : b).addString(`value-${i}`);
      union.addString(`value-${i}`);
    }
    assert.deepEqual(a.merge(b).registers, union.registers);
  });
});

describe('FrequentValues', () => {
  it('counts exactly up to the capacity, with an exact distinct count', () => {
    const summary = new FrequentValues(4);
    for (const value of ['a', 'b', 'a', 'c']) summary.addString(value);
    for (const value of [1, 1, 2.5]) summary.addNumber(value);
    assert.ok(!summary.isExact, 'five distinct values overflow a capacity of four');
    const exact = new FrequentValues(10);
    for (const value of ['a', 'b', 'a', 'c']) exact.addString(value);
    for (const value of [1, 1, 2.5, -0, 0]) exact.addNumber(value);
    assert.ok(exact.isExact);
    assert.equal(exact.distinctCount(), 6);
    assert.deepEqual(exact.entries(), [
      { value: 0, count: 2 },
      { value: 1, count: 2 },
      { value: 'a', count: 2 },
      { value: 2.5, count: 1 },
      { value: 'b', count: 1 },
      { value: 'c', count: 1 },
    ]);
    assert.equal(exact.countOf(1), 2);
    assert.equal(exact.countOf('zzz'), 0);
  });

  it('keeps every count within the Misra–Gries bound, also across merges (property)', () => {
    const stream = fc.array(fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom('x', 'y', 'z', 'w')), {
      minLength: 1,
      maxLength: 400,
    });
    fc.assert(
      fc.property(stream, fc.integer({ min: 0, max: 400 }), (values, cut) => {
        const truth = new Map<string | number, number>();
        for (const value of values) truth.set(value, (truth.get(value) ?? 0) + 1);
        const whole = new FrequentValues(8);
        const left = new FrequentValues(8);
        const right = new FrequentValues(8);
        values.forEach((value, i) => {
          for (const summary of [whole, i < cut ? left : right]) {
            if (typeof value === 'number') summary.addNumber(value);
            else summary.addString(value);
          }
        });
        const merged = left.merge(right);
        for (const summary of [whole, merged]) {
          assert.ok(summary.undercount <= values.length / 9, `undercount ${summary.undercount} of ${values.length}`);
          assert.ok(summary.size <= 8);
          for (const [value, count] of truth) {
            const estimate = summary.countOf(value);
            assert.ok(estimate <= count && estimate >= count - summary.undercount, `${value}: ${estimate} vs ${count}`);
          }
          if (truth.size <= 8) assert.ok(summary.isExact);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('switches to HyperLogLog at overflow, seeded with the values seen so far', () => {
    const summary = new FrequentValues(100);
    for (let i = 0; i < 30_000; i++) summary.addString(`id-${i % 20_000}`);
    assert.ok(!summary.isExact);
    const error = Math.abs(summary.distinctCount() - 20_000) / 20_000;
    assert.ok(error < 0.03, `distinct estimate off by ${error}`);
  });

  it('round-trips through a structured clone of its state', () => {
    const summary = new FrequentValues(50);
    for (let i = 0; i < 500; i++) summary.addNumber(i % 70);
    const copy = FrequentValues.fromState(structuredClone(summary.toState()));
    assert.deepEqual(copy.entries(), summary.entries());
    assert.equal(copy.undercount, summary.undercount);
    assert.equal(copy.distinctCount(), summary.distinctCount());
  });
});

describe('sortDoubles', () => {
  it('sorts exactly as Float64Array.prototype.sort, -0 before +0 (property)', () => {
    const doubles = fc.oneof(
      fc.double({ noNaN: true }),
      fc.integer({ min: -5, max: 5 }),
      fc.constantFrom(0, -0),
      fc.double({ min: 100, max: 100.000001, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(doubles, { maxLength: 300 }), (values) => {
        const expected = Float64Array.from(values).sort();
        const actual = Float64Array.from(values);
        sortDoubles(actual, actual.length);
        assert.deepEqual(actual, expected);
      }),
      { numRuns: 300 },
    );
  });

  it('sorts only the first `length` items', () => {
    const values = Float64Array.from([3, 2, 1, 0, -1]);
    sortDoubles(values, 3);
    assert.deepEqual([...values], [1, 2, 3, 0, -1]);
  });
});
