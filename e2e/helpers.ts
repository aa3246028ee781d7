import { expect, type Page } from '@playwright/test';
import { APP_DIRECT_PORT } from '@/playwright.config';

export const APP_HOST = 'localhost';
export const APP_PORT = 3100;
export const APP_ORIGIN = `http://${APP_HOST}:${APP_PORT}`;
/** What our own pages send with a cookie request: the API refuses cookie posts from other origins. */
export const FROM_APP = { origin: APP_ORIGIN };
/**
 * `next start` without the Vercel-like proxy in front (APP_ORIGIN is the proxy): for the specs of
 * our own server's limits on bodies larger than Vercel lets through. Cookies are not per port, so
 * a page's session works here too, with this origin.
 */
export const APP_DIRECT_ORIGIN = `http://${APP_HOST}:${APP_DIRECT_PORT}`;
export const FROM_DIRECT = { origin: APP_DIRECT_ORIGIN };

export const PASSWORD = 'correct horse battery staple';

let counter = 0;
export const uniqueEmail = () => `e2e-${Date.now()}-${counter++}@example.test`;

export const sidebar = (page: Page) => page.getByRole('complementary', { name: 'Sidebar' });
export const chatList = (page: Page) => page.getByRole('navigation', { name: 'Chats' });
export const chatItem = (page: Page, title: string) =>
  chatList(page)
    .getByRole('listitem')
    .filter({ has: page.getByRole('link', { name: title, exact: true }) });
export const chatHeading = (page: Page) => page.getByRole('main').getByRole('heading', { level: 1 });

export const screenshot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/screens/${name}.png` });

/**
 * Screenshots `<name>-<desktop|360>-<light|dark>` for a look by a person; at each size, first
 * checks that nothing overflows the page sideways.
 */
export async function screenshotsAcrossLayouts(page: Page, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [label, size] of [
      ['desktop', { width: 1280, height: 800 }],
      ['360', { width: 360, height: 800 }],
    ] as const) {
      await page.setViewportSize(size);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
      await screenshot(page, `${name}-${label}-${scheme}`);
    }
  }
}

export const SIGNED_UP_NOTICE =
  'If this email was not registered yet, your organisation is ready. Sign in to continue.';

/** Fills in and sends the sign-up form; it answers on the sign-in page, whether the email was new or not. */
export async function submitSignUp(
  page: Page,
  email: string,
  { organisation = 'Acme Research', password = PASSWORD } = {},
) {
  await page.goto('/signup');
  await page.getByLabel('Organisation name').fill(organisation);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/signin\?signed_up$/);
  await expect(page.getByRole('status')).toHaveText(SIGNED_UP_NOTICE);
}

/** Signs in from the sign-in page and waits for the signed-in home page. */
export async function signIn(page: Page, email: string, password = PASSWORD) {
  if (!new URL(page.url()).pathname.startsWith('/signin')) await page.goto('/signin');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('heading', { name: 'Select a chat or start a new one' })).toBeVisible();
}

/** Signs up a new organisation, then signs in, and waits for the signed-in home page. */
export async function signUp(page: Page, email = uniqueEmail()) {
  await submitSignUp(page, email);
  await signIn(page, email);
  return email;
}

/** Starts a chat from the sidebar and waits for its page. */
export async function newChat(page: Page) {
  const before = page.url();
  await sidebar(page).getByRole('button', { name: 'New chat' }).click();
  await expect(page).not.toHaveURL(before);
  await expect(page).toHaveURL(/\/chats\/[0-9a-f-]{36}$/);
  await expect(chatHeading(page)).toHaveText('New chat');
}

/** Renames a chat through the sidebar's inline editor. */
export async function renameChat(page: Page, from: string, to: string) {
  await chatItem(page, from).first().getByRole('button', { name: 'Rename chat' }).click();
  const input = chatList(page).getByLabel('Chat title');
  await input.fill(to);
  await input.press('Enter');
  await expect(chatItem(page, to)).toBeVisible();
}

// --- Attachments ---------------------------------------------------------------------------------

/** A file as the browser tests hand it to pages: bytes plus the type the browser will report. */
export interface FilePayload {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/** The chat's message composer. */
export const composer = (page: Page) => page.getByRole('form', { name: 'Message composer' });

/** A file's chip in the message composer. */
export const composerChip = (page: Page, filename: string) =>
  composer(page)
    .getByRole('list', { name: 'Attached files' })
    .getByRole('listitem')
    .filter({ hasText: filename });

/** Picks files (paths or payloads) through the composer's Attach files button. */
export async function pickFiles(page: Page, files: string[] | FilePayload[]) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(files);
}

/** POSTs to the fake OpenAI server's control plane (reset, faults, indexing). */
export async function fakeOpenAI(path: string, body: unknown = {}) {
  const { FAKE_OPENAI_ORIGIN } = await import('@/playwright.config');
  const response = await fetch(`${FAKE_OPENAI_ORIGIN}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.ok, `${path} answered ${response.status}`).toBe(true);
}

/** Creates a chat through the API (to pick its model) and opens it. */
export async function openNewChat(page: Page, model = 'offline') {
  const response = await page.request.post('/api/chats', { data: { model }, headers: FROM_APP });
  expect(response.status()).toBe(201);
  const { id } = (await response.json()) as { id: string };
  await page.goto(`/chats/${id}`);
  await expect(chatHeading(page)).toHaveText('New chat');
  return id;
}

/** The chat's attachments as the server lists them. */
export async function serverAttachments(page: Page, chatId: string) {
  const response = await page.request.get(`/api/chats/${chatId}/attachments`);
  expect(response.status()).toBe(200);
  return (
    (await response.json()) as {
      items: { id: string; filename: string; status: string; error_code?: string }[];
    }
  ).items;
}

/** Builds a DataTransfer holding `files` inside the page. */
export function dataTransferOf(page: Page, files: FilePayload[]) {
  return page.evaluateHandle(
    (payload) => {
      const transfer = new DataTransfer();
      for (const file of payload) {
        const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], file.name, { type: file.mimeType }));
      }
      return transfer;
    },
    files.map((file) => ({
      name: file.name,
      mimeType: file.mimeType,
      base64: file.buffer.toString('base64'),
    })),
  );
}

/** Drags `files` over the page; the returned function drops them (between the two, the overlay shows). */
export async function dragFilesOver(page: Page, files: FilePayload[]) {
  const dataTransfer = await dataTransferOf(page, files);
  const target = page.getByRole('region', { name: 'Messages' });
  await target.dispatchEvent('dragenter', { dataTransfer });
  await target.dispatchEvent('dragover', { dataTransfer });
  return () => target.dispatchEvent('drop', { dataTransfer });
}

/** Pastes `files` into the message box, as a clipboard paste of copied files or an image would. */
export async function pasteFiles(page: Page, files: FilePayload[]) {
  const dataTransfer = await dataTransferOf(page, files);
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.focus();
  await message.evaluate((element, clipboardData) => {
    element.dispatchEvent(new ClipboardEvent('paste', { clipboardData, bubbles: true, cancelable: true }));
  }, dataTransfer);
}

/** Limits this page's upload bandwidth through the DevTools protocol; returns the function that lifts it. */
export async function throttleUploads(page: Page, bytesPerSecond: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const conditions = (uploadThroughput: number) =>
    cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput,
    });
  await conditions(bytesPerSecond);
  return () => conditions(-1);
}
