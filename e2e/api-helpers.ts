import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { type Browser, expect } from '@playwright/test';
import { APP_DIRECT_PORT, FAKE_OPENAI_ORIGIN } from '@/playwright.config';
import { readSse, type SseEvent } from '@/tests/support/sse';
import { APP_HOST, APP_ORIGIN, FROM_APP, signUp } from './helpers';

/** HTTP-level helpers for the API specs: bearer-token users, raw requests, the fake OpenAI server. */

export const PROBLEM_JSON = 'application/problem+json';

export interface ApiUser {
  email: string;
  token: string;
}

/** Signs up a new organisation in its own browser context and mints an API token with its session. */
export async function createApiUser(browser: Browser): Promise<ApiUser> {
  const context = await browser.newContext({ baseURL: APP_ORIGIN });
  try {
    const page = await context.newPage();
    const email = await signUp(page);
    const response = await page.request.post('/api/tokens', { data: { name: 'e2e api' }, headers: FROM_APP });
    expect(response.status()).toBe(201);
    const { token } = (await response.json()) as { token: string };
    expect(token).toMatch(/^mct_/);
    return { email, token };
  } finally {
    await context.close();
  }
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted on field by field.
  json: any;
}

/** How many response bodies went through `expectNoProviderLeak` (so a test can tell it ran). */
export const leakChecks = { count: 0 };

/** Raw-text markers of provider ids and internals: OpenAI/Azure file ids, vector stores, the fake's address. */
const LEAK_MARKERS = ['file-', 'assistant-', 'vs_', ':3199', '127.0.0.1', FAKE_OPENAI_ORIGIN];
/** JSON member names that would expose internals. */
const LEAK_KEYS = /provider|storage_backend|chat_id|user_id|tenant_id|vector_store/i;

function jsonKeys(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) jsonKeys(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      into.push(key);
      jsonKeys(item, into);
    }
  }
  return into;
}

/** Asserts a response body names no provider id, no fake-server address and no internal member. */
export function expectNoProviderLeak(text: string, what: string) {
  leakChecks.count++;
  for (const marker of LEAK_MARKERS) {
    expect(text, `${what}: the response body contains "${marker}"`).not.toContain(marker);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  const leaked = jsonKeys(parsed).filter((key) => LEAK_KEYS.test(key));
  expect(leaked, `${what}: the response body has internal members`).toEqual([]);
}

const isBinary = (headers: Headers) => /^image\//.test(headers.get('content-type') ?? '');

/** One request with fetch; every text body is checked for provider leaks on the way. */
export async function api(
  method: string,
  path: string,
  options: { token?: string | null; headers?: Record<string, string>; body?: Uint8Array | string } = {},
): Promise<ApiResponse & { bytes: Buffer }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const body = typeof options.body === 'string' ? options.body : options.body && new Uint8Array(options.body);
  const response = await fetch(`${APP_ORIGIN}${path}`, { method, headers, body });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = isBinary(response.headers) ? '' : bytes.toString('utf8');
  if (!isBinary(response.headers)) expectNoProviderLeak(text, `${method} ${path}`);
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json, bytes };
}

/** Asserts an RFC 9457 problem response with the given status and code. */
export function expectProblem(
  response: { status: number; headers: Headers | http.IncomingHttpHeaders; text: string },
  status: number,
  code: string,
) {
  const contentType =
    response.headers instanceof Headers
      ? response.headers.get('content-type')
      : (response.headers['content-type'] as string | undefined);
  const summary = `${response.status} ${response.text.slice(0, 300)}`;
  expect(response.status, summary).toBe(status);
  expect(contentType, summary).toContain(PROBLEM_JSON);
  const body = JSON.parse(response.text);
  expect(body, summary).toMatchObject({
    type: `urn:mini-chat:problem:${code}`,
    status,
    code,
    title: expect.any(String),
    detail: expect.any(String),
    request_id: expect.any(String),
  });
  return body;
}

export interface Part {
  name: string;
  filename?: string;
  /** null leaves the part's Content-Type header out. */
  contentType?: string | null;
  data: Uint8Array | string;
}

export const newBoundary = () => `----minichat-e2e-${randomBytes(8).toString('hex')}`;

export function partHead(boundary: string, part: Omit<Part, 'data'>): Buffer {
  const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
  const type = part.contentType ? `Content-Type: ${part.contentType}\r\n` : '';
  return Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`);
}

export const closing = (boundary: string) => Buffer.from(`\r\n--${boundary}--\r\n`);

/** A multipart/form-data body built by hand, so malformed variants are easy to make. */
export function multipart(parts: Part[], boundary = newBoundary()) {
  const chunks: Buffer[] = [];
  parts.forEach((part, i) => {
    if (i > 0) chunks.push(Buffer.from('\r\n'));
    chunks.push(partHead(boundary, part), Buffer.from(part.data));
  });
  chunks.push(closing(boundary));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}`, boundary };
}

