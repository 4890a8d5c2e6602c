// Numbers left out of the value frequencies where a chunk holds no text for their column (ProfileSinkOptions), and
// the second read that makes the frequencies of a String column exact again (profileSources).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openStorage } from '@mlops-actions/core';
import { baselineCategoricalColumns } from '../../../packages/data/src/checks.js';
import { FrequentValues } from '../../../packages/data/src/frequent-values.js';
import { DEFAULT_MONITORING_CONFIG } from '../../../packages/data/src/model-monitor.js';
import { DatasetProfile, type ProfileOptions } from '../../../packages/data/src/profile.js';
import { CsvParser, ProfileSink } from '../../../packages/data/src/readers/csv.js';
import { profileSources } from '../../../packages/data/src/readers/index.js';
import { scratchDir, writeFiles } from './helpers.js';

/** Profiles CSV text (header first) in one chunk, as a chunk job does. */
function profileChunk(text: string, leaveNumbersUncounted: boolean, options: ProfileOptions = {}): DatasetProfile {
  const bytes = Buffer.from(text);
  const newline = bytes.indexOf(0x0a);
  const names = bytes.subarray(0, newline).toString().split(',');
  const profile = new DatasetProfile(names, options);
  const sink = new ProfileSink(profile, names, { leaveNumbersUncounted });
  const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 1 << 20, expectedFields: names.length });
  parser.parse(bytes, newline + 1, bytes.length, true, sink);
  sink.endChunk();
  return profile;
}

/** Every statistic of a column but its value frequencies. */
function withoutFrequencies(profile: DatasetProfile, name: string) {
  const { frequencies, ...rest } = profile.column(name)!.toState();
  void frequencies;
  return rest;
}

function csv(rows: number, cell: (row: number) => string): string {
  let text = 'amount,code,label\n';
  for (let row = 0; row < rows; row++) text += `${(row * 0.25).toFixed(2)},${cell(row)},l${row % 3}\n`;
  return text;
}

describe('ProfileSink leaving numbers uncounted', () => {
  it('leaves out the numbers of a column without text, and nothing else', () => {
    const text = csv(20_000, (row) => String(row % 17));
    const left = profileChunk(text, true);
    const counted = profileChunk(text, false);
    for (const name of ['amount', 'code']) {
      assert.deepEqual(withoutFrequencies(left, name), withoutFrequencies(counted, name));
      const frequencies = left.column(name)!.frequencies;
      assert.equal(frequencies.uncountedNumbers, 20_000);
      assert.equal(frequencies.size, 0);
      assert.equal(frequencies.isExact, false);
    }
    // 20 000 = 17 · 1176 + 8: the codes 0–7 come once more.
    assert.equal(counted.column('code')!.frequencies.countOf(3), 1177);
    // The text column is counted as ever.
    assert.deepEqual(left.column('label')!.toState(), counted.column('label')!.toState());
  });

  it('counts every number of a column whose text comes later in the chunk, in order', () => {
    // Past the capacity, so the Misra–Gries summary depends on the order the values came in.
    const text = csv(30_000, (row) => (row === 25_000 ? 'n/a' : String((row * 7919) % 4001)));
    const left = profileChunk(text, true);
    const counted = profileChunk(text, false);
    assert.deepEqual(left.column('code')!.toState(), counted.column('code')!.toState());
    assert.equal(left.column('code')!.frequencies.uncountedNumbers, 0);
    assert.equal(left.column('code')!.inferredType, 'String');
  });

  it('records the numbers it cannot keep as uncounted, and counts those after them', () => {
    const rows = (1 << 17) + 5000;
    const text = csv(rows, (row) => (row === rows - 1 ? 'x' : String(row % 5)));
    const frequencies = profileChunk(text, true).column('code')!.frequencies;
    const uncounted = frequencies.uncountedNumbers;
    assert.ok(uncounted > 0 && uncounted < rows - 1, `uncounted ${uncounted}`);
    let total = 0;
    for (const { count } of frequencies.entries()) total += count;
    assert.equal(total + uncounted, rows);
  });

  it('counts the columns named in countNumbersOf', () => {
    const text = csv(1000, (row) => String(row % 4));
    const profile = profileChunk(text, true, { countNumbersOf: ['code'] });
    assert.equal(profile.column('code')!.frequencies.uncountedNumbers, 0);
    assert.equal(profile.column('code')!.frequencies.countOf(2), 250);
    assert.equal(profile.column('amount')!.frequencies.uncountedNumbers, 1000);
    assert.equal(profileChunk(text, true, { countNumbersOf: 'all' }).column('amount')!.frequencies.isExact, true);
  });
});

