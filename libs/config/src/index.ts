export * from './spec';
export { readConfig, mergeSpecs, markdownRows, parseDuration, formatDuration } from './read';