export interface FileInput {
  filename: string;
  contentType: string | null;
  data: Uint8Array | string;
}

export async function uploadFile(token: string, chatId: string, file: FileInput) {
  const { body, contentType } = multipart([{ name: 'file', ...file }]);
  return api('POST', `/api/chats/${chatId}/attachments`, {
    token,
    headers: { 'content-type': contentType },
    body,
  });
}

export async function statusOf(token: string, chatId: string, id: string) {
  const response = await api('GET', `/api/chats/${chatId}/attachments/${id}`, { token });
  expect(response.status, response.text).toBe(200);
  return response.json.status as string;
}

export const waitUntilReady = (token: string, chatId: string, id: string) =>
  expect.poll(() => statusOf(token, chatId, id), { timeout: 20_000 }).toBe('ready');

export async function createChat(token: string, model: 'offline' | 'gpt-4.1-mini'): Promise<string> {
  const response = await api('POST', '/api/chats', {
    token,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: `Attachments ${model}`, model }),
  });
  expect(response.status, response.text).toBe(201);
  expect(response.json.model).toBe(model);
  return response.json.id as string;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * Writes `head` (request line and headers, perhaps with the start of a body) on a plain socket and
 * reads one response, without ever sending any more. Fails when no complete response arrives
 * within `timeoutMs`. Like `chunkedRequest`, it talks to `next start` itself, not through the
 * Vercel-like proxy: these test our own server's handling of bodies (limits above Vercel's 4.5 MB,
 * stalls), which a deployment without Vercel's edge relies on.
 */
