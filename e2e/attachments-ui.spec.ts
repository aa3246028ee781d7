import { expect, type Page, test } from '@playwright/test';
import { pdf, png } from '@/tests/support/sample-files';
import {
  APP_DIRECT_ORIGIN,
  composer,
  composerChip,
  dragFilesOver,
  type FilePayload,
  FROM_APP,
  FROM_DIRECT,
  fakeOpenAI,
  openNewChat,
  pasteFiles,
  screenshot,
  screenshotsAcrossLayouts,
  serverAttachments,
  signUp,
  throttleUploads,
} from './helpers';

/** Chats on this model store files with the fake OpenAI server and can read images. */
const VISION_MODEL = 'gpt-4.1-mini';

const pdfFile = (name = 'report.pdf'): FilePayload => ({
  name,
  mimeType: 'application/pdf',
  buffer: pdf('Quarterly figures'),
});
const pngFile = async (name = 'photo.png', width = 64, height = 32): Promise<FilePayload> => ({
  name,
  mimeType: 'image/png',
  buffer: await png(width, height),
});
const textFile = (name: string, bytes = 2_000): FilePayload => ({
  name,
  mimeType: 'text/plain',
  buffer: Buffer.alloc(bytes, 'The quick brown fox jumps over the lazy dog.\n'),
});

const announcer = (page: Page) => composer(page).getByRole('status');
/** Send is disabled; its description says why. */
const sendButton = (page: Page) => composer(page).getByRole('button', { name: 'Send' });

async function pickFiles(page: Page, files: FilePayload[]) {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(files);
}

/** Counts the browser's status polls of each attachment. */
function countPolls(page: Page) {
  const polls = new Map<string, number>();
  page.on('request', (request) => {
    const match = request.url().match(/\/attachments\/([0-9a-f-]{36})$/);
    if (request.method() === 'GET' && match?.[1]) polls.set(match[1], (polls.get(match[1]) ?? 0) + 1);
  });
  return polls;
}

test.beforeEach(async ({ page }) => {
  await fakeOpenAI('/__fake/reset');
  await signUp(page);
});

test('a PDF and a PNG dropped on the page upload, and the PNG shows its thumbnail', async ({ page }) => {
  await openNewChat(page, VISION_MODEL);
  const drop = await dragFilesOver(page, [pdfFile(), await pngFile()]);
  await expect(page.getByText('Drop files to attach them')).toBeVisible();
  await expect(page.getByText(/Images \(PNG, JPEG, WebP, GIF\) up to 5\sMB/)).toBeVisible();
  await screenshot(page, 'attachments-drop-overlay');
  await drop();
  await expect(page.getByText('Drop files to attach them')).toBeHidden();

  await expect(composerChip(page, 'report.pdf')).toContainText('Ready');
  await expect(composerChip(page, 'photo.png')).toContainText('Ready');
  const thumbnail = composerChip(page, 'photo.png').getByRole('img', { name: 'Preview of photo.png' });
  await expect(thumbnail).toHaveAttribute('src', /^data:image\/webp;base64,/);
  await expect(announcer(page)).toContainText('is ready');
  await expect(sendButton(page)).toHaveAccessibleDescription('Write a message to send.');
  await expect(sendButton(page)).toBeDisabled();

  // Both upload at once, so the server's oldest-first order between them is a race.
  const listed = await serverAttachments(page, page.url().split('/').pop() as string);
  expect(listed.map((item) => [item.filename, item.status]).sort()).toEqual([
    ['photo.png', 'ready'],
    ['report.pdf', 'ready'],
  ]);
});

test('an image preview shows at once, keeps its box, and gives way to the server thumbnail', async ({
  page,
}) => {
  await openNewChat(page, VISION_MODEL);
  const release = await throttleUploads(page, 64 * 1024);
  // Noise does not compress, so the PNG is large enough to take a few seconds at this rate.
  const noisy: FilePayload = { name: 'noise.png', mimeType: 'image/png', buffer: await noisePng(300, 300) };
  await pickFiles(page, [noisy]);
  const preview = composerChip(page, 'noise.png').getByRole('img', { name: 'Preview of noise.png' });
  await expect(preview).toHaveAttribute('src', /^blob:/);
  const localUrl = (await preview.getAttribute('src')) as string;
  await expect(composerChip(page, 'noise.png')).toContainText(/Uploading \d+%/);
  const before = await preview.boundingBox();
  await release();

  await expect(composerChip(page, 'noise.png')).toContainText('Ready');
  await expect(preview).toHaveAttribute('src', /^data:image\/webp;base64,/);
  expect(await preview.boundingBox()).toEqual(before);
  // The object URL was revoked once the server's thumbnail took over.
  const stillLoads = await page.evaluate(
    (url) =>
      fetch(url).then(
        () => true,
        () => false,
      ),
    localUrl,
  );
  expect(stillLoads).toBe(false);
});

