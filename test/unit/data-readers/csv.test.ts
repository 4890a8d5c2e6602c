// The CSV scanner's rules, one by one: RFC 4180 quoting, line ends, lenient cases, errors with their positions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatasetProfile } from '../../../packages/data/src/profile.js';
import {
  bomLength,
  ChunkProblem,
  CollectingSink,
  columnNamesFromHeader,
  CsvParser,
  delimiterByte,
  looksLikeHeader,
  positionalColumnNames,
  ProfileSink,
} from '../../../packages/data/src/readers/csv.js';
import { classifyText, ValueKind } from '../../../packages/data/src/values.js';
import { parseCsvText } from './helpers.js';

function problemOf(
  text: string | Buffer,
  options: { expectedFields?: number; strict?: boolean; maxFieldBytes?: number } = {},
) {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: options.maxFieldBytes ?? 1 << 20, ...options });
  try {
    parser.parse(bytes, 0, bytes.length, true, new CollectingSink());
  } catch (error) {
    assert.ok(error instanceof ChunkProblem, `expected a ChunkProblem, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a problem');
}

describe('CSV parser: RFC 4180', () => {
  it('splits fields on the delimiter and records on LF', () => {
    assert.deepEqual(parseCsvText('a,b,c\n1,2,3\n'), [
      ['a', 'b', 'c'],
      ['1', '2', '3'],
    ]);
  });

  it('accepts CR LF line ends and a last record without a line end', () => {
    assert.deepEqual(parseCsvText('a,b\r\n1,2\r\n3,4'), [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('keeps delimiters, quotes and line breaks inside quoted fields', () => {
    assert.deepEqual(parseCsvText('"a,b","say ""hi""","two\nlines","crlf\r\ninside"\n'), [
      ['a,b', 'say "hi"', 'two\nlines', 'crlf\r\ninside'],
    ]);
  });

  it('reads empty fields, quoted empty fields and a trailing delimiter', () => {
    assert.deepEqual(parseCsvText(',"",x,\n'), [['', '', 'x', '']]);
  });

  it('skips empty lines, including CR LF ones and those before the first record', () => {
    assert.deepEqual(parseCsvText('\n\r\na\n\n\nb\r\n\r\n'), [['a'], ['b']]);
  });

  it('keeps a lone CR as data', () => {
    assert.deepEqual(parseCsvText('a\rb,c\n'), [['a\rb', 'c']]);
  });

  it('reads a quote inside an unquoted field as a character (as Python csv does)', () => {
    assert.deepEqual(parseCsvText(`5'11",ab"c\n`), [[`5'11"`, 'ab"c']]);
  });

  it('keeps text after a closing quote, collapsing pairs in the quoted part (as Python csv does)', () => {
    assert.deepEqual(parseCsvText('"ab""c"de,"x"y"z"\n'), [['ab"cde', 'xy"z"']]);
  });

  it('decodes UTF-8, in quoted and unquoted fields', () => {
    assert.deepEqual(parseCsvText('Müller,"Chloé, 東京",😀\n'), [['Müller', 'Chloé, 東京', '😀']]);
  });

  it('uses another delimiter, such as a tab', () => {
    assert.deepEqual(parseCsvText('a\tb,c\t"d\te"\n', '\t'), [['a', 'b,c', 'd\te']]);
  });

  it('counts physical lines: a quoted line break starts a new line', () => {
    const bytes = Buffer.from('a,"x\ny"\n\nb,c\n');
    const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 100 });
    parser.parse(bytes, 0, bytes.length, true, new CollectingSink());
    assert.equal(parser.records, 2);
    assert.equal(parser.lines, 4);
    assert.equal(parser.consumed, bytes.length);
  });

  it('stops before a record the bytes cut off, unless at the end of input', () => {
    const cases: [string, number][] = [
      ['a,b\nc,d', 4], // unterminated last record
      ['a,b\n"c\nd', 4], // open quote
      ['a,b\n"c"', 4], // a closing quote that could be the first of a pair
      ['a,b\nc\r', 4], // CR that could start CR LF
      ['a,b\n\r', 4], // the same on an empty line
      ['a,b\nc,', 4], // a delimiter: another field follows
      ['a,b\n\xc3', 4], // a UTF-8 sequence cut in two
    ];
    for (const [text, consumed] of cases) {
      const bytes = Buffer.from(text, 'latin1');
      const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 100 });
      const sink = new CollectingSink();
      parser.parse(bytes, 0, bytes.length, false, sink);
      assert.equal(parser.consumed, consumed, JSON.stringify(text));
      assert.equal(parser.lines, 1, JSON.stringify(text));
      assert.deepEqual(sink.rows, [['a', 'b']], JSON.stringify(text));
    }
  });

  it('parses at most maxRecords records', () => {
    const bytes = Buffer.from('h1,h2\n1,2\n3,4\n');
    const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 100 });
    const sink = new CollectingSink();
    parser.parse(bytes, 0, bytes.length, false, sink, 1);
    assert.deepEqual(sink.rows, [['h1', 'h2']]);
    assert.equal(parser.consumed, 6);
    assert.equal(parser.lines, 1);
  });
});

