import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ColumnProfile, DatasetProfile, toStatistics } from '@mlops-actions/data';
import { profileRows, rankError, readCsv, readFixtureJson, relativeError } from './helpers.js';

interface NumericReference {
  count: number;
  missing: number;
  present: number;
  min: number;
  max: number;
  mean: number;
  std_population: number;
  std_sample: number;
  sum: number;
  quantiles: Record<string, number>;
}

interface TextReference {
  count: number;
  missing: number;
  present: number;
  value_counts: Record<string, number>;
}

interface Reference {
  rows: number;
  columns: Record<string, NumericReference | TextReference>;
}

const baseline = readCsv('baseline.csv');
const reference = readFixtureJson<Reference>('baseline.reference.json');
const numericColumns = ['normal', 'skewed', 'integers', 'with_missing', 'id'];

function presentValues(column: string): Float64Array {
  const index = baseline.header.indexOf(column);
  return Float64Array.from(
    baseline.rows
      .map((row) => row[index]!)
      .filter((cell) => cell !== '')
      .map(Number),
  ).sort();
}

describe('DatasetProfile against numpy (test/fixtures/data/baseline.csv)', () => {
  const profile = profileRows(baseline.header, baseline.rows);

  it('counts rows, present and missing values exactly', () => {
    assert.equal(profile.rowCount, reference.rows);
    for (const [name, expected] of Object.entries(reference.columns)) {
      const column = profile.column(name)!;
      assert.equal(column.present, expected.present, name);
      assert.equal(profile.missingCount(column), expected.missing, name);
      assert.equal(column.count, expected.count, name);
    }
  });

  for (const name of numericColumns) {
    it(`matches numpy for '${name}': min/max exactly, mean/std/sum to 1e-9 relative`, () => {
      const expected = reference.columns[name] as NumericReference;
      const column = profile.column(name)!;
      assert.equal(column.min, expected.min);
      assert.equal(column.max, expected.max);
      assert.ok(relativeError(column.mean, expected.mean) <= 1e-9, `mean ${column.mean} vs ${expected.mean}`);
      assert.ok(relativeError(column.sum, expected.sum) <= 1e-9, `sum ${column.sum} vs ${expected.sum}`);
      assert.ok(relativeError(column.populationStdDev, expected.std_population) <= 1e-9, 'population std');
      assert.ok(relativeError(column.sampleStdDev, expected.std_sample) <= 1e-9, 'sample std');
    });

    it(`answers '${name}' quantiles within 1% rank error of the data`, () => {
      const column = profile.column(name)!;
      const sorted = presentValues(name);
      for (const key of Object.keys((reference.columns[name] as NumericReference).quantiles)) {
        const fraction = Number(key);
        assert.ok(rankError(sorted, column.sketch.quantile(fraction), fraction) <= 0.01, `${name} q${key}`);
      }
    });
  }

  it('infers Deequ types from the votes', () => {
    const types = Object.fromEntries(profile.columns.map((column) => [column.name, column.inferredType]));
    assert.deepEqual(types, {
      normal: 'Fractional',
      skewed: 'Fractional',
      integers: 'Integral',
      with_missing: 'Fractional',
      category: 'String',
      flag: 'Boolean',
      id: 'Integral',
    });
  });

  it('counts text and Boolean values exactly', () => {
    for (const name of ['category', 'flag']) {
      const expected = reference.columns[name] as TextReference;
      const counts = Object.fromEntries(
        profile
          .column(name)!
          .frequencies.entries()
          .map(({ value, count }) => [String(value), count]),
      );
      assert.deepEqual(counts, expected.value_counts);
    }
    assert.equal(profile.column('id')!.frequencies.distinctCount() > 4900, true, 'ids are nearly all distinct');
  });
});

describe('ColumnProfile', () => {
  it('treats empty, blank, NaN and null literals and null values as missing', () => {
    const column = new ColumnProfile('x');
    for (const value of ['', '  ', 'NaN', 'null', 'NULL', null, undefined, NaN]) column.add(value);
    column.add('NA');
    assert.equal(column.missing, 8);
    assert.equal(column.present, 1);
    assert.equal(column.inferredType, 'String');
  });

  it('follows Deequ: one text value makes a column String, Booleans mixed with numbers too', () => {
    const mixed = new ColumnProfile('a');
    for (const value of ['1', '2', 'x']) mixed.addText(value);
    assert.equal(mixed.inferredType, 'String');
    const boolNumber = new ColumnProfile('b');
    for (const value of ['1', 'true']) boolNumber.addText(value);
    assert.equal(boolNumber.inferredType, 'String');
    const fractional = new ColumnProfile('c');
    for (const value of ['1', '2.5']) fractional.addText(value);
    assert.equal(fractional.inferredType, 'Fractional');
    assert.equal(new ColumnProfile('d').inferredType, 'Unknown');
  });

  it('keeps typed numbers, Booleans and text apart', () => {
    const column = new ColumnProfile('x');
    column.addNumber(2);
    column.addNumber(0.5);
    column.addBoolean(true);
    column.addNumber(Infinity);
    column.addMissing();
    assert.deepEqual(
      [column.integral, column.fractional, column.boolean, column.string, column.missing],
      [1, 1, 1, 1, 1],
    );
    assert.equal(column.sum, 2.5);
    assert.equal(column.frequencies.countOf('Infinity'), 1);
  });

  it('sums with compensation where naive summation loses the small terms', () => {
    const column = new ColumnProfile('x');
    const values = [1e16, 1, -1e16, 1, 3.14159, 1e-8, -2];
    for (const value of values) column.addNumber(value);
    assert.equal(column.sum, 3.14159 + 1e-8);
    assert.notEqual(
      values.reduce((a, b) => a + b, 0),
      column.sum,
    );
  });
});