test('an image pasted into the message box is attached', async ({ page }) => {
  await openNewChat(page, VISION_MODEL);
  await pasteFiles(page, [await pngFile('image.png')]);
  await expect(composerChip(page, 'image.png')).toContainText('Ready');
  await expect(
    composerChip(page, 'image.png').getByRole('img', { name: 'Preview of image.png' }),
  ).toHaveAttribute('src', /^data:image\/webp/);
  // The paste put the file in the composer, not its name in the text.
  await expect(page.getByRole('textbox', { name: 'Message' })).toHaveValue('');
});

test('several files picked from the keyboard upload side by side and reach ready', async ({ page }) => {
  await openNewChat(page);
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach files' }).focus();
  await page.keyboard.press('Enter');
  await (await chooser).setFiles([
    pdfFile('minutes.pdf'),
    textFile('notes.txt'),
    { name: 'readme.md', mimeType: '', buffer: Buffer.from('# Read me\n\nHello.\n') },
    textFile('a-very-long-file-name-for-the-quarterly-planning-meeting-final-v2.txt'),
  ]);
  for (const name of ['minutes.pdf', 'notes.txt', 'readme.md']) {
    await expect(composerChip(page, name)).toContainText('Ready');
  }
  // The long name is cut in the middle: its end and extension stay in view.
  const longName = composerChip(page, 'quarterly-planning').getByText('final-v2.txt', { exact: true });
  await expect(longName).toBeVisible();
  await expect(composerChip(page, 'quarterly-planning')).toContainText('Ready');

  // The chips are reachable from the keyboard, with a visible focus ring.
  await page.keyboard.press('Shift+Tab');
  await page.getByRole('button', { name: 'Remove notes.txt' }).focus();
  await expect(page.getByRole('button', { name: 'Remove notes.txt' })).toBeFocused();
  await screenshot(page, 'attachments-keyboard-focus');
  await page.keyboard.press('Enter');
  await expect(composerChip(page, 'notes.txt')).toHaveCount(0);
  // Focus moved on to the next chip instead of falling back to the page.
  await expect(page.getByRole('button', { name: 'Remove readme.md' })).toBeFocused();
  await expect(announcer(page)).toContainText('notes.txt removed.');

  await page.getByRole('button', { name: /Chat files/ }).click();
  const panel = page.getByRole('complementary', { name: 'Files in this chat' });
  await expect(panel.getByRole('listitem')).toHaveCount(3);
  await expect(panel.getByRole('meter', { name: 'Documents' })).toHaveAttribute('aria-valuetext', '3 of 50');
});

test('a large upload on a slow connection shows its progress', async ({ page }) => {
  await openNewChat(page, VISION_MODEL);
  const release = await throttleUploads(page, 256 * 1024);
  await pickFiles(page, [textFile('big.txt', 3 * 1024 * 1024)]);
  const progress = composerChip(page, 'big.txt').getByRole('progressbar', { name: 'Upload of big.txt' });
  await expect(progress).toBeVisible();
  await expect
    .poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 10_000 })
    .toBeGreaterThan(5);
  await expect(composerChip(page, 'big.txt')).toContainText(/Uploading \d+% · [\d.]+\s(KB|MB) of 3\sMB/);
  await expect(sendButton(page)).toHaveAccessibleDescription('Send is available once 1 file is ready.');
  await screenshot(page, 'attachments-uploading');
  await release();
  await expect(composerChip(page, 'big.txt')).toContainText('Ready', { timeout: 20_000 });
});

