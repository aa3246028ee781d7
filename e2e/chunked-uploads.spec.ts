import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import sharp from 'sharp';
import { pdf } from '@/tests/support/sample-files';
import { composerChip, FROM_APP, openNewChat, pickFiles, signUp, throttleUploads } from './helpers';

/*
 * Files above one part (4 MiB) go up in parts, through the Vercel-like proxy in front of the app
 * (playwright.config.ts), which refuses any body over 4.5 MB as Vercel does: these uploads can
 * only succeed in parts.
 */

const MiB = 1024 * 1024;
const PART = 4 * MiB;
const FILES_DIR = '.data/files-e2e';

/** A real PDF of exactly 25 MiB: its text, then an unreferenced stream of padding. */
function bigPdf(): Buffer {
  const base = pdf('Quarterly figures: revenue grew in every region.').toString('latin1');
  const at = base.lastIndexOf('trailer');
  const wrapper = (n: number) => `99 0 obj<</Length ${n}>>stream\n`;
  const closing = '\nendstream\nendobj\n';
  let padding = 25 * MiB - base.length - wrapper(0).length - closing.length;
  padding -= wrapper(padding).length - wrapper(0).length;
  const out = Buffer.from(
    `${base.slice(0, at)}${wrapper(padding)}${' '.repeat(padding)}${closing}${base.slice(at)}`,
    'latin1',
  );
  expect(out.length).toBe(25 * MiB);
  return out;
}

/** A PNG photo between one part and the 5 MiB image limit (stored uncompressed to be that large). */
async function bigPhoto(): Promise<Buffer> {
  const photo = await sharp({
    create: { width: 1400, height: 1240, channels: 3, background: { r: 40, g: 120, b: 200 } },
  })
    .png({ compressionLevel: 0 })
    .toBuffer();
  expect(photo.length).toBeGreaterThan(PART);
  expect(photo.length).toBeLessThanOrEqual(5 * MiB);
  return photo;
}

function saved(name: string, bytes: Buffer): string {
  const file = test.info().outputPath(name);
  writeFileSync(file, bytes);
  return file;
}

const chip = composerChip;

/** The part numbers the page PUTs, in order, and what the server answered the upload's creation. */
function watchParts(page: Page) {
  const puts: number[] = [];
  const stored: number[] = [];
  const refused: number[] = [];
  const created: { upload_id: string; attachment: { id: string } }[] = [];
  page.on('request', (request) => {
    const part = request.url().match(/\/api\/uploads\/[^/]+\/parts\/(\d+)$/);
    if (request.method() === 'PUT' && part) puts.push(Number(part[1]));
  });
  page.on('response', async (response) => {
    const request = response.request();
    const part = request.url().match(/\/api\/uploads\/[^/]+\/parts\/(\d+)$/);
    if (request.method() === 'PUT' && part && response.status() === 200) stored.push(Number(part[1]));
    else if (request.method() === 'PUT' && part) refused.push(response.status());
    if (request.method() === 'POST' && /\/uploads$/.test(request.url()) && response.status() === 201) {
      created.push(await response.json());
    }
  });
  return { puts, stored, refused, created };
}

test.beforeEach(async ({ page }) => {
  await signUp(page);
});

test('a 25 MiB PDF and a 5 MiB photo go up in parts through the 4.5 MB proxy and are ready, the photo with its thumbnail', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const chatId = await openNewChat(page);
  const parts = watchParts(page);
  // The edge in front really refuses a whole file: the single-request route cannot carry it.
  const whole = await page.request.post(`/api/chats/${chatId}/attachments`, {
    multipart: { file: { name: 'photo.png', mimeType: 'image/png', buffer: await bigPhoto() } },
    headers: FROM_APP,
  });
  expect(whole.status()).toBe(413);
  expect(whole.headers()['x-vercel-error']).toBe('FUNCTION_PAYLOAD_TOO_LARGE');

  await pickFiles(page, [saved('report.pdf', bigPdf()), saved('photo.png', await bigPhoto())]);
  await expect(chip(page, 'report.pdf')).toContainText('Ready', { timeout: 120_000 });
  await expect(chip(page, 'photo.png')).toContainText('Ready');
  const thumbnail = chip(page, 'photo.png').getByRole('img', { name: 'Preview of photo.png' });
  await expect(thumbnail).toHaveAttribute('src', /^data:image\/webp;base64,/);

  // 7 parts of the PDF and 2 of the photo, each stored once; a part the server asks to wait for
  // (503 with Retry-After) is sent again.
  expect(parts.created).toHaveLength(2);
  expect([...parts.stored].sort((a, b) => a - b)).toEqual([1, 1, 2, 2, 3, 4, 5, 6, 7]);
  expect(parts.refused.every((status) => status === 503 || status === 429)).toBe(true);
  expect(parts.puts.length).toBe(9 + parts.refused.length);
  const listed = await page.request.get(`/api/chats/${chatId}/attachments`);
  expect((await listed.json()).items).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ filename: 'report.pdf', status: 'ready', size_bytes: 25 * MiB }),
      expect.objectContaining({ filename: 'photo.png', status: 'ready', kind: 'image' }),
    ]),
  );
});