export function rawRequestWithoutBody(head: string | Buffer, timeoutMs = 5_000): Promise<RawResponse> {
  return new Promise<RawResponse>((resolve, reject) => {
    const socket = net.connect({ host: APP_HOST, port: APP_DIRECT_PORT });
    let received = Buffer.alloc(0);
    let settled = false;
    const finish = (error: Error | null, response?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(response as RawResponse);
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete response within ${timeoutMs} ms (got ${received.length} bytes)`)),
      timeoutMs,
    );
    socket.on('connect', () => socket.write(head));
    socket.on('data', (data) => {
      received = Buffer.concat([received, data]);
      const parsed = parseResponse(received);
      if (parsed) finish(null, parsed);
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () => finish(new Error(`connection closed after ${received.length} bytes`)));
  });
}

/** A complete HTTP/1.1 response from `data`, or undefined while more is needed. */
function parseResponse(data: Buffer): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(statusLine.split(' ')[1]);
  const headers: http.IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let rest = data.subarray(end + 4);
  if (headers['transfer-encoding'] === 'chunked') {
    const body: Buffer[] = [];
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      if (lineEnd === -1) return undefined;
      const size = Number.parseInt(rest.subarray(0, lineEnd).toString('latin1'), 16);
      if (size === 0) return { status, headers, text: Buffer.concat(body).toString('utf8') };
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      body.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      rest = rest.subarray(lineEnd + 2 + size + 2);
    }
  }
  const length = Number(headers['content-length'] ?? 0);
  if (rest.length < length) return undefined;
  return { status, headers, text: rest.subarray(0, length).toString('utf8') };
}

/**
 * Streams a request body with `Transfer-Encoding: chunked` (no Content-Length): `head`, then
 * `bytes` bytes made of `chunk` repeated, and only then `tail` if the server has not answered by
 * then, so a response proves the server answered midway. Resolves with the response and how many
 * of the `bytes` were written before it came.
 */
export function chunkedRequest(
  token: string,
  path: string,
  body: { contentType: string; head: Buffer; bytes: number; chunk: Buffer; tail: Buffer },
  timeoutMs = 30_000,
): Promise<RawResponse & { bytesWritten: number; ended: boolean }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let bytesWritten = 0;
    let ended = false;
    const request = http.request({
      host: APP_HOST,
      port: APP_DIRECT_PORT,
      method: 'POST',
      path,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': body.contentType,
        'transfer-encoding': 'chunked',
      },
    });
    const timer = setTimeout(() => {
      request.destroy();
      reject(new Error(`no response within ${timeoutMs} ms (${bytesWritten} bytes written)`));
    }, timeoutMs);
    const responded = new Promise<void>((done) => {
      request.on('response', (response) => {
        answered = true;
        done();
        const chunks: Buffer[] = [];
        response.on('data', (data: Buffer) => chunks.push(data));
        response.on('end', () => {
          clearTimeout(timer);
          request.destroy();
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            bytesWritten,
            ended,
          });
        });
      });
    });
    request.on('error', (error) => {
      // Once the answer is in, the server may close the socket under the rest of the body.
      if (answered) return;
      clearTimeout(timer);
      reject(error);
    });
    const write = async (data: Buffer) => {
      if (!request.write(data)) {
        await Promise.race([new Promise((done) => request.once('drain', done)), responded]);
      }
    };
    void (async () => {
      await write(body.head);
      while (!answered && bytesWritten < body.bytes) {
        const piece = body.chunk.subarray(0, Math.min(body.chunk.length, body.bytes - bytesWritten));
        bytesWritten += piece.length;
        await write(piece);
      }
      if (answered) return;
      // All of it is out and there is still no answer: a server that waits for the end of the
      // body gets it, and the test sees `ended`.
      await Promise.race([new Promise((done) => setTimeout(done, 3_000)), responded]);
      if (answered) return;
      ended = true;
      request.end(body.tail);
    })().catch((error: unknown) => {
      if (!answered) reject(error);
    });
  });
}

/** A multipart upload streamed with `chunkedRequest`: the file part's head, `fileBytes` of `chunk`. */
export async function chunkedUpload(
  token: string,
  path: string,
  file: { filename: string; contentType: string; fileBytes: number; chunk: Buffer },
  timeoutMs = 30_000,
): Promise<RawResponse & { fileBytesWritten: number; ended: boolean }> {
  const boundary = newBoundary();
  const { bytesWritten, ...response } = await chunkedRequest(
    token,
    path,
    {
      contentType: `multipart/form-data; boundary=${boundary}`,
      head: partHead(boundary, { name: 'file', filename: file.filename, contentType: file.contentType }),
      bytes: file.fileBytes,
      chunk: file.chunk,
      tail: closing(boundary),
    },
    timeoutMs,
  );
  return { ...response, fileBytesWritten: bytesWritten };
}

// ---- The fake OpenAI server's control plane ----

export interface FakeState {
  files: { id: string; filename: string; purpose: string; bytes: number }[];
  vectorStores: {
    id: string;
    name: string | null;
    files: { id: string; status: string; attributes: Record<string, unknown> }[];
  }[];
}

export interface FakeRequest {
  method: string;
  path: string;
  endpoint: string | null;
  status?: number;
  // biome-ignore lint/suspicious/noExplicitAny: request bodies are asserted on field by field.
  body?: any;
  /** Epoch ms of a streamed reply's first token and of its connection closing. */
  stream?: { firstTokenAt?: number; finishedAt?: number; closedAt?: number; clientClosed: boolean };
}

async function fakeCall(method: 'GET' | 'POST', path: string, body?: unknown) {
  const response = await fetch(`${FAKE_OPENAI_ORIGIN}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  expect(response.status, `fake ${method} ${path}: ${text}`).toBe(200);
  return JSON.parse(text);
}

export const fake = {
  reset: () => fakeCall('POST', '/__fake/reset'),
  state: (): Promise<FakeState> => fakeCall('GET', '/__fake/state'),
  requests: (): Promise<FakeRequest[]> => fakeCall('GET', '/__fake/requests'),
  fault: (spec: {
    endpoint: string;
    times?: number;
    status?: number;
    delayMs?: number;
    drop?: true;
    message?: string;
  }) => fakeCall('POST', '/__fake/faults', spec),
  indexing: (spec: { delayMs?: number; failWhenFilenameMatches?: string | null; failCode?: string }) =>
    fakeCall('POST', '/__fake/indexing', spec),
  pace: (delayMs: number) => fakeCall('POST', '/__fake/pace', { delayMs }),
};

// ---- Event streams ----

/**
 * Reads an event-stream response as it arrives; with `stopWhen`, aborts the request once it says
 * so (a client going away). A stream read to its end is checked for leaks.
 */
export async function readStream(
  response: Response,
  options: { stopWhen?: (events: SseEvent[]) => boolean; abort?: AbortController } = {},
): Promise<{ events: SseEvent[]; raw: string; abortedAt?: number }> {
  let abortedAt: number | undefined;
  const { events, raw } = await readSse(response.body as ReadableStream<Uint8Array>, (seen) => {
    if (!options.stopWhen?.(seen)) return false;
    abortedAt = Date.now();
    options.abort?.abort();
    return true;
  });
  if (abortedAt === undefined) expectNoProviderLeak(raw, 'event stream');
  return { events, raw, abortedAt };
}

/** Starts a message; the caller reads the stream (or the problem document). */
export function postMessage(
  token: string,
  chatId: string,
  body: { content: string; request_id?: string; attachment_ids?: string[] },
  signal?: AbortSignal,
) {
  return fetch(`${APP_ORIGIN}/api/chats/${chatId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}