function assertSameProfile(actual: DatasetProfile, expected: DatasetProfile): void {
  assert.equal(actual.rowCount, expected.rowCount);
  assert.deepEqual(actual.columnNames, expected.columnNames);
  for (const whole of expected.columns) {
    const merged = actual.column(whole.name)!;
    const name = whole.name;
    assert.deepEqual(
      [merged.present, merged.missing, merged.integral, merged.fractional, merged.boolean, merged.string],
      [whole.present, whole.missing, whole.integral, whole.fractional, whole.boolean, whole.string],
      name,
    );
    assert.equal(merged.min, whole.min, name);
    assert.equal(merged.max, whole.max, name);
    assert.equal(merged.sketch.count, whole.sketch.count, name);
    if (whole.numericCount > 0) {
      assert.ok(relativeError(merged.mean, whole.mean) <= 1e-12, `${name} mean`);
      assert.ok(relativeError(merged.sum, whole.sum) <= 1e-12, `${name} sum`);
      assert.ok(relativeError(merged.populationVariance, whole.populationVariance) <= 1e-12, `${name} variance`);
    }
    assert.equal(merged.frequencies.isExact, whole.frequencies.isExact, name);
    if (whole.frequencies.isExact) assert.deepEqual(merged.frequencies.entries(), whole.frequencies.entries(), name);
  }
}

describe('DatasetProfile merge', () => {
  const whole = profileRows(baseline.header, baseline.rows);
  const sortedNormal = presentValues('normal');

  it('equals the profile of the whole for any split into parts (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: baseline.rows.length - 1 }), { minLength: 1, maxLength: 5 }),
        (cuts) => {
          const bounds = [0, ...cuts.sort((a, b) => a - b), baseline.rows.length];
          const parts = bounds
            .slice(1)
            .map((end, i) => profileRows(baseline.header, baseline.rows, {}, bounds[i]!, end));
          const merged = parts.reduce((accumulator, part) => accumulator.merge(part));
          assertSameProfile(merged, whole);
          const sketch = merged.column('normal')!.sketch;
          for (const fraction of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) {
            assert.ok(rankError(sortedNormal, sketch.quantile(fraction), fraction) <= 0.01);
          }
        },
      ),
      { numRuns: 20, seed: 7 },
    );
  });

  it('is associative: (a ⊕ b) ⊕ c equals a ⊕ (b ⊕ c)', () => {
    const part = (start: number, end: number): DatasetProfile =>
      profileRows(baseline.header, baseline.rows, {}, start, end);
    const left = part(0, 1000).merge(part(1000, 3500)).merge(part(3500, 5000));
    const right = part(0, 1000).merge(part(1000, 3500).merge(part(3500, 5000)));
    assertSameProfile(left, right);
  });

  it('counts rows that never set a column as missing for it', () => {
    const first = new DatasetProfile(['a']);
    first.addRow(['1']);
    first.addRow(['2']);
    const second = new DatasetProfile(['a', 'b']);
    second.addRow(['3', 'x']);
    first.merge(second);
    assert.deepEqual(first.columnNames, ['a', 'b']);
    assert.equal(first.rowCount, 3);
    assert.equal(first.missingCount(first.column('b')!), 2);
    assert.equal(first.missingCount(first.column('a')!), 0);
  });

  it('names cells past the header as Spark does for header-less CSV (_c<i>)', () => {
    const profile = new DatasetProfile();
    profile.addRow(['1', 'a', 'true']);
    assert.deepEqual(profile.columnNames, ['_c0', '_c1', '_c2']);
  });

  it('survives a structured clone of its state (worker threads), with identical statistics', () => {
    const copy = DatasetProfile.fromState(structuredClone(whole.toState()));
    assert.deepEqual(toStatistics(copy), toStatistics(whole));
    copy.merge(whole);
    assert.equal(copy.rowCount, 2 * whole.rowCount);
  });

  it('keeps frequencies within their error bound when they overflow the capacity', () => {
    const options = { frequentValueCapacity: 50 };
    const smallWhole = profileRows(baseline.header, baseline.rows, options);
    const merged = profileRows(baseline.header, baseline.rows, options, 0, 2000).merge(
      profileRows(baseline.header, baseline.rows, options, 2000, 5000),
    );
    const ids = merged.column('integers')!.frequencies;
    assert.ok(!ids.isExact);
    assert.ok(ids.undercount <= 5000 / 51);
    const exactCounts = new Map<number, number>();
    for (const row of baseline.rows) exactCounts.set(Number(row[2]), (exactCounts.get(Number(row[2])) ?? 0) + 1);
    for (const { value, count } of ids.entries()) {
      const truth = exactCounts.get(value as number)!;
      assert.ok(count <= truth && count >= truth - ids.undercount);
    }
    assert.deepEqual(
      merged.column('category')!.frequencies.entries(),
      smallWhole.column('category')!.frequencies.entries(),
      'low-cardinality columns stay exact',
    );
  });
});