test('polling follows a slow indexing to ready, then stops', async ({ page }) => {
  await fakeOpenAI('/__fake/indexing', { delayMs: 3_000 });
  const chatId = await openNewChat(page, VISION_MODEL);
  const polls = countPolls(page);
  await pickFiles(page, [pdfFile()]);
  await expect(composerChip(page, 'report.pdf')).toContainText('Processing');
  await expect(sendButton(page)).toHaveAccessibleDescription('Send is available once 1 file is ready.');
  await expect(announcer(page)).toContainText('report.pdf uploaded, processing.');
  await screenshot(page, 'attachments-processing');

  await expect(composerChip(page, 'report.pdf')).toContainText('Ready', { timeout: 15_000 });
  await expect(announcer(page)).toContainText('report.pdf is ready.');
  const [id] = (await serverAttachments(page, chatId)).map((item) => item.id);
  const count = polls.get(id as string) ?? 0;
  // Backing off from 0.5 s, a 3 s wait takes a handful of polls, not dozens.
  expect(count).toBeGreaterThan(1);
  expect(count).toBeLessThan(10);
  await page.waitForTimeout(2_000);
  expect(polls.get(id as string)).toBe(count);
});

test('files the chat cannot take are refused in the browser, and by the server too', async ({ page }) => {
  const chatId = await openNewChat(page);
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/attachments')) posts.push(request.url());
  });
  const exe: FilePayload = {
    name: 'report.exe',
    mimeType: 'application/x-msdownload',
    buffer: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(1024)]),
  };
  // An image that can carry script: never taken, whatever the chat.
  const svg: FilePayload = {
    name: 'logo.svg',
    mimeType: 'image/svg+xml',
    buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
  };
  await pickFiles(page, [exe, svg]);
  await expect(composerChip(page, 'report.exe')).toContainText('This file type is not supported.');
  await expect(composerChip(page, 'logo.svg')).toContainText('This file type is not supported.');
  await expect(sendButton(page)).toHaveAccessibleDescription('Remove 2 files that could not be attached.');
  await expect(announcer(page)).toContainText('report.exe not attached: This file type is not supported.');
  await screenshot(page, 'attachments-refused');
  expect(posts).toEqual([]);

  for (const file of [exe, svg]) {
    const response = await page.request.post(`/api/chats/${chatId}/attachments`, {
      multipart: { file },
      headers: FROM_APP,
    });
    expect(response.status()).toBe(415);
    expect((await response.json()).code).toBe('unsupported_file_type');
  }

  // Too large for its kind: 6 MB of PNG where images may take 5 MB, in a chat whose model has no
  // vision as in any other.
  const imageChat = await openNewChat(page);
  const big: FilePayload = {
    name: 'big.png',
    mimeType: 'image/png',
    buffer: Buffer.concat([(await pngFile()).buffer, Buffer.alloc(6 * 1024 * 1024)]),
  };
  await pickFiles(page, [big]);
  await expect(composerChip(page, 'big.png')).toContainText('big.png is 6 MB; images can be at most 5 MB.');
  expect(posts).toEqual([]);
  // Past Vercel's 4.5 MB too: sent to our own server, past the Vercel-like proxy, for its refusal.
  const response = await page.request.post(`${APP_DIRECT_ORIGIN}/api/chats/${imageChat}/attachments`, {
    multipart: { file: big },
    headers: FROM_DIRECT,
  });
  expect(response.status()).toBe(413);
  expect(await response.json()).toMatchObject({ code: 'file_too_large', max_bytes: 5 * 1024 * 1024 });
});

test('a provider failure shows as failed with its reason, and a retry succeeds', async ({ page }) => {
  const chatId = await openNewChat(page, VISION_MODEL);
  await fakeOpenAI('/__fake/faults', { endpoint: 'files.create', status: 500, times: 1 });
  await pickFiles(page, [pdfFile()]);
  await expect(composerChip(page, 'report.pdf')).toContainText(
    'Failed: The file provider is unavailable right now.',
  );
  await expect(announcer(page)).toContainText(
    'report.pdf failed: The file provider is unavailable right now.',
  );
  await screenshot(page, 'attachments-failed');

  await composerChip(page, 'report.pdf').getByRole('button', { name: 'Retry report.pdf' }).click();
  await expect(composerChip(page, 'report.pdf')).toContainText('Ready');
  await expect(
    composerChip(page, 'report.pdf').getByRole('button', { name: 'Retry report.pdf' }),
  ).toHaveCount(0);
  const statuses = (await serverAttachments(page, chatId)).map((item) => item.status);
  expect(statuses).toContain('ready');
});

