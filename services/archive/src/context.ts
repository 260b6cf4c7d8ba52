import type { BaseContext } from '@concord/runtime';
import type { ArchiveConfig } from './config';

/** Every dependency of the archive; tests pass overrides instead of patching modules. */
export type ArchiveContext = BaseContext<ArchiveConfig>;
