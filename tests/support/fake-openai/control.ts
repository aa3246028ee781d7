import type { FailSpec } from './faults';
import { ApiError, type Router } from './http';
import { parseReplyScript } from './replies';
import type { FakeOpenAI } from './server';

export type Controls = Pick<
  FakeOpenAI,
  | 'state'
  | 'requests'
  | 'reset'
  | 'fail'
  | 'delay'
  | 'dropConnection'
  | 'setIndexing'
  | 'expireUploads'
  | 'queueReply'
  | 'setPace'
>;

const badRequest = (message: string) => new ApiError(400, message);

/**
 * The programmatic controls over HTTP, for tests whose app runs in another process (Playwright against
 * `next start`). Not authenticated, not recorded, not subject to faults.
 */
export function registerControl(router: Router, fake: Controls) {
  router
    .add('GET', '/__fake/state', 'fake.state', () => fake.state())
    .add('GET', '/__fake/requests', 'fake.requests', () => fake.requests)
    .add('POST', '/__fake/reset', 'fake.reset', () => {
      fake.reset();
      return { ok: true };
    })
    // {endpoint, times?, delayMs?, drop?: true, status?, message?, code?, type?}
    .add('POST', '/__fake/faults', 'fake.faults', async ({ json }) => {
      const body = await json();
      const { endpoint, times, delayMs, drop, status } = body;
      if (typeof endpoint !== 'string') throw badRequest("'endpoint' is required.");
      if (times !== undefined && typeof times !== 'number') throw badRequest("'times' must be a number.");
      if (typeof delayMs === 'number') fake.delay(endpoint, delayMs);
      if (drop === true) fake.dropConnection(endpoint, { times });
      if (typeof status === 'number') fake.fail(endpoint, { ...(body as Partial<FailSpec>), status, times });
      return { ok: true };
    })
    // {delayMs?, failWhenFilenameMatches?: regex source | null, failCode?}
    .add('POST', '/__fake/indexing', 'fake.indexing', async ({ json }) => {
      const { delayMs, failWhenFilenameMatches: pattern, failCode } = await json();
      if (delayMs !== undefined && typeof delayMs !== 'number')
        throw badRequest("'delayMs' must be a number.");
      if (failCode !== undefined && failCode !== 'unsupported_file' && failCode !== 'server_error') {
        throw badRequest("'failCode' must be 'unsupported_file' or 'server_error'.");
      }
      if (pattern !== undefined && pattern !== null && typeof pattern !== 'string') {
        throw badRequest("'failWhenFilenameMatches' must be a regular expression source or null.");
      }
      const regex = typeof pattern === 'string' ? new RegExp(pattern) : pattern;
      fake.setIndexing({
        delayMs,
        failCode,
        failWhen: regex && ((file) => regex.test(file.filename)),
      });
      return { ok: true };
    })
    // {text?, chunks?, delayMs?, status?, code?, errorAfterChunks?, usage?: {input_tokens, output_tokens}}
    .add('POST', '/__fake/replies', 'fake.replies', async ({ json }) => {
      fake.queueReply(parseReplyScript(await json()));
      return { ok: true };
    })
    .add('POST', '/__fake/uploads/expire', 'fake.uploads.expire', () => {
      fake.expireUploads();
      return { ok: true };
    })
    // {delayMs}
    .add('POST', '/__fake/pace', 'fake.pace', async ({ json }) => {
      const { delayMs } = await json();
      if (typeof delayMs !== 'number' || !(delayMs >= 0)) throw badRequest("'delayMs' must be a number ≥ 0.");
      fake.setPace(delayMs);
      return { ok: true };
    });
}