test('a document that fails indexing is retried without leaving the failed copy behind', async ({ page }) => {
  const chatId = await openNewChat(page, VISION_MODEL);
  await fakeOpenAI('/__fake/indexing', { failWhenFilenameMatches: '\\.pdf$' });
  await pickFiles(page, [pdfFile()]);
  await expect(composerChip(page, 'report.pdf')).toContainText(
    'Failed: The file could not be read for search.',
  );
  await fakeOpenAI('/__fake/indexing', { failWhenFilenameMatches: null });
  await composerChip(page, 'report.pdf').getByRole('button', { name: 'Retry report.pdf' }).click();
  await expect(composerChip(page, 'report.pdf')).toContainText('Ready');
  await expect
    .poll(async () => (await serverAttachments(page, chatId)).map((item) => item.status))
    .toEqual(['ready']);
});

test('a busy server is retried automatically after its Retry-After', async ({ page }) => {
  await openNewChat(page);
  let refused = false;
  await page.route('**/attachments', async (route) => {
    if (route.request().method() !== 'POST' || refused) return route.continue();
    refused = true;
    await route.fulfill({
      status: 503,
      headers: { 'content-type': 'application/problem+json', 'retry-after': '2' },
      body: JSON.stringify({ status: 503, code: 'upload_concurrency_limit', detail: 'Too many uploads.' }),
    });
  });
  await pickFiles(page, [textFile('notes.txt')]);
  await expect(composerChip(page, 'notes.txt')).toContainText(
    /The server is busy with other uploads\. Retrying in [12] s\./,
  );
  await expect(composerChip(page, 'notes.txt')).toContainText('Ready', { timeout: 10_000 });
});

test('cancelling an upload leaves nothing stuck on the server', async ({ page }) => {
  const chatId = await openNewChat(page, VISION_MODEL);
  await throttleUploads(page, 128 * 1024);
  await pickFiles(page, [textFile('big.txt', 3 * 1024 * 1024)]);
  const progress = composerChip(page, 'big.txt').getByRole('progressbar');
  await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow'))).toBeGreaterThan(2);
  await page.getByRole('button', { name: 'Cancel upload of big.txt' }).click();
  await expect(composerChip(page, 'big.txt')).toHaveCount(0);
  await expect(sendButton(page)).toHaveAccessibleDescription('Write a message to send.');

  // The server ends the aborted upload as failed (or never wrote it): nothing pending or uploaded.
  await expect
    .poll(
      async () => (await serverAttachments(page, chatId)).map((item) => `${item.status}:${item.error_code}`),
      {
        timeout: 10_000,
      },
    )
    .toEqual(expect.not.arrayContaining([expect.stringMatching(/^(pending|uploaded)/)]));
  // A cancelled upload's row is gone: failed and deleted by the server, or deleted by the client.
  expect(await serverAttachments(page, chatId)).toEqual([]);
});

