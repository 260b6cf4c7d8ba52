export * from './spec';
export { readConfig, mergeSpecs, markdownRows, parseDuration } from './read';
