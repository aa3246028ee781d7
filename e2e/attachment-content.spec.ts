import { expect, type Page, test } from '@playwright/test';
import { API_CONTENT_SECURITY_POLICY, INLINE_FILE_CONTENT_SECURITY_POLICY } from '@/lib/http/csp';
import { pdf, png } from '@/tests/support/sample-files';
import {
  type ApiUser,
  api,
  createApiUser,
  createChat,
  expectProblem,
  fake,
  uploadFile,
  waitUntilReady,
} from './api-helpers';
import {
  composer,
  composerChip,
  type FilePayload,
  fakeOpenAI,
  openNewChat,
  screenshot,
  signUp,
} from './helpers';

/**
 * A file's original over HTTP against `next start` (headers, ranges, who gets 404), and in the
 * browser: Open and Download from the composer chip, the files panel and the citation dialog.
 */

const REPORT = pdf('Quarterly figures');
/** Large enough that a range from its middle is not its start. */
const NOTES = Buffer.from(
  Array.from({ length: 5000 }, (_, i) => `line ${i}: the quarterly notes\n`).join(''),
);

const contentPath = (chatId: string, id: string) => `/api/chats/${chatId}/attachments/${id}/content`;

async function storedFile(user: ApiUser, file: { filename: string; contentType: string; data: Buffer }) {
  const chatId = await createChat(user.token, 'offline');
  const upload = await uploadFile(user.token, chatId, file);
  expect(upload.status, upload.text).toBe(201);
  const id = upload.json.id as string;
  await waitUntilReady(user.token, chatId, id);
  return { chatId, id, path: contentPath(chatId, id) };
}

