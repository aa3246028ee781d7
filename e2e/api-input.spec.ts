import { expect, test } from '@playwright/test';
import { E2E_METRICS_TOKEN } from '@/playwright.config';
import {
  type ApiUser,
  api,
  chunkedRequest,
  createApiUser,
  createChat,
  expectProblem,
  rawRequestWithoutBody,
} from './api-helpers';

/**
 * Hostile input at the HTTP edge of the production build: what a client can put in a body, a
 * query or a header must be refused as a 4xx problem, never answered with a 500.
 */

const MiB = 1024 * 1024;
const MAX_JSON_BODY_BYTES = MiB;
const json = { 'content-type': 'application/json' };
const cursorAt = (at: string) =>
  Buffer.from(JSON.stringify([at, '01a21dac-f1b9-77ad-932d-3b382c2aab95'])).toString('base64url');

let user: ApiUser;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(60_000);
  user = await createApiUser(browser);
});

async function chatTitles(): Promise<(string | null)[]> {
  const response = await api('GET', '/api/chats?limit=100', { token: user.token });
  expect(response.status, response.text).toBe(200);
  return response.json.items.map((chat: { title: string | null }) => chat.title);
}

test.describe('request bodies', () => {
  test('a Content-Length over 1 MiB is refused with 413 before any of the body is sent', async () => {
    const before = await chatTitles();
    const response = await rawRequestWithoutBody(
      [
        'POST /api/chats HTTP/1.1',
        'Host: localhost:3100',
        `Authorization: Bearer ${user.token}`,
        'Content-Type: application/json',
        `Content-Length: ${50 * MiB}`,
        '',
        '',
      ].join('\r\n'),
    );
    const problem = expectProblem(response, 413, 'payload_too_large');
    expect(problem.max_bytes).toBe(MAX_JSON_BODY_BYTES);
    expect(await chatTitles()).toEqual(before);
  });

  test('a chunked JSON body is cut off with 413 once it passes 1 MiB, without waiting for its end', async () => {
    test.setTimeout(60_000);
    const before = await chatTitles();
    const response = await chunkedRequest(user.token, '/api/chats', {
      contentType: 'application/json',
      head: Buffer.from('{"title": "big", "padding": "'),
      bytes: 50 * MiB,
      chunk: Buffer.alloc(64 * 1024, ' '),
      tail: Buffer.from('"}'),
    });
    const problem = expectProblem(response, 413, 'payload_too_large');
    expect(problem.max_bytes).toBe(MAX_JSON_BODY_BYTES);
    expect(response.ended).toBe(false);
    expect(response.bytesWritten).toBeGreaterThan(MAX_JSON_BODY_BYTES);
    expect(response.bytesWritten).toBeLessThan(50 * MiB);
    expect(await chatTitles()).toEqual(before);
  });
});

test('a NUL character in a title, a token name or a message is a 400 validation_error', async () => {
  const chatId = await createChat(user.token, 'offline');
  // As JSON writes it (the escape \u0000 inside a string), and as a raw byte JSON does not allow.
  const escaped = (field: string) => `{"${field}": "before\\u0000after"}`;
  const refusals = [
    await api('POST', '/api/chats', { token: user.token, headers: json, body: escaped('title') }),
    await api('POST', '/api/chats', { token: user.token, headers: json, body: '{"title": "raw\u0000"}' }),
    await api('PATCH', `/api/chats/${chatId}`, { token: user.token, headers: json, body: escaped('title') }),
    await api('POST', '/api/tokens', { token: user.token, headers: json, body: escaped('name') }),
    await api('POST', `/api/chats/${chatId}/messages`, {
      token: user.token,
      headers: json,
      body: escaped('content'),
    }),
  ];
  for (const response of refusals) expectProblem(response, 400, 'validation_error');
  expect(refusals.map((r) => r.json.errors?.[0]?.field)).toEqual([
    'title',
    undefined,
    'title',
    'name',
    'content',
  ]);

  expect((await chatTitles()).some((title) => title?.includes('\u0000'))).toBe(false);
  const messages = await api('GET', `/api/chats/${chatId}/messages`, { token: user.token });
  expect(messages.json.items).toEqual([]);
  const tokens = await api('GET', '/api/tokens', { token: user.token });
  expect(tokens.json.items.map((t: { name: string }) => t.name)).toEqual(['e2e api']);
});

test('a cursor naming a date Postgres cannot take is a 400 validation_error', async () => {
  const chatId = await createChat(user.token, 'offline');
  for (const at of ['+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00.000Z']) {
    expectProblem(
      await api('GET', `/api/chats?cursor=${cursorAt(at)}`, { token: user.token }),
      400,
      'validation_error',
    );
    expectProblem(
      await api('GET', `/api/chats/${chatId}/messages?cursor=${cursorAt(at)}`, { token: user.token }),
      400,
      'validation_error',
    );
  }
});

test('every 401 names the Bearer scheme', async () => {
  const chatId = await createChat(user.token, 'offline');
  const unauthorized = [
    await api('GET', '/api/chats'),
    await api('GET', '/api/chats', { token: 'mct_not-a-token' }),
    await api('POST', `/api/chats/${chatId}/messages`, { headers: json, body: '{"content": "hi"}' }),
    await api('GET', `/api/chats/${chatId}/attachments`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    }),
    await api('GET', '/api/tokens'),
    await api('GET', '/api/metrics', { token: `${E2E_METRICS_TOKEN}-wrong` }),
  ];
  for (const response of unauthorized) {
    expectProblem(response, 401, 'unauthorized');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  }
});
