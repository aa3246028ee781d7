import { expect, test } from '@playwright/test';
import { E2E_UPLOAD_IDLE_SECONDS } from '@/playwright.config';
import {
  type ApiUser,
  api,
  createApiUser,
  createChat,
  expectNoProviderLeak,
  expectProblem,
  newBoundary,
  partHead,
  type RawResponse,
  rawRequestWithoutBody,
  uploadFile,
} from './api-helpers';

/**
 * What a script that wants to starve the upload route does, over raw sockets against the
 * production build: connections that promise a large body, send the request's headers or the
 * start of the file, and go quiet.
 */

const IDLE_MS = E2E_UPLOAD_IDLE_SECONDS * 1000;

let attacker: ApiUser;
let honest: ApiUser;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(60_000);
  attacker = await createApiUser(browser);
  honest = await createApiUser(browser);
});

/**
 * A connection that promises a 1 MB upload, sends its headers and `sent` (the file part's head and
 * the start of the file) or nothing of the body at all, and then nothing more. Resolves with the
 * response and when it came.
 */
async function stalledUpload(token: string, chatId: string, sent: string | null) {
  const boundary = newBoundary();
  const head = [
    `POST /api/chats/${chatId}/attachments HTTP/1.1`,
    'Host: localhost:3100',
    `Authorization: Bearer ${token}`,
    `Content-Type: multipart/form-data; boundary=${boundary}`,
    `Content-Length: ${1024 * 1024}`,
    '',
    '',
  ].join('\r\n');
  const body =
    sent === null
      ? Buffer.alloc(0)
      : Buffer.concat([
          partHead(boundary, { name: 'file', filename: 'quiet.txt', contentType: 'text/plain' }),
          Buffer.from(sent),
        ]);
  const response: RawResponse = await rawRequestWithoutBody(
    Buffer.concat([Buffer.from(head), body]),
    IDLE_MS + 30_000,
  );
  expectNoProviderLeak(response.text, 'a stalled upload');
  return { ...response, at: Date.now() };
}

test('connections that go quiet keep no honest upload out, and are cut off after the idle timeout', async () => {
  test.setTimeout(120_000);
  const attackerChat = await createChat(attacker.token, 'offline');
  const honestChat = await createChat(honest.token, 'offline');
  const started = Date.now();

  // Headers and nothing more: these never reach the file, and hold no place while they wait.
  const silent = Array.from({ length: 4 }, () => stalledUpload(attacker.token, attackerChat, null));
  // The start of a file past the content check's 64 KiB head, then quiet: the attacker's own three
  // places go to three of them, and the others are refused at once.
  const startOfFile = 'Quiet from here on.\n'.repeat(4000);
  const quiet = Array.from({ length: 6 }, () => stalledUpload(attacker.token, attackerChat, startOfFile));

  // Three refused: the other three hold all the attacker's places.
  await new Promise<void>((resolve) => {
    let refused = 0;
    for (const q of quiet)
      void q.then(
        (r) => r.status === 503 && ++refused === 3 && resolve(),
        () => {},
      );
  });

  // Meanwhile another user's upload goes through, without waiting for anything to time out.
  const upload = await uploadFile(honest.token, honestChat, {
    filename: 'honest.txt',
    contentType: 'text/plain',
    data: 'An honest file.\n',
  });
  expect(upload.status, upload.text).toBe(201);
  const honestAt = Date.now();

  const silentAnswers = await Promise.all(silent);
  const quietAnswers = await Promise.all(quiet);

  const busy = quietAnswers.filter((r) => r.status === 503);
  expect(busy).toHaveLength(3);
  for (const refused of busy) {
    expect(expectProblem(refused, 503, 'upload_concurrency_limit').limit_scope).toBe('user');
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.at - started).toBeLessThan(IDLE_MS);
  }
  const cutOff = [...silentAnswers, ...quietAnswers.filter((r) => r.status !== 503)];
  expect(cutOff).toHaveLength(7);
  for (const answer of cutOff) {
    expectProblem(answer, 408, 'upload_timeout');
    // Given the whole idle timeout, and the honest upload was long done by then.
    expect(answer.at - started).toBeGreaterThanOrEqual(IDLE_MS - 500);
    expect(answer.at).toBeGreaterThan(honestAt);
  }
  expect(JSON.parse(silentAnswers[0]?.text ?? '{}').detail).toMatch(/did not start/);

  // The three that started their file have their rows, failed; the attacker's places are free again.
  const listed = await api('GET', `/api/chats/${attackerChat}/attachments`, { token: attacker.token });
  expect(listed.json.items.map((item: { status: string; error_code?: string }) => item)).toEqual(
    Array(3).fill(expect.objectContaining({ status: 'failed', error_code: 'upload_timeout' })),
  );
  const again = await uploadFile(attacker.token, attackerChat, {
    filename: 'after.txt',
    contentType: 'text/plain',
    data: 'Sent in one go.\n',
  });
  expect(again.status, again.text).toBe(201);
});
