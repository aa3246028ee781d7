import { expect, type Page, test } from '@playwright/test';
import { jpeg, pdf } from '@/tests/support/sample-files';
import {
  composer,
  composerChip,
  dragFilesOver,
  type FilePayload,
  fakeOpenAI,
  openNewChat,
  screenshot,
  signUp,
} from './helpers';

/*
 * What a new user meets on the keyless default (new chats use the offline model): a PDF and a
 * photo dropped into a chat, and pages that load without a single missing file.
 */

const conversation = (page: Page) =>
  page.getByRole('region', { name: 'Messages' }).getByRole('log', { name: 'Conversation' });
const answers = (page: Page) =>
  conversation(page)
    .getByRole('article')
    .filter({ hasText: /^Answer/ });

/** Every response of the page that answered 4xx or 5xx, as `status url`. */
function failedResponses(page: Page) {
  const failed: string[] = [];
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  return failed;
}

test.beforeEach(async () => {
  await fakeOpenAI('/__fake/reset');
});

test('a PDF and a photo in an offline chat: both kept, the photo previewed, the answer says the model did not see it', async ({
  page,
}) => {
  await signUp(page);
  await openNewChat(page);
  await expect(page.getByRole('region', { name: 'Messages' })).toContainText(
    'Images are kept and previewed, but the offline mode cannot describe them.',
  );
  const report: FilePayload = {
    name: 'warranty.pdf',
    mimeType: 'application/pdf',
    buffer: pdf('The warranty lasts two years from delivery'),
  };
  const photo: FilePayload = { name: 'kettle.jpg', mimeType: 'image/jpeg', buffer: await jpeg(320, 240) };
  const drop = await dragFilesOver(page, [report, photo]);
  await drop();

  await expect(composerChip(page, 'warranty.pdf')).toContainText('Ready');
  await expect(composerChip(page, 'kettle.jpg')).toContainText('Ready');
  const thumbnail = composerChip(page, 'kettle.jpg').getByRole('img', { name: 'Preview of kettle.jpg' });
  await expect(thumbnail).toHaveAttribute('src', /^data:image\/webp;base64,/);
  // The server's thumbnail really decodes (the page's CSP lets data: images load).
  await expect
    .poll(() => thumbnail.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)))
    .toBeGreaterThan(0);

  const hint = composer(page).getByText("This chat's model cannot see images");
  await expect(hint).toBeVisible();
  await expect(hint).toContainText('such as GPT-4.1 mini');
  const message = composer(page).getByRole('textbox', { name: 'Message' });
  await message.fill('How long is the warranty?');
  const send = composer(page).getByRole('button', { name: 'Send' });
  await expect(send).toBeEnabled();
  await expect(send).toHaveAccessibleDescription(/cannot see images: it will read only your text/);
  await screenshot(page, 'first-visit-image-hint');
  await send.click();

  const question = conversation(page).getByRole('article').filter({ hasText: 'How long is the warranty?' });
  const sent = question.getByRole('list', { name: 'Files sent' });
  await expect(sent).toContainText('warranty.pdf');
  await expect(sent.getByRole('img', { name: 'Preview of kettle.jpg' })).toHaveAttribute(
    'src',
    /^data:image\/webp;base64,/,
  );
  const answer = answers(page).last();
  await expect(answer).toContainText('The warranty lasts two years');
  await expect(
    answer.getByRole('list', { name: 'Sources' }).getByRole('button', { name: 'Source: warranty.pdf' }),
  ).toBeVisible();
  const note = answer.getByRole('note');
  await expect(note).toHaveText(
    'The model did not see the image sent with this message: it cannot read images. To ask about images, use a model that can read them, such as GPT-4.1 mini.',
  );
  await expect(composer(page).getByText("This chat's model cannot see images")).toHaveCount(0);
  await screenshot(page, 'first-visit-image-note');

  // The note is stored with the answer: a reload shows it again.
  await page.reload();
  await expect(answers(page).last().getByRole('note')).toContainText('The model did not see the image');
});

test('the first visit loads every file it asks for: favicon, icons and manifest', async ({ page }) => {
  const failed = failedResponses(page);
  await page.goto('/signin');
  await page.waitForLoadState('networkidle');
  const head = page.locator('head');
  await expect(head.locator('link[rel="icon"][href^="/favicon.ico"]')).toHaveCount(1);
  await expect(head.locator('link[rel="apple-touch-icon"]')).toHaveAttribute(
    'href',
    /^\/apple-touch-icon\.png/,
  );
  const manifestHref = await head.locator('link[rel="manifest"]').getAttribute('href');
  expect(manifestHref).toMatch(/^\/manifest\.webmanifest/);

  // Fetched from the page, under its CSP, as the browser itself would.
  const fetched = await page.evaluate(async (manifestUrl) => {
    const manifest = await fetch(manifestUrl as string);
    const icons = ((await manifest.json()) as { icons: { src: string }[] }).icons.map((icon) => icon.src);
    const files = ['/favicon.ico', '/apple-touch-icon.png', ...icons];
    return {
      manifest: manifest.status,
      icons,
      files: await Promise.all(
        files.map(async (url) => {
          const response = await fetch(url);
          const bytes = (await response.arrayBuffer()).byteLength;
          return `${url} ${response.status} ${response.headers.get('content-type')} ${bytes > 0}`;
        }),
      ),
    };
  }, manifestHref);
  expect(fetched.manifest).toBe(200);
  expect(fetched.icons).toEqual(['/icon.svg', '/icon-192.png', '/icon-512.png']);
  expect(fetched.files).toEqual([
    '/favicon.ico 200 image/x-icon true',
    '/apple-touch-icon.png 200 image/png true',
    '/icon.svg 200 image/svg+xml true',
    '/icon-192.png 200 image/png true',
    '/icon-512.png 200 image/png true',
  ]);

  // Signed in, the chat page too.
  await signUp(page);
  await openNewChat(page);
  await page.waitForLoadState('networkidle');
  expect(failed).toEqual([]);
});
