// One measurement of scripts/bench/data-bench.ts, run in its own process from an ncc bundle of this file (as the
// action runs), printing one JSON line. Modes:
//   profile <file> <workers>   profileSources on the file: the whole pipeline
//   parse <file>               the CSV scanner with number decoding and string making but no profile, one thread:
//                              what the reader costs without the statistics it feeds
import { readFileSync } from 'node:fs';
import { openStorage } from '@mlops-actions/core';
import { asciiText } from '../../packages/data/src/readers/bytes.js';
import { CollectingSink, CsvParser, type CsvFields, fieldText } from '../../packages/data/src/readers/csv.js';
import { isReaderWorkerThread, profileSources } from '../../packages/data/src/readers/index.js';
import { ByteWindowReader, DEFAULT_WINDOW_BYTES } from '../../packages/data/src/readers/windows.js';
import { classifyAscii, lastParsed, ValueKind } from '../../packages/data/src/values.js';

/** CPU seconds of the whole process (all threads), user and system. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Peak resident set of the whole process (worker threads included), in MB. */
function peakRssMb(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kib = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    if (kib) return Number(kib) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function profile(file: string, workers: number) {
  const started = performance.now();
  const result = await profileSources({ spec: file, storage: openStorage(), workers });
  return {
    rows: result.rows,
    bytes: result.bytes,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSeconds(),
    peakRssMb: peakRssMb(),
  };
}

/** Scans and decodes every cell as the profile sink does, discarding the values. */
async function parseOnly(file: string) {
  const started = performance.now();
  const storage = openStorage();
  const reader = new ByteWindowReader(await storage.readStream(file), DEFAULT_WINDOW_BYTES);
  await reader.fill(64 * 1024);
  const header = new CollectingSink();
  const headerParser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 1 << 20 });
  headerParser.parse(reader.bytes, 0, reader.filled, reader.atEnd, header, 1);
  reader.consume(headerParser.consumed);
  const width = header.rows[0]!.length;
  let checksum = 0;
  const sink = {
    record(bytes: Buffer, fields: CsvFields, count: number) {
      for (let column = 0; column < Math.min(count, width); column++) {
        const start = fields.starts[column]!;
        const end = fields.ends[column]!;
        const flag = fields.flags[column]!;
        if (flag !== 0) {
          checksum += fieldText(bytes, start, end, flag).length;
          continue;
        }
        const kind = classifyAscii(bytes, start, end);
        if (kind === ValueKind.Integral || kind === ValueKind.Fractional) checksum += lastParsed.number;
        else checksum += asciiText(bytes, start, end).length;
      }
    },
  };
  const parser = new CsvParser({ delimiter: 0x2c, maxFieldBytes: 1 << 20, expectedFields: width });
  let rows = 0;
  for (;;) {
    await reader.fill(DEFAULT_WINDOW_BYTES);
    if (reader.filled === 0) break;
    parser.parse(reader.bytes, 0, reader.filled, reader.atEnd, sink);
    rows += parser.records;
    reader.consume(parser.consumed);
  }
  const seconds = (performance.now() - started) / 1000;
  return {
    rows,
    bytes: reader.bytesRead,
    seconds,
    cpuSeconds: cpuSeconds(),
    peakRssMb: peakRssMb(),
    checksum: Number.isFinite(checksum),
  };
}

if (!isReaderWorkerThread()) {
  const [mode, file, workers] = process.argv.slice(2);
  const measurement = mode === 'parse' ? await parseOnly(file!) : await profile(file!, Number(workers ?? 2));
  console.log(JSON.stringify(measurement));
}
