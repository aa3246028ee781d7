import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './server';

/**
 * One fake server for a test file and the real SDK pointed at it (no retries, so a scripted
 * failure is seen once), emptied after each test. Call it at the top of the file, then read
 * `fake` and `client` inside the tests.
 */
export function fakeWithClientForFile(): { readonly fake: FakeOpenAI; readonly client: OpenAI } {
  let fake: FakeOpenAI | undefined;
  let client: OpenAI | undefined;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    client = new OpenAI({ apiKey: 'test', baseURL: fake.url, maxRetries: 0 });
  });
  afterEach(() => fake?.reset());
  afterAll(() => fake?.close());
  const running = <T>(value: T | undefined): T => {
    if (!value) throw new Error('the fake OpenAI server is not running');
    return value;
  };
  return {
    get fake() {
      return running(fake);
    },
    get client() {
      return running(client);
    },
  };
}