test.describe('the content route', () => {
  let alice: ApiUser;
  let bob: ApiUser;

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(60_000);
    alice = await createApiUser(browser);
    bob = await createApiUser(browser);
  });

  test('sends the original to be saved, named and typed, never sniffed or cached', async () => {
    const { chatId, id, path } = await storedFile(alice, {
      filename: 'Résumé Q3 100%.pdf',
      contentType: 'application/pdf',
      data: REPORT,
    });
    const view = await api('GET', `/api/chats/${chatId}/attachments/${id}`, { token: alice.token });
    expect(view.json).toMatchObject({ filename: 'Résumé Q3 100%.pdf', can_open: true });

    const response = await api('GET', path, { token: alice.token });
    expect(response.status).toBe(200);
    expect(response.bytes.equals(REPORT)).toBe(true);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="R_sum_ Q3 100_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20Q3%20100%25.pdf`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
      'accept-ranges': 'bytes',
      'cross-origin-resource-policy': 'same-origin',
      'content-security-policy': API_CONTENT_SECURITY_POLICY,
      etag: `"${id}"`,
    });

    // HEAD: the same headers, no body.
    const head = await api('HEAD', path, { token: alice.token });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-disposition')).toBe(response.headers.get('content-disposition'));
    expect(head.bytes.length).toBe(0);
  });

  test('shows a PDF or an image inline under its own sandbox, and never HTML', async () => {
    const report = await storedFile(alice, {
      filename: 'report.pdf',
      contentType: 'application/pdf',
      data: REPORT,
    });
    const inline = await api('GET', `${report.path}?disposition=inline`, { token: alice.token });
    expect(inline.status).toBe(200);
    expect(inline.headers.get('content-disposition')).toMatch(/^inline; filename="report.pdf"/);
    expect(inline.headers.get('content-security-policy')).toBe(INLINE_FILE_CONTENT_SECURITY_POLICY);
    expect(inline.headers.get('x-frame-options')).toBe('DENY');

    const page = await storedFile(alice, {
      filename: 'page.html',
      contentType: 'text/html',
      data: Buffer.from('<html><body><p>The quarterly notes.</p><script>alert(1)</script></body></html>'),
    });
    const html = await api('GET', `${page.path}?disposition=inline`, { token: alice.token });
    expect(html.status).toBe(200);
    expect(html.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(html.headers.get('content-security-policy')).toBe(API_CONTENT_SECURITY_POLICY);

    expectProblem(
      await api('GET', `${page.path}?disposition=render`, { token: alice.token }),
      400,
      'validation_error',
    );
    // The sibling routes keep the API's policy from next.config.ts.
    const view = await api('GET', `/api/chats/${page.chatId}/attachments/${page.id}`, { token: alice.token });
    expect(view.headers.get('content-security-policy')).toBe(API_CONTENT_SECURITY_POLICY);
  });

  test('answers ranges with 206 and the bytes asked for, and 416 past the end', async () => {
    const { path } = await storedFile(alice, {
      filename: 'notes.txt',
      contentType: 'text/plain',
      data: NOTES,
    });
    const size = NOTES.length;
    const cases = [
      ['bytes=100000-100099', 100_000, 100_099],
      ['bytes=-20', size - 20, size - 1],
      [`bytes=${size - 10}-`, size - 10, size - 1],
    ] as const;
    for (const [range, start, end] of cases) {
      const part = await api('GET', path, { token: alice.token, headers: { range } });
      expect(part.status, range).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(part.bytes.equals(NOTES.subarray(start, end + 1)), range).toBe(true);
    }
    const beyond = await api('GET', path, { token: alice.token, headers: { range: `bytes=${size}-` } });
    expectProblem(beyond, 416, 'range_not_satisfiable');
    expect(beyond.headers.get('content-range')).toBe(`bytes */${size}`);
    // Several ranges at once are answered with the whole file.
    const several = await api('GET', path, { token: alice.token, headers: { range: 'bytes=0-1,5-6' } });
    expect(several.status).toBe(200);
    expect(several.bytes.equals(NOTES)).toBe(true);
  });

  test('is 404 for another user and for ids that are not there', async () => {
    const { chatId, id, path } = await storedFile(alice, {
      filename: 'report.pdf',
      contentType: 'application/pdf',
      data: REPORT,
    });
    expectProblem(await api('GET', path, { token: bob.token }), 404, 'not_found');
    expectProblem(await api('GET', `${path}?disposition=inline`, { token: bob.token }), 404, 'not_found');
    const bobChat = await createChat(bob.token, 'offline');
    expectProblem(await api('GET', contentPath(bobChat, id), { token: bob.token }), 404, 'not_found');
    for (const missing of [crypto.randomUUID(), 'not-a-uuid']) {
      expectProblem(await api('GET', contentPath(chatId, missing), { token: alice.token }), 404, 'not_found');
    }
    expect(
      (await api('DELETE', `/api/chats/${chatId}/attachments/${id}`, { token: alice.token })).status,
    ).toBe(204);
    expectProblem(await api('GET', path, { token: alice.token }), 404, 'not_found');
  });

  test('says a file kept at OpenAI cannot be downloaded', async () => {
    await fake.reset();
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    const upload = await uploadFile(alice.token, chatId, {
      filename: 'notes.txt',
      contentType: 'text/plain',
      data: 'Kept by the model provider.',
    });
    expect(upload.status, upload.text).toBe(201);
    const id = upload.json.id as string;
    await waitUntilReady(alice.token, chatId, id);
    expect(
      (await api('GET', `/api/chats/${chatId}/attachments/${id}`, { token: alice.token })).json,
    ).toMatchObject({ can_open: false });
    const refused = expectProblem(
      await api('GET', contentPath(chatId, id), { token: alice.token }),
      409,
      'content_unavailable',
    );
    expect(refused.detail).toBe('The original is kept by the model provider and cannot be downloaded.');
    // The provider was not asked for the bytes.
    expect((await fake.requests()).filter((r) => /\/files\/[^/]+\/content$/.test(r.path))).toEqual([]);
  });
});

