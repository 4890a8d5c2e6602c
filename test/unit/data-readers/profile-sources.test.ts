// profileSources end to end on local files: every error path with its file, line and column, chunking in workers
// and inline, gzip, headers, ragged rows, cancellation and progress.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancelledError, ConfigurationError, DataError, openStorage, type Storage } from '@mlops-actions/core';
import {
  profileSources,
  type ProfileProgress,
  type ProfileSourcesOptions,
} from '../../../packages/data/src/readers/index.js';
import { assertDataError, rechunkingStorage, scratchDir, writeFiles } from './helpers.js';

const storage = openStorage();
let dir = '';
let cleanup: () => Promise<void> = async () => {};

before(async () => {
  ({ dir, cleanup } = await scratchDir());
});
after(() => cleanup());

let fileCounter = 0;
async function file(content: string | Buffer, extension = '.csv'): Promise<string> {
  const [written] = await writeFiles(dir, { [`f${fileCounter++}${extension}`]: content });
  return written!;
}

function profile(spec: string, options: Partial<ProfileSourcesOptions> = {}) {
  return profileSources({ spec, storage, workers: 0, ...options });
}

/** Header plus `rows` rows of three columns; every tenth name is quoted and holds a line break. */
function sampleCsv(rows: number): string {
  let text = 'id,value,name\n';
  for (let i = 0; i < rows; i++) {
    const name = i % 10 === 0 ? `"n ${i}\nsecond line, ""quoted"""` : `n${i % 7}`;
    text += `${i},${(i * 0.37).toFixed(2)},${name}\n`;
  }
  return text;
}