test('removing files deletes them from the chat, from the composer and from the panel', async ({ page }) => {
  const chatId = await openNewChat(page);
  await pickFiles(page, [textFile('notes.txt'), textFile('todo.txt'), textFile('sent.txt')]);
  for (const name of ['notes.txt', 'todo.txt', 'sent.txt'])
    await expect(composerChip(page, name)).toContainText('Ready');

  await page.getByRole('button', { name: 'Remove notes.txt' }).click();
  await expect(composerChip(page, 'notes.txt')).toHaveCount(0);
  expect((await serverAttachments(page, chatId)).map((item) => item.filename).sort()).toEqual([
    'sent.txt',
    'todo.txt',
  ]);

  // A file already sent with a message is locked (no message can be sent yet, so the 409 is staged).
  await page.route('**/attachments/*', (route) =>
    route.request().method() === 'DELETE'
      ? route.fulfill({
          status: 409,
          headers: { 'content-type': 'application/problem+json' },
          body: JSON.stringify({
            status: 409,
            code: 'attachment_locked',
            detail: 'Attachment is referenced.',
          }),
        })
      : route.continue(),
  );
  await page.getByRole('button', { name: 'Remove sent.txt' }).click();
  await expect(composerChip(page, 'sent.txt')).toContainText(
    'Locked: it was sent with a message, so it stays in the chat.',
  );
  await expect(announcer(page)).toContainText('sent.txt was sent with a message and cannot be removed.');
  await page.getByRole('button', { name: 'Remove sent.txt from this message' }).click();
  await expect(composerChip(page, 'sent.txt')).toHaveCount(0);
  await page.unroute('**/attachments/*');

  await page.getByRole('button', { name: /Chat files/ }).click();
  const panel = page.getByRole('complementary', { name: 'Files in this chat' });
  await expect(panel.getByRole('heading', { name: 'Files in this chat' })).toBeFocused();
  await panel.getByRole('button', { name: 'Delete todo.txt' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this file?' });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toBeHidden();
  await expect(composerChip(page, 'todo.txt')).toHaveCount(0);
  // The locked file stays in the chat, without a delete button.
  const sent = panel.getByRole('listitem').filter({ hasText: 'sent.txt' });
  await expect(sent).toContainText('Locked');
  await expect(sent.getByRole('button', { name: 'Delete sent.txt' })).toHaveCount(0);
  expect((await serverAttachments(page, chatId)).map((item) => item.filename)).toEqual(['sent.txt']);
});

test('a document still processing resumes polling after a reload', async ({ page }) => {
  await fakeOpenAI('/__fake/indexing', { delayMs: 5_000 });
  await openNewChat(page, VISION_MODEL);
  // "Processing" shows from the last byte sent; the server has the file once it answers (behind the
  // Vercel-like proxy that answer comes a hop later), and only then does a reload find it.
  const stored = page.waitForResponse(
    (response) => response.request().method() === 'POST' && response.url().endsWith('/attachments'),
  );
  await pickFiles(page, [pdfFile()]);
  expect((await stored).status()).toBe(201);
  await expect(composerChip(page, 'report.pdf')).toContainText('Processing');
  await page.reload();
  await expect(composerChip(page, 'report.pdf')).toContainText('Processing');
  await page.getByRole('button', { name: /Chat files/ }).click();
  const panel = page.getByRole('complementary', { name: 'Files in this chat' });
  await expect(panel.getByRole('listitem').filter({ hasText: 'report.pdf' })).toContainText('Processing');
  await expect(composerChip(page, 'report.pdf')).toContainText('Ready', { timeout: 15_000 });
  await expect(panel.getByRole('listitem').filter({ hasText: 'report.pdf' })).toContainText('Ready');
});

test('composer screenshots: every state, desktop and 360 px, light and dark', async ({ page }) => {
  test.setTimeout(90_000);
  await fakeOpenAI('/__fake/indexing', { delayMs: 120_000 });
  await openNewChat(page, VISION_MODEL);
  // Failed: the provider refuses the first upload.
  await fakeOpenAI('/__fake/faults', { endpoint: 'files.create', status: 500, times: 1 });
  await pickFiles(page, [pdfFile('budget-2026-final.pdf')]);
  await expect(composerChip(page, 'budget-2026-final.pdf')).toContainText('Failed');
  // Ready and processing.
  await pickFiles(page, [await pngFile('team-photo.png', 320, 200), pdfFile('meeting-minutes.pdf')]);
  await expect(composerChip(page, 'team-photo.png')).toContainText('Ready');
  await expect(composerChip(page, 'meeting-minutes.pdf')).toContainText('Processing');
  // Refused.
  await pickFiles(page, [
    { name: 'installer.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') },
  ]);
  // Uploading, held at a crawl.
  await throttleUploads(page, 16 * 1024);
  await pickFiles(page, [textFile('a-very-long-name-for-the-quarterly-planning-notes.txt', 2 * 1024 * 1024)]);
  await expect(composerChip(page, 'quarterly-planning')).toContainText(/Uploading [1-9]\d*%/);

  await screenshotsAcrossLayouts(page, 'attachments-states');
  await page.getByRole('button', { name: /Chat files/ }).click();
  await page.setViewportSize({ width: 1280, height: 800 });
  await screenshot(page, 'attachments-panel-desktop-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 360, height: 800 });
  await screenshot(page, 'attachments-panel-360-light');
  await page.getByRole('button', { name: 'Close files' }).click();
  await page
    .getByRole('button', { name: 'Cancel upload of a-very-long-name-for-the-quarterly-planning-notes.txt' })
    .click();
});

/** A PNG of random pixels: it does not compress, so its size follows its dimensions. */
async function noisePng(width: number, height: number) {
  const sharp = (await import('sharp')).default;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.floor(Math.random() * 256);
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}
