export { ArchiveService, type ArchiveOptions } from './service';
export { readArchiveConfig, archiveSpec, type ArchiveConfig } from './config';
export type { ArchiveContext } from './context';