test.describe('in the browser', () => {
  const report: FilePayload = { name: 'report.pdf', mimeType: 'application/pdf', buffer: REPORT };

  async function attach(page: Page, files: FilePayload[]) {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: 'Attach files' }).click();
    await (await chooser).setFiles(files);
  }

  test.beforeEach(async ({ page }) => {
    await fakeOpenAI('/__fake/reset');
    await signUp(page);
  });

  test('a PDF opens in a new tab and downloads from its chip, the panel and a citation', async ({ page }) => {
    const chatId = await openNewChat(page);
    await attach(page, [report]);
    await expect(composerChip(page, 'report.pdf')).toContainText('Ready');
    const [view] = (await (await page.request.get(`/api/chats/${chatId}/attachments`)).json()).items;
    const inlineUrl = `${contentPath(chatId, view.id)}?disposition=inline`;

    await composerChip(page, 'report.pdf')
      .getByRole('button', { name: 'Open or download report.pdf' })
      .click();
    const open = composerChip(page, 'report.pdf').getByRole('link', { name: /^Open report\.pdf/ });
    await expect(open).toBeVisible();
    await expect(open).toHaveAttribute('href', inlineUrl);
    await expect(open).toHaveAttribute('target', '_blank');
    await screenshot(page, 'attachment-chip-menu');
    const opened = page.context().waitForEvent('response', (r) => r.url().endsWith(inlineUrl));
    const [tab] = await Promise.all([page.waitForEvent('popup'), open.click()]);
    const response = await opened;
    expect(response.status()).toBe(200);
    // The headers as sent: Chromium shows its PDF viewer's own policy in `headers()`.
    const headers = await response.allHeaders();
    expect(headers['content-type']).toBe('application/pdf');
    expect(headers['content-security-policy']).toBe(INLINE_FILE_CONTENT_SECURITY_POLICY);
    expect(tab.url()).toContain(inlineUrl);
    await tab.close();

    await composerChip(page, 'report.pdf')
      .getByRole('button', { name: 'Open or download report.pdf' })
      .click();
    const saved = page.waitForEvent('download');
    await composerChip(page, 'report.pdf')
      .getByRole('link', { name: /^Download report\.pdf/ })
      .click();
    const download = await saved;
    expect(download.suggestedFilename()).toBe('report.pdf');
    expect(await download.failure()).toBeNull();

    await page.getByRole('button', { name: /Chat files/ }).click();
    const panel = page.getByRole('complementary', { name: 'Files in this chat' });
    await panel.getByRole('button', { name: 'Open or download report.pdf' }).click();
    await expect(panel.getByRole('link', { name: /^Open report\.pdf/ })).toHaveAttribute('href', inlineUrl);
    await page.keyboard.press('Escape');
    await panel.getByRole('button', { name: 'Close files' }).click();

    await page.getByRole('textbox', { name: 'Message' }).fill('What are the quarterly figures?');
    await composer(page).getByRole('button', { name: 'Send' }).click();
    await page.getByRole('button', { name: 'Source: report.pdf' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cited from report.pdf' });
    // The local index knows the passage's page, so the citation opens the PDF there.
    await expect(dialog.getByRole('link', { name: /^Open report\.pdf/ })).toHaveAttribute(
      'href',
      `${inlineUrl}#page=1`,
    );
    await expect(dialog.getByRole('link', { name: /^Download report\.pdf/ })).toHaveAttribute(
      'href',
      contentPath(chatId, view.id),
    );
  });

  test('a file kept by the model provider says it cannot be downloaded', async ({ page }) => {
    await openNewChat(page, 'gpt-4.1-mini');
    await attach(page, [report, { name: 'photo.png', mimeType: 'image/png', buffer: await png(64, 32) }]);
    for (const name of ['report.pdf', 'photo.png']) {
      await expect(composerChip(page, name)).toContainText('Ready');
      await composerChip(page, name)
        .getByRole('button', { name: `Open or download ${name}` })
        .click();
      await expect(
        composerChip(page, name).getByText(
          'The original is kept by the model provider and cannot be downloaded.',
        ),
      ).toBeVisible();
      await expect(composerChip(page, name).getByRole('link')).toHaveCount(0);
      await page.keyboard.press('Escape');
    }
  });
});