test('a reload in the middle of a 25 MiB upload resumes with the same file and sends only the missing parts', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openNewChat(page);
  const report = saved('report.pdf', bigPdf());
  const parts = watchParts(page);
  // Slow enough to reload midway on a fast machine; a busy one is slower still.
  const lift = await throttleUploads(page, 2 * MiB);
  await pickFiles(page, [report]);
  await expect.poll(() => parts.stored.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
  const storedBefore = [...parts.stored];
  expect(storedBefore.length).toBeLessThan(7);

  await page.reload();
  await lift();
  const afterReload = parts.puts.length;
  const interrupted = chip(page, 'report.pdf');
  await expect(interrupted).toContainText('Interrupted by leaving the page. Choose the same file again');

  // Another file is recognised as not the same, and nothing is sent for it.
  const other = saved(
    'report.pdf',
    Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(25 * MiB - 9, 0x20)]),
  );
  let chooser = page.waitForEvent('filechooser');
  await interrupted.getByRole('button', { name: 'Choose report.pdf again to resume' }).click();
  await (await chooser).setFiles(other);
  await expect(interrupted).toContainText('its content differs from report.pdf');
  expect(parts.puts.length).toBe(afterReload);

  const status = page.waitForResponse(
    (r) => r.request().method() === 'GET' && /\/api\/uploads\/[^/]+$/.test(r.url()),
  );
  chooser = page.waitForEvent('filechooser');
  await interrupted.getByRole('button', { name: 'Choose report.pdf again to resume' }).click();
  await (await chooser).setFiles(saved('report.pdf', bigPdf()));
  const held: number[] = (await (await status).json()).received_parts;
  expect(held).toEqual(expect.arrayContaining(storedBefore));
  await expect(interrupted).toContainText('Ready', { timeout: 120_000 });

  // Only the parts the server lacked went again, each once.
  const resent = parts.puts.slice(afterReload).sort((a, b) => a - b);
  expect(resent).toEqual([1, 2, 3, 4, 5, 6, 7].filter((n) => !held.includes(n)));
  expect(parts.created).toHaveLength(1);
});

test('a cancelled upload leaves no staged part and no reservation', async ({ page }) => {
  test.setTimeout(120_000);
  const chatId = await openNewChat(page);
  const parts = watchParts(page);
  const lift = await throttleUploads(page, 2 * MiB);
  await pickFiles(page, [saved('report.pdf', bigPdf())]);
  await expect.poll(() => parts.stored.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
  const [upload] = parts.created;
  if (!upload) throw new Error('no upload was created');
  // While it goes, its declared size is reserved against the chat's bytes.
  const during = await (await page.request.get(`/api/chats/${chatId}/upload-limits`)).json();
  expect(during.chat.bytes.used).toBe(25 * MiB);
  expect(existsSync(path.join(FILES_DIR, '.staging', upload.attachment.id))).toBe(true);

  await chip(page, 'report.pdf').getByRole('button', { name: 'Cancel upload of report.pdf' }).click();
  await expect(chip(page, 'report.pdf')).toHaveCount(0);
  await lift();

  const state = await page.request.get(`/api/uploads/${upload.upload_id}`);
  expect(state.status()).toBe(200);
  expect(await state.json()).toMatchObject({ state: 'cancelled', received_parts: [] });
  const limits = await (await page.request.get(`/api/chats/${chatId}/upload-limits`)).json();
  expect(limits.chat).toMatchObject({ documents: { used: 0 }, bytes: { used: 0 } });
  expect(limits.quotas.user.used).toBe(0);
  expect((await (await page.request.get(`/api/chats/${chatId}/attachments`)).json()).items).toEqual([]);
  await expect.poll(() => existsSync(path.join(FILES_DIR, '.staging', upload.attachment.id))).toBe(false);
});
