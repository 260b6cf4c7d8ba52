export { ArchiveService, type ArchiveOptions } from './service';
export { readArchiveConfig, archiveSpec, retentionSpec, type ArchiveConfig } from './config';
export type { ArchiveContext } from './context';
export { applyHistoryEvent, type ApplyResult } from './projection/apply';
