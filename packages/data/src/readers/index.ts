// The readers of the data engine: files, globs and s3:// prefixes in; DatasetProfiles out (see profile-sources.ts).
export { profileSources } from './profile-sources.js';
export type {
  FileSummary,
  ProfileProgress,
  ProfileSourcesOptions,
  ProfileSourcesResult,
  RaggedRowExample,
} from './profile-sources.js';
export { DEFAULT_FILE_CONCURRENCY, MAX_LINE_BYTES } from './profile-sources.js';
export { resolveSources, formatFromName, DATA_FORMATS } from './sources.js';
export type { Compression, DataFormat, DataSource, ResolveSourcesOptions } from './sources.js';
export {
  columnNamesFromHeader,
  DEFAULT_MAX_FIELD_BYTES,
  delimiterByte,
  looksLikeHeader,
  positionalColumnNames,
} from './csv.js';
export type { HeaderMode } from './csv.js';
export type { CaptureSide } from './capture.js';
export { profileParquet, parquetCell, rangedAsyncBuffer } from './parquet.js';
export { DEFAULT_WINDOW_BYTES } from './windows.js';
export { isReaderWorkerThread, READER_WORKER_MARK } from './worker.js';