describe('CSV parser: errors carry line and column', () => {
  it('reports an unclosed quote at the quote that opened it', () => {
    const problem = problemOf('a,b\n1,"open\nstill open\n');
    assert.equal(problem.line, 1);
    assert.equal(problem.column, 3);
    assert.match(problem.detail, /^unclosed quote opened at line \{line\}, column 3$/);
  });

  it('reports a field longer than the maximum at the field start', () => {
    const unquoted = problemOf('ab,cdefgh\n', { maxFieldBytes: 5 });
    assert.deepEqual([unquoted.line, unquoted.column], [0, 4]);
    assert.match(unquoted.detail, /field longer than 5 bytes/);
    const quoted = problemOf('x\n1,"a\nbcdefg"\n', { maxFieldBytes: 5 });
    assert.deepEqual([quoted.line, quoted.column], [1, 3]);
  });

  it('reports invalid UTF-8 at the offending byte', () => {
    const stray = problemOf(Buffer.from('ok,fine\nab,c\xffd\n', 'latin1'));
    assert.deepEqual([stray.line, stray.column], [1, 5]);
    assert.match(stray.detail, /invalid UTF-8/);
    const inQuotes = problemOf(Buffer.from('"x\n\xe9t\xe9"\n', 'latin1'));
    assert.deepEqual([inQuotes.line, inQuotes.column], [1, 1]);
    const overlong = problemOf(Buffer.from([0x61, 0x2c, 0xc0, 0xaf, 0x0a]));
    assert.deepEqual([overlong.line, overlong.column], [0, 3]);
    const truncatedAtEnd = problemOf(Buffer.from([0x61, 0x2c, 0xe2, 0x82]));
    assert.deepEqual([truncatedAtEnd.line, truncatedAtEnd.column], [0, 3]);
  });

  it('in strict mode, reports a row with extra fields at the first extra field', () => {
    const problem = problemOf('a,b\n1,2,3\n', { expectedFields: 2, strict: true });
    assert.deepEqual([problem.line, problem.column], [1, 5]);
    assert.match(problem.detail, /row has 3 fields, expected 2/);
  });

  it('in strict mode, reports a row with too few fields where it ends', () => {
    const atLineEnd = problemOf('a,b\n1\n', { expectedFields: 2, strict: true });
    assert.deepEqual([atLineEnd.line, atLineEnd.column], [1, 2]);
    assert.match(atLineEnd.detail, /row has 1 fields, expected 2/);
    const atEnd = problemOf('a,b\n"x\ny"', { expectedFields: 2, strict: true });
    assert.deepEqual([atEnd.line, atEnd.column], [2, 3]);
  });
});

describe('CSV parser: ragged rows', () => {
  it('counts rows with another number of fields and keeps the first line indexes', () => {
    const bytes = Buffer.from('a,b\n1,2\n1\n1,2,3\n4,5\n');
    const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 100, expectedFields: 2 });
    const sink = new CollectingSink();
    parser.parse(bytes, 0, bytes.length, true, sink);
    assert.equal(parser.raggedRows, 2);
    assert.deepEqual(parser.raggedLines, [2, 3]);
    assert.deepEqual(parser.raggedFieldCounts, [1, 3]);
    // Stored fields stop one past the expected count.
    assert.deepEqual(sink.rows[3], ['1', '2', '3']);
  });
});

