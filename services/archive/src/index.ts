export { ArchiveService, type ArchiveOptions } from './service';
export { readArchiveConfig, archiveSpec, retentionSpec, type ArchiveConfig } from './config';
export type { ArchiveContext } from './context';
export { applyHistoryEvent, type ApplyResult } from './projection/apply';
export { verifyArchive, type Hole, type VerifyReport, type VerifyRequest } from './verify/verify';
export type { HoleKind } from './verify/holes';
export { historyLastSeq, readHistory, type HistoryStart } from './verify/history-range';
export { applyWithRetry } from './verify/apply-retry';
export { Lanes } from './verify/lanes';
