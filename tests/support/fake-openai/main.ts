// Standalone fake for tests whose app runs in another process:
//   npx tsx tests/support/fake-openai/main.ts [--port N] [--api-key KEY]
import { parseArgs } from 'node:util';
import { startFakeOpenAI } from './index';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'api-key': { type: 'string' } } });
const fake = await startFakeOpenAI({
  port: values.port === undefined ? undefined : Number(values.port),
  apiKey: values['api-key'],
});
console.log(`fake-openai listening on ${fake.url}`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void fake.close());