describe('profileSources: CSV', () => {
  it('profiles a CSV with a header', async () => {
    const result = await profile(await file('a,b\n1,x\n2,y\n3,\n'));
    assert.equal(result.rows, 3);
    assert.deepEqual(result.profile.columnNames, ['a', 'b']);
    assert.equal(result.profile.column('a')!.inferredType, 'Integral');
    assert.equal(result.profile.column('a')!.sum, 6);
    assert.equal(result.profile.missingCount(result.profile.column('b')!), 1);
    assert.equal(result.files.length, 1);
    assert.equal(result.files[0]!.rows, 3);
    assert.equal(result.raggedRows, 0);
    assert.deepEqual(result.warnings, []);
  });

  it('detects a header-less file and names its columns _c<i>', async () => {
    const result = await profile(await file('1,x\n2,y\n'));
    assert.deepEqual(result.profile.columnNames, ['_c0', '_c1']);
    assert.equal(result.rows, 2);
  });

  it('follows header: true and header: false over the automatic rule', async () => {
    const numbersFirst = await file('1,2\n3,4\n');
    const forced = await profile(numbersFirst, { header: true });
    assert.deepEqual(forced.profile.columnNames, ['1', '2']);
    assert.equal(forced.rows, 1);
    const textFirst = await file('a,b\nc,d\n');
    const none = await profile(textFirst, { header: 'false' });
    assert.deepEqual(none.profile.columnNames, ['_c0', '_c1']);
    assert.equal(none.rows, 2);
  });

  it('skips a byte-order mark and reads CR LF files', async () => {
    const result = await profile(await file('\ufeffa,b\r\n1,2\r\n'));
    assert.deepEqual(result.profile.columnNames, ['a', 'b']);
    assert.equal(result.profile.column('b')!.sum, 2);
  });

  it('reads TSV with a tab and any other delimiter when told', async () => {
    const tsv = await profile(await file('a\tb\n1\t2,5\n', '.tsv'));
    assert.deepEqual(tsv.profile.columnNames, ['a', 'b']);
    assert.equal(tsv.profile.column('b')!.inferredType, 'String');
    const semicolon = await profile(await file('a;b\n1;2\n'), { delimiter: ';' });
    assert.deepEqual(semicolon.profile.columnNames, ['a', 'b']);
  });

  it('reads gzip, by extension and by magic bytes', async () => {
    const text = sampleCsv(200);
    const plain = await profile(await file(text));
    const named = await profile(await file(gzipSync(text), '.csv.gz'));
    const sniffed = await profile(await file(gzipSync(text), '.csv'));
    assert.deepEqual(named.profile.toState(), plain.profile.toState());
    assert.deepEqual(sniffed.profile.toState(), plain.profile.toState());
    // Decompressed on the main thread, profiled by the workers.
    const inline = await profile(await file(text), { windowBytes: 2048 });
    const parallel = await profile(await file(gzipSync(text), '.csv.gz'), { workers: 2, windowBytes: 2048 });
    assert.deepEqual(parallel.profile.toState(), inline.profile.toState());
  });

  it('counts ragged rows as a warning with their lines, and profiles what they hold', async () => {
    const uri = await file('a,b\n1,2\n3\n4,5,6\n"x\ny",7\n8\n9,9\n10\n11\n12\n13\n14\n15\n16\n');
    const result = await profile(uri);
    assert.equal(result.rows, 13);
    assert.equal(result.raggedRows, 10);
    assert.deepEqual(
      result.raggedExamples.slice(0, 4).map((example) => [example.line, example.fields]),
      [
        [3, 1],
        [4, 3],
        [7, 1],
        [9, 1],
      ],
    );
    assert.equal(result.raggedExamples.length, 10);
    assert.equal(result.files[0]!.raggedRows, 10);
    assert.equal(result.warnings.length, 1);
    assert.match(
      result.warnings[0]!,
      /10 rows with another number of fields than the 2 of the header \(lines 3, 4, 7, 9, /,
    );
    assert.equal(result.profile.column('a')!.present, 13);
    assert.equal(result.profile.column('b')!.present, 4);
  });

  it('in strict mode fails at the first ragged row with its line and column', async () => {
    const uri = await file('a,b\n1,2\n"x\ny",2,3\n');
    await assert.rejects(profile(uri, { strict: true }), (error) =>
      assertDataError(error, { file: uri, line: 4, column: 6, detail: /row has 3 fields, expected 2/ }),
    );
  });

  it('fails on an empty file, a file of blank lines and a header without rows', async () => {
    for (const content of ['', '\n\n', '\ufeff']) {
      const uri = await file(content);
      await assert.rejects(profile(uri), (error) => assertDataError(error, { file: uri, detail: /^is empty$/ }));
    }
    const headerOnly = await file('a,b\n');
    await assert.rejects(profile(headerOnly), (error) =>
      assertDataError(error, { file: headerOnly, detail: /^has a header but no rows$/ }),
    );
  });

  it('fails on an unclosed quote with where it was opened', async () => {
    const uri = await file('a,b\n1,2\n3,"open\n4,5\n');
    await assert.rejects(profile(uri), (error) =>
      assertDataError(error, { file: uri, line: 3, column: 3, detail: /^unclosed quote opened at line 3, column 3$/ }),
    );
  });

  it('fails on a field over the maximum length, without reading it whole', async () => {
    const uri = await file(`a,b\n1,${'x'.repeat(5000)}\n`);
    await assert.rejects(profile(uri, { maxFieldBytes: 1000 }), (error) =>
      assertDataError(error, { file: uri, line: 2, column: 3, detail: /field longer than 1000 bytes/ }),
    );
    // A quote left open with no closing quote anywhere: found at the window limit, not after reading everything.
    const runaway = await file(`a,b\n1,"${'y'.repeat(20_000)}\n`.repeat(3));
    await assert.rejects(profile(runaway, { maxFieldBytes: 1000, windowBytes: 1024 }), (error) =>
      assertDataError(error, { file: runaway, line: 2, column: 3 }),
    );
  });

  it('fails on invalid UTF-8 with its position, in the header or the data', async () => {
    const data = await file(Buffer.from('a,b\n1,2\n3,x\xff\n', 'latin1'));
    await assert.rejects(profile(data), (error) =>
      assertDataError(error, { file: data, line: 3, column: 4, detail: /invalid UTF-8/ }),
    );
    const header = await file(Buffer.from('a,\xc3(\n1,2\n', 'latin1'));
    await assert.rejects(profile(header), (error) =>
      assertDataError(error, { file: header, line: 1, column: 3, detail: /invalid UTF-8/ }),
    );
  });

  it('fails on a corrupt or truncated gzip file, naming it', async () => {
    const notGzip = await file('a,b\n1,2\n', '.csv.gz');
    await assert.rejects(profile(notGzip), (error) =>
      assertDataError(error, { file: notGzip, detail: /is not a valid gzip file \(incorrect header check\)/ }),
    );
    const full = gzipSync(sampleCsv(2000));
    const truncated = await file(full.subarray(0, full.length - 100), '.csv.gz');
    await assert.rejects(profile(truncated), (error) =>
      assertDataError(error, { file: truncated, detail: /is not a valid gzip file \(unexpected end of file\)/ }),
    );
  });

  it('reports errors deep in a file at their absolute line, whatever the chunking', async () => {
    const rows = sampleCsv(3000); // ~3300 physical lines
    const uri = await file(`${rows}bad,"row\n`);
    const lines = rows.split('\n').length; // the bad row is on this line
    for (const options of [{ workers: 0 }, { workers: 2 }]) {
      await assert.rejects(profile(uri, { ...options, windowBytes: 4096 }), (error) =>
        assertDataError(error, { file: uri, line: lines, column: 5, detail: /unclosed quote opened at line/ }),
      );
    }
  });

  it('fails when a file has other columns than the first, naming both and the difference', async () => {
    const first = await file('a,b,c\n1,2,3\n');
    const same = await file('c,a,b\n3,1,2\n');
    const other = await file('a,b,d,e\n1,2,3,4\n');
    const ok = await profile(`${first}\n${same}`);
    assert.equal(ok.rows, 2);
    await assert.rejects(profile(`${first}\n${same}\n${other}`), (error) => {
      assertDataError(error, { file: other, detail: /differ from those of / });
      assert.ok(error instanceof DataError);
      assert.ok(error.message.includes(first) && error.message.includes(other));
      assert.match(error.message, /it lacks 'c' and it has 'd', 'e' in addition/);
      return true;
    });
  });
});

describe('profileSources: chunks and workers', () => {
  it('gives identical profiles inline and in worker threads, for any window size and stream chunking', async () => {
    const uri = await file(sampleCsv(5000));
    const reference = await profile(uri, { workers: 0, windowBytes: 8192 });
    const parallel = await profile(uri, { workers: 2, windowBytes: 8192 });
    assert.deepEqual(parallel.profile.toState(), reference.profile.toState());
    assert.equal(parallel.rows, 5000);
    const rechunked = await profileSources({
      spec: uri,
      storage: rechunkingStorage([1, 7, 4096, 3, 65536]),
      workers: 2,
      windowBytes: 8192,
    });
    assert.deepEqual(rechunked.profile.toState(), reference.profile.toState());
    // Other windows merge other partial sketches: the exact counts stay, the sketch may differ.
    const oneWindow = await profile(uri, { workers: 0 });
    const [a, b] = [oneWindow.profile.column('value')!, reference.profile.column('value')!];
    assert.deepEqual([a.present, a.min, a.max], [b.present, b.min, b.max]);
    assert.ok(Math.abs(a.mean - b.mean) < 1e-9);
  });

  it('carries per-value checks through the workers', async () => {
    const uri = await file(sampleCsv(3000));
    const profileOptions = {
      valueChecks: {
        name: { pattern: '^n\\d$' },
        id: { unique: true, max: 2500 },
        value: { allowedValues: [0, 0.37] },
      },
    };
    const inline = await profile(uri, { workers: 0, windowBytes: 4096, profileOptions });
    const parallel = await profile(uri, { workers: 2, windowBytes: 4096, profileOptions });
    assert.deepEqual(parallel.profile.toState(), inline.profile.toState());
    const checks = parallel.profile.column('id')!.checks!;
    assert.equal(checks.aboveMax.total, 499);
    assert.equal(checks.unique!.duplicates, 0);
    assert.equal(parallel.profile.column('name')!.checks!.patternMismatches.total, 300);
  });

  it('re-reads sequentially when a stray quote defeats the quote-parity cut', async () => {
    // A lenient `5'11"` makes the quote count odd from there, so parity guesses wrong at later line feeds.
    let text = 'h,note\n1,"a\nb"\n2,5\'11"\n';
    for (let i = 3; i < 3000; i++) text += i % 50 === 0 ? `${i},"q\n${i}"\n` : `${i},n${i}\n`;
    const uri = await file(text);
    const inline = await profile(uri, { workers: 0, windowBytes: 2048 });
    const parallel = await profile(uri, { workers: 2, windowBytes: 2048 });
    assert.equal(inline.rows, 2999);
    assert.equal(inline.raggedRows, 0);
    assert.deepEqual(parallel.profile.toState(), inline.profile.toState());
  });

  it('reads JSON Lines in workers too', async () => {
    let text = '';
    for (let i = 0; i < 4000; i++) text += JSON.stringify({ id: i, nested: { x: i / 4 }, tags: [i % 3] }) + '\n';
    const uri = await file(text, '.jsonl');
    const inline = await profile(uri, { workers: 0, windowBytes: 4096 });
    const parallel = await profile(uri, { workers: 2, windowBytes: 4096 });
    assert.deepEqual(parallel.profile.toState(), inline.profile.toState());
    assert.deepEqual(inline.profile.columnNames, ['id', 'nested.x', 'tags']);
    assert.equal(inline.rows, 4000);
  });
});

describe('profileSources: several files', () => {
  it('merges files in the order of the spec, reading them concurrently', async () => {
    const a = await file('x\n1\n2\n');
    const b = await file('x\n3\n');
    const c = await file('{"x": 4, "y": "only here"}\n', '.jsonl');
    const result = await profile(`${a}\n${b}\n\n# a comment\n${c}`, { concurrency: 3 });
    assert.deepEqual(
      result.files.map((summary) => [path.basename(summary.uri), summary.rows, summary.format]),
      [
        [path.basename(a), 2, 'csv'],
        [path.basename(b), 1, 'csv'],
        [path.basename(c), 1, 'jsonl'],
      ],
    );
    assert.equal(result.rows, 4);
    assert.equal(result.profile.column('x')!.sum, 10);
    assert.deepEqual(result.profile.columnNames, ['x', 'y']);
    assert.ok(result.seconds > 0);
    assert.equal(
      result.bytes,
      result.files.reduce((sum, summary) => sum + summary.bytes, 0),
    );
  });

  it('reports progress as files and chunks finish', async () => {
    const uri = await file(sampleCsv(2000));
    const reports: ProfileProgress[] = [];
    const result = await profile(uri, { windowBytes: 4096, onProgress: (progress) => reports.push(progress) });
    assert.ok(reports.length > 5);
    const rows = reports.map((report) => report.rows);
    assert.deepEqual(
      rows,
      [...rows].sort((a, b) => a - b),
      'rows only grow',
    );
    assert.ok(rows[0]! > 0 && rows[0]! < result.rows, 'rows are counted as chunks finish');
    assert.deepEqual(reports.at(-1), {
      rows: result.rows,
      bytesRead: result.bytes,
      totalBytes: result.bytes,
      filesDone: 1,
      filesTotal: 1,
    });
  });

  it('stops promptly with a CancelledError when the signal aborts', async () => {
    const text = sampleCsv(20_000);
    const uri = await file(text);
    for (const workers of [0, 2]) {
      const controller = new AbortController();
      const reports: ProfileProgress[] = [];
      const running = profile(uri, {
        workers,
        windowBytes: 4096,
        signal: controller.signal,
        onProgress: (report) => {
          reports.push(report);
          controller.abort();
        },
      });
      await assert.rejects(running, CancelledError);
      // Counted, not timed: after the abort only chunks already in flight may report, and the file is not read on.
      assert.ok(reports.length - 1 <= workers + 1, `${reports.length - 1} reports after the abort`);
      assert.ok(reports.at(-1)!.bytesRead < Buffer.byteLength(text), `read ${reports.at(-1)!.bytesRead} bytes`);
    }
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(profile(uri, { signal: aborted.signal }), CancelledError);
  });

  it('stops the other files when one fails, and reports that one', async () => {
    const good = await file(sampleCsv(20_000));
    const bad = await file('id,value,name\n"never closed\n');
    await assert.rejects(profile(`${good}\n${bad}`, { concurrency: 2, windowBytes: 4096 }), (error) =>
      assertDataError(error, { file: bad, line: 2, column: 1, detail: /unclosed quote/ }),
    );
  });

  it('passes storage errors for a missing file through as DataErrors', async () => {
    const failing: Storage = {
      ...storage,
      readStream: async () => {
        throw new DataError('s3://bucket/gone.csv does not exist');
      },
    };
    const uri = await file('a\n1\n');
    await assert.rejects(profileSources({ spec: uri, storage: failing, workers: 0 }), /gone\.csv does not exist/);
  });
});

describe('profileSources: options', () => {
  it('refuses a bad delimiter or maximum field length as configuration errors naming the input', async () => {
    await assert.rejects(
      profileSources({ spec: 'x.csv', storage, delimiter: ';;' }),
      (error) =>
        error instanceof ConfigurationError &&
        error.input === 'delimiter' &&
        /';;' cannot be a CSV delimiter/.test(error.message),
    );
    await assert.rejects(
      profileSources({ spec: 'x.csv', storage, maxFieldBytes: 0 }),
      (error) => error instanceof ConfigurationError && error.input === 'max-field-size',
    );
  });

  it('fails when no file yields a row, such as capture files without the side read', async () => {
    const capture = JSON.stringify({ captureData: { endpointOutput: { data: '1', encoding: 'CSV' } } });
    const uri = await file(`${capture}\n`, '.jsonl');
    await assert.rejects(profile(uri, { format: 'capture' }), (error) =>
      assertDataError(error, { detail: /^no rows to profile in / }),
    );
  });
});
