import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { checkCookieRequest, configuredOrigins } from '@/lib/http/same-origin';

const APP = 'http://localhost:3000';

/** As a request arrives over HTTP: a body comes with its Content-Length. */
function request(method: string, headers: Record<string, string>, body?: string): Request {
  const framing: Record<string, string> =
    body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
  return new Request(`${APP}/api/chats`, { method, headers: { ...framing, ...headers }, body });
}

function refusal(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).status).toBe(403);
    return (err as AppError).code;
  }
}

describe('cookie requests must come from our own pages', () => {
  it('lets our own JSON and multipart posts through', () => {
    expect(
      refusal(() =>
        checkCookieRequest(request('POST', { origin: APP, 'content-type': 'application/json' }, '{}')),
      ),
    ).toBeUndefined();
    expect(
      refusal(() =>
        checkCookieRequest(
          request('POST', { origin: APP, 'content-type': 'multipart/form-data; boundary=x' }, '--x--'),
        ),
      ),
    ).toBeUndefined();
    // A body-less DELETE from our page, and a same-origin request whose browser sent no Origin.
    expect(refusal(() => checkCookieRequest(request('DELETE', { origin: APP })))).toBeUndefined();
    expect(
      refusal(() =>
        checkCookieRequest(
          request('PATCH', { 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, '{}'),
        ),
      ),
    ).toBeUndefined();
  });

  it('refuses another site, another port of the same host, and a missing origin', () => {
    const json = { 'content-type': 'application/json' };
    for (const origin of ['https://evil.example', 'http://localhost:3001', 'null']) {
      expect(refusal(() => checkCookieRequest(request('POST', { origin, ...json }, '{}')))).toBe(
        'cross_site_request',
      );
    }
    expect(
      refusal(() => checkCookieRequest(request('POST', { 'sec-fetch-site': 'cross-site', ...json }, '{}'))),
    ).toBe('cross_site_request');
    expect(
      refusal(() => checkCookieRequest(request('POST', { 'sec-fetch-site': 'same-site', ...json }, '{}'))),
    ).toBe('cross_site_request');
    expect(refusal(() => checkCookieRequest(request('DELETE', {})))).toBe('cross_site_request');
  });

  it('refuses the body types a cross-site form can send, even from our origin', () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', '']) {
      const headers: Record<string, string> = { origin: APP };
      if (type) headers['content-type'] = type;
      expect(refusal(() => checkCookieRequest(request('POST', headers, '{"title":"x"}')))).toBe(
        'cross_site_request',
      );
    }
  });

  it("accepts a chunked upload's raw part from our origin, and refuses it from another", () => {
    const part = { 'content-type': 'application/octet-stream' };
    expect(
      refusal(() => checkCookieRequest(request('PUT', { origin: APP, ...part }, 'bytes'))),
    ).toBeUndefined();
    expect(
      refusal(() => checkCookieRequest(request('PUT', { origin: 'https://evil.example', ...part }, 'bytes'))),
    ).toBe('cross_site_request');
  });

  it('leaves reads and bearer-token callers alone', () => {
    expect(
      refusal(() => checkCookieRequest(request('GET', { origin: 'https://evil.example' }))),
    ).toBeUndefined();
    expect(
      refusal(() =>
        checkCookieRequest(
          request(
            'POST',
            { origin: 'https://evil.example', authorization: 'Bearer mct_x', 'content-type': 'text/plain' },
            'x',
          ),
        ),
      ),
    ).toBeUndefined();
  });

  it('accepts the configured public origin behind a proxy', () => {
    const allowed = configuredOrigins({ AUTH_URL: 'https://chat.example.com/app' });
    expect(allowed).toEqual(['https://chat.example.com']);
    const proxied = request(
      'POST',
      { origin: 'https://chat.example.com', 'content-type': 'application/json' },
      '{}',
    );
    expect(refusal(() => checkCookieRequest(proxied, allowed))).toBeUndefined();
    expect(refusal(() => checkCookieRequest(proxied))).toBe('cross_site_request');
    expect(configuredOrigins({ AUTH_URL: 'not a url' })).toEqual([]);
  });
});
