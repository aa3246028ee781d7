export type { FailSpec } from './faults';
export type { ReplyScript, ScriptedUsage } from './replies';
export type { FakeOpenAI, FakeOpenAIOptions, RecordedRequest } from './server';
export { startFakeOpenAI } from './server';
export type { StreamTimings } from './sse';
export type { FakeSnapshot, IndexingOptions } from './state';
