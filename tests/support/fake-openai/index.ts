export type { FailSpec } from './faults';
export type { FakeOpenAI, FakeOpenAIOptions, RecordedRequest } from './server';
export { startFakeOpenAI } from './server';
export type { FakeSnapshot, IndexingOptions } from './state';
