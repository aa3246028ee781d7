import { expect, test } from '@playwright/test';
import { png } from '@/tests/support/sample-files';
import { api, createApiUser, createChat, uploadFile } from './api-helpers';
import { APP_ORIGIN, FROM_APP, openNewChat, signUp } from './helpers';

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

function expectCommonHeaders(headers: Record<string, string>, what: string) {
  for (const [name, value] of Object.entries(COMMON_HEADERS)) {
    expect(headers[name], `${what}: ${name}`).toBe(value);
  }
  expect(headers['permissions-policy'], `${what}: permissions-policy`).toContain('camera=()');
}

test('pages carry a nonce-based CSP and run under it without a violation', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto('/signin');
  const headers = response?.headers() ?? {};
  expectCommonHeaders(headers, 'page');
  const csp = headers['content-security-policy'] ?? '';
  const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
  expect(scriptSrc).toMatch(/'nonce-[A-Za-z0-9+/=]+'/);
  expect(scriptSrc).toContain("'strict-dynamic'");
  expect(scriptSrc).not.toContain('unsafe-inline');
  expect(scriptSrc).not.toContain('unsafe-eval');
  expect(csp).toContain("frame-ancestors 'none'");
  // A fresh nonce for every render.
  const again = await page.request.get('/signin');
  expect(again.headers()['content-security-policy']).not.toBe(csp);

  // The whole app still runs under the policy: sign up, open a chat, and the page is interactive.
  await signUp(page);
  await openNewChat(page);
  await expect(page.getByRole('form', { name: 'Message composer' })).toBeVisible();
  // Markup that slipped past the renderer cannot run: an inline handler is refused by the policy.
  const refused = await page.evaluate(
    () =>
      new Promise<{ directive: string; ran: boolean }>((resolve) => {
        document.addEventListener(
          'securitypolicyviolation',
          (event) =>
            resolve({
              directive: event.effectiveDirective,
              ran: (window as unknown as { __injected?: boolean }).__injected === true,
            }),
          { once: true },
        );
        document.body.insertAdjacentHTML(
          'beforeend',
          '<img alt="" src="/missing.png" onerror="window.__injected = true">',
        );
      }),
  );
  expect(refused).toEqual({ directive: 'script-src-attr', ran: false });
  // The one violation is the injected handler's: the app itself needs nothing the policy refuses.
  expect(violations.filter((v) => !/inline event handler/i.test(v))).toEqual([]);
});

test('API answers, thumbnails and static files are never sniffed or framed', async ({ browser, request }) => {
  const user = await createApiUser(browser);
  const unauthorized = await api('GET', '/api/chats');
  expect(unauthorized.status).toBe(401);
  const apiHeaders = Object.fromEntries(unauthorized.headers);
  expectCommonHeaders(apiHeaders, 'API answer');
  expect(apiHeaders['content-security-policy']).toContain("default-src 'none'");

  const chatId = await createChat(user.token, 'gpt-4.1-mini');
  const upload = await uploadFile(user.token, chatId, {
    filename: 'photo.png',
    contentType: 'image/png',
    data: await png(),
  });
  expect(upload.status, upload.text).toBe(201);
  const thumbnail = await api('GET', `/api/chats/${chatId}/attachments/${upload.json.id}/thumbnail`, {
    token: user.token,
  });
  expect(thumbnail.status).toBe(200);
  expectCommonHeaders(Object.fromEntries(thumbnail.headers), 'thumbnail');

  const html = await (await request.get('/signin')).text();
  const script = /<script[^>]+src="(\/_next\/static\/[^"]+\.js)"/.exec(html)?.[1];
  expect(script, 'a static script on the sign-in page').toBeTruthy();
  expectCommonHeaders((await request.get(script as string)).headers(), 'static file');
});

test('cookie requests from another origin are refused; our pages and API tokens are not', async ({
  page,
  browser,
}) => {
  await signUp(page);
  const crossSite = [
    { origin: 'https://evil.example', 'content-type': 'text/plain' },
    { origin: 'https://evil.example', 'content-type': 'application/json' },
    // Another port of the same host is another origin, which SameSite cookies do not see.
    { origin: 'http://localhost:3101', 'content-type': 'application/json' },
    { origin: APP_ORIGIN, 'content-type': 'text/plain' },
  ];
  for (const headers of crossSite) {
    const response = await page.request.post('/api/chats', { headers, data: '{"title":"planted"}' });
    expect(response.status(), JSON.stringify(headers)).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'cross_site_request' });
  }
  const listed = await page.request.get('/api/chats');
  expect((await listed.json()).items).toEqual([]);

  const ours = await page.request.post('/api/chats', { headers: FROM_APP, data: { title: 'mine' } });
  expect(ours.status()).toBe(201);

  const user = await createApiUser(browser);
  const withToken = await api('POST', '/api/chats', {
    token: user.token,
    headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
    body: '{}',
  });
  expect(withToken.status).toBe(201);
});