describe('profileSources and uncounted numbers', () => {
  const storage = openStorage();
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  before(async () => ({ dir, cleanup } = await scratchDir()));
  after(() => cleanup());

  // `code` holds text in the last chunk only: String, with numbers left out of the first chunks.
  const text = csv(6000, (row) => (row === 5990 ? 'unknown' : String(row % 9)));

  for (const workers of [0, 2]) {
    it(`reads again to count the numbers of a column that turns out String (workers: ${workers})`, async () => {
      const [uri] = await writeFiles(dir, { [`late-text-${workers}.csv`]: text });
      const result = await profileSources({ spec: uri!, storage, workers, windowBytes: 8192 });
      const exact = await profileSources({
        spec: uri!,
        storage,
        workers,
        windowBytes: 8192,
        profileOptions: { countNumbersOf: 'all' },
      });
      assert.equal(result.reads, 2);
      assert.equal(exact.reads, 1);
      const code = result.profile.column('code')!;
      assert.equal(code.inferredType, 'String');
      assert.deepEqual(code.toState(), exact.profile.column('code')!.toState());
      // 6000 = 9 · 666 + 6: the codes 0–5 come 667 times.
      assert.equal(code.frequencies.countOf(4), 667);
      assert.equal(code.frequencies.countOf('unknown'), 1);
      // Numeric columns keep their numbers uncounted: no output reads them.
      assert.ok(result.profile.column('amount')!.frequencies.uncountedNumbers > 0);
    });
  }

  it('reads once when the column is named in countNumbersOf, or when no String column has numbers left out', async () => {
    const [late, numeric] = await writeFiles(dir, {
      'late-text-named.csv': text,
      'numeric.csv': csv(6000, (row) => String(row % 9)),
    });
    const named = await profileSources({
      spec: late!,
      storage,
      workers: 0,
      windowBytes: 8192,
      profileOptions: { countNumbersOf: ['code'] },
    });
    assert.equal(named.reads, 1);
    assert.equal(named.profile.column('code')!.frequencies.isExact, true);
    assert.equal(named.profile.column('code')!.frequencies.countOf(4), 667);
    const plain = await profileSources({ spec: numeric!, storage, workers: 0, windowBytes: 8192 });
    assert.equal(plain.reads, 1);
    assert.equal(plain.profile.column('code')!.inferredType, 'Integral');
  });
});

describe('baselineCategoricalColumns', () => {
  it('names the String features of the baseline constraints and statistics', () => {
    const columns = baselineCategoricalColumns({
      constraints: {
        version: 0,
        features: [
          { name: 'a', inferred_type: 'String' },
          { name: 'b', inferred_type: 'Integral' },
        ],
        monitoring_config: DEFAULT_MONITORING_CONFIG,
      },
      statistics: {
        version: 0,
        dataset: { item_count: 1 },
        features: [
          { name: 'a', inferred_type: 'String' },
          { name: 'c', inferred_type: 'String' },
        ],
      },
    });
    assert.deepEqual(columns.sort(), ['a', 'c']);
  });
});

describe('FrequentValues distinct count at the first overflow', () => {
  it('counts the value that overflowed the table', () => {
    for (const add of [
      (summary: FrequentValues, i: number) => summary.addNumber(i),
      (summary: FrequentValues, i: number) => summary.addString(`v${i}`),
      (summary: FrequentValues, i: number) => summary.addNumbers(Float64Array.of(i), 1),
    ]) {
      const summary = new FrequentValues(2);
      for (let i = 0; i < 3; i++) add(summary, i);
      assert.equal(summary.distinctCount(), 3);
    }
  });
});
