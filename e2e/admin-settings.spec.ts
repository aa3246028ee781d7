import { type Browser, expect, type Page, test } from '@playwright/test';
import {
  composerChip,
  type FilePayload,
  FROM_APP,
  openNewChat,
  PASSWORD,
  pickFiles,
  signIn,
  signUp,
  uniqueEmail,
} from './helpers';

/*
 * A tenant admin's settings as a member of the tenant feels them: a tightened limit, the uploads
 * switch, and the retention policy with its dry run. The member is invited by the admin and
 * works in a browser context of their own, as another person would.
 */

async function inviteMember(admin: Page, browser: Browser): Promise<Page> {
  const response = await admin.request.post('/api/admin/invitations', {
    data: { role: 'member' },
    headers: FROM_APP,
  });
  expect(response.status()).toBe(201);
  const { url } = (await response.json()) as { url: string };
  const member = await (await browser.newContext()).newPage();
  const email = uniqueEmail();
  await member.goto(new URL(url).pathname + new URL(url).search);
  await member.getByLabel('Email').fill(email);
  await member.getByLabel('Password').fill(PASSWORD);
  await member.getByRole('button', { name: 'Create account' }).click();
  await expect(member).toHaveURL(/\/signin/);
  await signIn(member, email);
  return member;
}

/** Saves the form and waits for the server's answer (the status line may still show the last save). */
async function saveSettings(admin: Page) {
  const saved = admin.waitForResponse(
    (r) => r.url().endsWith('/api/admin/settings') && r.request().method() === 'PATCH',
  );
  await admin.getByRole('button', { name: 'Save settings' }).click();
  expect((await saved).status()).toBe(200);
  await expect(admin.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
}

const twoMb: FilePayload = {
  name: 'notes.txt',
  mimeType: 'text/plain',
  buffer: Buffer.alloc(2 * 1024 * 1024, 'a'),
};

test('an admin tightens a limit and flips the uploads switch; a member feels both at once', async ({
  page: admin,
  browser,
}) => {
  await signUp(admin);
  const member = await inviteMember(admin, browser);
  const chatId = await openNewChat(member);

  await admin.goto('/admin/settings');
  const largest = admin.getByRole('textbox', { name: 'Largest document (MB)' });
  await expect(largest).toHaveAccessibleDescription(/Deployment ceiling: 25 MB/);
  // Above the ceiling: refused, and said beside the field.
  await largest.fill('26');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await expect(largest).toHaveAccessibleDescription(/at most 25/);
  await largest.fill('1');
  await saveSettings(admin);
  await expect(largest).toHaveAccessibleDescription(/In effect: 1 MB/);

  await member.reload();
  await pickFiles(member, [twoMb]);
  await expect(composerChip(member, 'notes.txt')).toContainText(
    'notes.txt is 2 MB; documents can be at most 1 MB.',
  );
  const refused = await member.request.post(`/api/chats/${chatId}/attachments`, {
    multipart: { file: twoMb },
    headers: FROM_APP,
  });
  expect(refused.status()).toBe(413);
  expect(await refused.json()).toMatchObject({
    code: 'file_too_large',
    detail: expect.stringContaining('1 MB'),
  });

  await admin.getByRole('checkbox', { name: 'Uploads enabled' }).uncheck();
  await saveSettings(admin);
  await member.reload();
  const small: FilePayload = { name: 'small.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') };
  await pickFiles(member, [small]);
  await expect(composerChip(member, 'small.txt')).toContainText(
    'Uploads are turned off for your organisation.',
  );
  const off = await member.request.post(`/api/chats/${chatId}/attachments`, {
    multipart: { file: small },
    headers: FROM_APP,
  });
  expect(off.status()).toBe(403);
  expect((await off.json()).code).toBe('uploads_disabled');

  await admin.getByRole('checkbox', { name: 'Uploads enabled' }).check();
  await saveSettings(admin);
  await member.reload();
  await pickFiles(member, [small]);
  await expect(composerChip(member, 'small.txt')).not.toContainText('turned off');
  await expect
    .poll(async () => {
      const list = await member.request.get(`/api/chats/${chatId}/attachments`);
      return ((await list.json()) as { items: { filename: string }[] }).items.map((a) => a.filename);
    })
    .toContain('small.txt');

  // A member cannot reach the settings at all.
  const hidden = await member.request.get('/api/admin/settings');
  expect(hidden.status()).toBe(404);
  await member.goto('/admin/settings');
  await expect(member.getByRole('button', { name: 'Save settings' })).toHaveCount(0);
});

test('an admin sets a retention policy and runs its dry run', async ({ page: admin }) => {
  await signUp(admin);
  await admin.goto('/admin/retention');
  const days = admin.getByRole('textbox', { name: 'Delete files this many days after their last use' });
  await expect(days).toHaveValue('');
  await days.fill('30');
  await admin.getByRole('checkbox', { name: 'Keep files that were sent in a message' }).check();
  await admin.getByRole('button', { name: 'Save policy' }).click();
  await expect(admin.getByRole('status').filter({ hasText: 'Policy saved: files go 30 days' })).toBeVisible();
  await admin.getByRole('button', { name: 'Run dry run' }).click();
  await expect(admin.getByText('Dry run: 0 files (0 bytes) would be deleted now.')).toBeVisible();

  await admin.reload();
  await expect(days).toHaveValue('30');
  const audit = await admin.request.get('/api/admin/audit?action=settings.update');
  expect(audit.status()).toBe(200);
  expect(JSON.stringify(await audit.json())).toContain('"retention_days":30');

  // The overview draws its chart for assistive technology and as a table.
  await admin.goto('/admin');
  await expect(admin.getByRole('img', { name: /Uploads per day over the last 30 days/ })).toBeVisible();
  await admin.getByText('Uploads per day as a table').click();
  await expect(admin.getByRole('table').filter({ hasText: 'Uploads' }).getByRole('row')).toHaveCount(31);
});