describe('CSV profile sink', () => {
  it('profiles cells exactly as DatasetProfile.addText would', () => {
    const text =
      'n,f,s\n' +
      '1,1.5,abc\n' +
      '-0,2.0,"q, uoted"\n' +
      '+7,1e-3,true\n' +
      '007, 3.25 ,NaN\n' +
      ',.5,\n' +
      '123456789012345678,1e400,x\n' +
      '12,-2.5e2,"say ""no"""\n';
    const bytes = Buffer.from(text);
    const names = ['n', 'f', 's'];
    const viaSink = new DatasetProfile(names);
    const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 100, expectedFields: 3 });
    parser.parse(bytes, 6, bytes.length, true, new ProfileSink(viaSink, names));
    const viaText = new DatasetProfile(names);
    for (const row of parseCsvText(text).slice(1)) {
      row.forEach((cell, column) => viaText.addText(column, cell));
      viaText.endRow();
    }
    assert.deepEqual(viaSink.toState(), viaText.toState());
  });

  it('keeps the text of columns with value checks (their examples quote it)', () => {
    const names = ['code'];
    const options = { valueChecks: { code: { pattern: '^\\d{3}$' } } };
    const profile = new DatasetProfile(names, options);
    const bytes = Buffer.from('007\n1.50\n');
    new CsvParser({ delimiter: 0x2c, maxFieldBytes: 100, expectedFields: 1 }).parse(
      bytes,
      0,
      bytes.length,
      true,
      new ProfileSink(profile, names),
    );
    assert.deepEqual([...profile.column('code')!.checks!.patternMismatches.examples.keys()], ['1.50']);
  });

  it('drops fields past the header and leaves missing trailing fields missing', () => {
    const names = ['a', 'b'];
    const profile = new DatasetProfile(names);
    const bytes = Buffer.from('1,2,3\n4\n');
    new CsvParser({ delimiter: 0x2c, maxFieldBytes: 100, expectedFields: 2 }).parse(
      bytes,
      0,
      bytes.length,
      true,
      new ProfileSink(profile, names),
    );
    assert.equal(profile.rowCount, 2);
    assert.equal(profile.column('a')!.present, 2);
    assert.equal(profile.column('b')!.present, 1);
    assert.equal(profile.missingCount(profile.column('b')!), 1);
    assert.equal(profile.columns.length, 2);
  });
});

describe('CSV header', () => {
  const isNumberOrBoolean = (text: string) => {
    const kind = classifyText(text);
    return kind === ValueKind.Integral || kind === ValueKind.Fractional || kind === ValueKind.Boolean;
  };

  it('takes an all-text first record as a header and one with a number or Boolean as data', () => {
    assert.equal(looksLikeHeader(['id', 'name', 'score'], isNumberOrBoolean), true);
    assert.equal(looksLikeHeader(['a', 'b', ''], isNumberOrBoolean), true);
    assert.equal(looksLikeHeader(['alice', '12', 'x'], isNumberOrBoolean), false);
    assert.equal(looksLikeHeader(['1.5e3'], isNumberOrBoolean), false);
    assert.equal(looksLikeHeader(['yes', 'TRUE'], isNumberOrBoolean), false);
  });

  it('names empty header cells _c<i> and repeated ones with .1, .2', () => {
    assert.deepEqual(columnNamesFromHeader(['a', '', 'a', 'b', 'a', 'a.1']), ['a', '_c1', 'a.1', 'b', 'a.2', 'a.1.1']);
    assert.deepEqual(positionalColumnNames(3), ['_c0', '_c1', '_c2']);
  });

  it('recognizes a UTF-8 byte-order mark', () => {
    assert.equal(bomLength(Buffer.from('\ufeffa,b')), 3);
    assert.equal(bomLength(Buffer.from('a,b')), 0);
    assert.equal(bomLength(Buffer.from([0xef, 0xbb])), 0);
  });

  it('accepts one ASCII character or a tab as delimiter, and nothing else', () => {
    assert.equal(delimiterByte(','), 0x2c);
    assert.equal(delimiterByte(';'), 0x3b);
    assert.equal(delimiterByte('\t'), 0x09);
    assert.equal(delimiterByte('\\t'), 0x09);
    assert.equal(delimiterByte('TAB'), 0x09);
    for (const bad of ['', ',,', '"', '\n', 'é']) assert.throws(() => delimiterByte(bad), RangeError, bad);
    assert.throws(() => new CsvParser({ delimiter: 0x22, maxFieldBytes: 1 }), RangeError);
  });
});
