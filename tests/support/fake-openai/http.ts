import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeState } from './state';

export interface ErrorDetails {
  type?: string;
  param?: string | null;
  code?: string | null;
  headers?: Record<string, string>;
}

/** Any non-2xx answer; the server turns it into OpenAI's `{error:{message,type,param,code}}` envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

export type JsonBody = Record<string, unknown>;

/** Path parameter names used by the routes (`/vector_stores/:id/files/:fileId`). */
type Params = Record<'id' | 'fileId', string>;

export interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  params: Params;
  query: URLSearchParams;
  state: FakeState;
  /** True for requests under the Azure mounts (`/openai/v1`, `/openai?api-version=`). */
  azure: boolean;
  json(): Promise<JsonBody>;
}

/** A handler's return value is sent as JSON with status 200, except a Buffer, which is sent as raw bytes. */
export type Handler = (ctx: Context) => unknown;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  endpoint: string;
  handle: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, path: string, endpoint: string, handle: Handler): this {
    const names: string[] = [];
    const source = path.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, endpoint, handle });
    return this;
  }

  get endpoints(): Set<string> {
    return new Set(this.routes.map((route) => route.endpoint));
  }

  match(method: string, path: string): { route: Route; params: Params } | undefined {
    for (const route of this.routes) {
      const found = route.method === method && route.pattern.exec(path);
      if (!found) continue;
      const params = Object.fromEntries(
        route.names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]),
      );
      return { route, params: params as Params };
    }
    return undefined;
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  // The SDK only parses bodies whose content-type says JSON; anything else reaches callers as a string.
  res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export function respond(res: ServerResponse, result: unknown) {
  if (Buffer.isBuffer(result)) {
    res
      .writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': result.length })
      .end(result);
  } else {
    sendJson(res, 200, result);
  }
}

export function replyError(res: ServerResponse, err: unknown) {
  if (res.headersSent || res.destroyed) return;
  const { status, message, details } =
    err instanceof ApiError ? err : new ApiError(500, String(err), { type: 'server_error' });
  const { type = 'invalid_request_error', param = null, code = null, headers } = details;
  sendJson(res, status, { error: { message, type, param, code } }, headers);
}

export async function readJson(req: IncomingMessage): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body)) return body;
  } catch {}
  throw new ApiError(400, 'We could not parse the JSON body of your request.');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * OpenAI cursor pagination. Cursors resolve through `cursorSeq`, which remembers deleted items too, so a
 * caller that deletes what it lists while paging (a cleanup loop) still gets the next page.
 */
export function paginate<R extends { seq: number }>(
  records: Iterable<R>,
  query: URLSearchParams,
  cursorSeq: (id: string) => number | undefined,
  toJson: (record: R) => { id: string },
  { defaultLimit = 20, maxLimit = 100 } = {},
) {
  const desc = query.get('order') !== 'asc';
  const limit = Number(query.get('limit') ?? defaultLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw new ApiError(400, `Invalid 'limit': expected an integer between 1 and ${maxLimit}.`, {
      param: 'limit',
    });
  }
  let sorted = [...records].sort((a, b) => (desc ? b.seq - a.seq : a.seq - b.seq));
  const after = query.get('after');
  if (after) {
    const bound = cursorSeq(after);
    if (bound === undefined) throw new ApiError(400, `Invalid 'after' cursor: ${after}`, { param: 'after' });
    sorted = sorted.filter((record) => (desc ? record.seq < bound : record.seq > bound));
  }
  const data = sorted.slice(0, limit).map(toJson);
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: sorted.length > limit,
  };
}
