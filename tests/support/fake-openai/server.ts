import { once } from 'node:events';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerChatCompletions } from './chat-completions';
import { type Controls, registerControl } from './control';
import { type FailSpec, Faults } from './faults';
import { registerFiles } from './files';
import { ApiError, type Context, type JsonBody, Router, readJson, replyError, respond } from './http';
import { Replies, type ReplyDeps, type ReplyScript } from './replies';
import { registerResponses } from './responses';
import { type StreamTimings, streamFrames } from './sse';
import { type FakeSnapshot, FakeState, type IndexingOptions, newId } from './state';
import { registerUploads } from './uploads';
import { registerVectorStores } from './vector-stores';

export interface FakeOpenAIOptions {
  /** When set, requests need `Authorization: Bearer <key>` or `api-key: <key>`. */
  apiKey?: string;
  indexingDelayMs?: number;
  port?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The SDK-style endpoint key (`files.create`), null when no route matched. */
  endpoint: string | null;
  time: number;
  headers: IncomingHttpHeaders;
  status?: number;
  /** JSON request bodies only; uploads are not kept here. */
  body?: JsonBody;
  /** Streamed model replies (`/responses`, `/chat/completions` with `stream: true`). */
  stream?: StreamTimings;
}

export interface FakeOpenAI {
  /** Base URL for `new OpenAI({ baseURL })`. */
  readonly url: string;
  /** For `AzureOpenAI({ endpoint })`, the `/openai/v1` base URL and the `/__fake` control plane. */
  readonly origin: string;
  readonly requests: readonly RecordedRequest[];
  state(): FakeSnapshot;
  fileContent(id: string): Buffer | undefined;
  fail(endpoint: string, spec: FailSpec): void;
  delay(endpoint: string, ms: number): void;
  dropConnection(endpoint: string, options?: { times?: number }): void;
  setIndexing(options: IndexingOptions): void;
  /** Expires every pending upload (the Uploads API) now, as if its hour had passed. */
  expireUploads(): void;
  /** Scripts the next model reply (FIFO, shared by `/responses` and `/chat/completions`). */
  queueReply(script: ReplyScript): void;
  /** Pause between deltas of every reply that does not set its own (default 0). */
  setPace(delayMs: number): void;
  /** Forgets files, stores, faults, recorded requests, indexing changes, scripted replies and the pace. */
  reset(): void;
  /** Stops listening and destroys open connections, including ones mid-request. */
  close(): Promise<void>;
}

/** Where the API is mounted; the Azure mounts also make file ids look like Azure's. */
function resolveMount(url: URL): { path: string; azure: boolean } | undefined {
  for (const prefix of ['/v1', '/openai/v1']) {
    if (url.pathname.startsWith(`${prefix}/`))
      return { path: url.pathname.slice(prefix.length), azure: prefix !== '/v1' };
  }
  // Dated Azure API versions (the SDK's AzureOpenAI client) use `/openai/<path>?api-version=…`.
  if (url.pathname.startsWith('/openai/') && url.searchParams.has('api-version')) {
    return { path: url.pathname.slice('/openai'.length), azure: true };
  }
  return undefined;
}

function checkKey(req: IncomingMessage, apiKey: string | undefined) {
  const bearer = req.headers.authorization?.match(/^Bearer (.*)$/)?.[1];
  const azureKey = req.headers['api-key'];
  if (apiKey === undefined || bearer === apiKey || azureKey === apiKey) return;
  const message = bearer || azureKey ? 'Incorrect API key provided.' : "You didn't provide an API key.";
  throw new ApiError(401, message, { code: 'invalid_api_key' });
}

const invalidUrl = (method: string, url: URL) => new ApiError(404, `Invalid URL (${method} ${url.pathname})`);

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const state = new FakeState({ delayMs: options.indexingDelayMs });
  const requests: RecordedRequest[] = [];
  const records = new WeakMap<IncomingMessage, RecordedRequest>();
  const closing = new AbortController();
  const replies = new Replies();
  const models: ReplyDeps = {
    replies,
    sendStream({ req, res }, frames, delayMs) {
      const timings: StreamTimings = { clientClosed: false };
      const record = records.get(req);
      if (record) record.stream = timings;
      return streamFrames(res, frames, { delayMs, timings, closing: closing.signal });
    },
  };
  const api = new Router();
  registerFiles(api);
  registerUploads(api);
  registerVectorStores(api);
  registerResponses(api, models);
  registerChatCompletions(api, models);
  const faults = new Faults(api.endpoints);
  const controls: Controls = {
    requests,
    state: () => state.snapshot(),
    fail: (endpoint, spec) => faults.fail(endpoint, spec),
    delay: (endpoint, ms) => faults.delay(endpoint, ms),
    dropConnection: (endpoint, { times } = {}) => faults.dropConnection(endpoint, times),
    setIndexing: (indexing) => state.setIndexing(indexing),
    expireUploads: () => state.expireUploadsNow(),
    queueReply: (script) => replies.add(script),
    setPace: (delayMs) => {
      replies.pace = delayMs;
    },
    reset() {
      state.reset();
      faults.reset();
      replies.reset();
      requests.length = 0;
    },
  };
  const control = new Router();
  registerControl(control, controls);

  const context = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    params: Context['params'],
    azure: boolean,
    record?: RecordedRequest,
  ): Context => ({
    req,
    res,
    params,
    query: url.searchParams,
    state,
    azure,
    json: async () => {
      const body = await readJson(req);
      if (record) record.body = body;
      return body;
    },
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake-openai.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/__fake/')) {
      const match = control.match(method, url.pathname);
      if (!match) throw invalidUrl(method, url);
      return respond(res, await match.route.handle(context(req, res, url, match.params, false)));
    }
    const mount = resolveMount(url);
    const match = mount && api.match(method, mount.path);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      endpoint: match?.route.endpoint ?? null,
      time: Date.now(),
      headers: req.headers,
    };
    requests.push(record);
    records.set(req, record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    checkKey(req, options.apiKey);
    if (!mount || !match) throw invalidUrl(method, url);
    if (await faults.apply(match.route.endpoint, req, closing.signal)) return;
    state.settle();
    const result = await match.route.handle(context(req, res, url, match.params, mount.azure, record));
    // Streaming handlers have answered already.
    if (!res.headersSent) respond(res, result);
  }

  const server = http.createServer((req, res) => {
    res.setHeader('x-request-id', newId('req_'));
    handle(req, res).catch((err: unknown) => replyError(res, err));
  });
  server.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...controls,
    url: `${origin}/v1`,
    origin,
    fileContent: (id) => state.files.get(id)?.data,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        // Resolves on a second call too: the callback then gets ERR_SERVER_NOT_RUNNING.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
