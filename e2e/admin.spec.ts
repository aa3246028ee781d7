import { type Browser, expect, type Page, test } from '@playwright/test';
import {
  APP_ORIGIN,
  FROM_APP,
  fakeOpenAI,
  openNewChat,
  PASSWORD,
  screenshot,
  sidebar,
  signIn,
  signUp,
  uniqueEmail,
} from './helpers';

const POLICY =
  'Refunds\n\nDamaged kettles are refunded in full within 14 days.\n\nShipping\n\nOrders ship in five days.\n';

const adminNav = (page: Page) => page.getByRole('navigation', { name: 'Admin' });
const conversation = (page: Page) =>
  page.getByRole('region', { name: 'Messages' }).getByRole('log', { name: 'Conversation' });
const messageBox = (page: Page) =>
  page.getByRole('form', { name: 'Message composer' }).getByRole('textbox', { name: 'Message' });

/** The admin makes an invitation link on the Users page and reads it from the page. */
async function inviteLink(admin: Page): Promise<string> {
  await admin.goto('/admin/users');
  await admin.getByRole('button', { name: 'Create invitation link' }).click();
  const link = admin.getByRole('textbox', { name: /Invitation link/ });
  await expect(link).toHaveValue(/\/signup\?invite=/);
  return link.inputValue();
}

/** Someone new opens the link in their own browser, signs up without naming an organisation, signs in. */
async function joinWithLink(browser: Browser, link: string) {
  const context = await browser.newContext({ baseURL: APP_ORIGIN });
  const page = await context.newPage();
  const email = uniqueEmail();
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Join your organisation' })).toBeVisible();
  await expect(page.getByLabel('Organisation name')).toHaveCount(0);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/signin\?signed_up$/);
  await signIn(page, email);
  return { page, email, context };
}

test.beforeEach(async () => {
  await fakeOpenAI('/__fake/reset');
});

test('an admin invites a member, force-deletes a file the member sent, and disables the member', async ({
  page: admin,
  browser,
}) => {
  test.setTimeout(120_000);
  await signUp(admin);
  // Only admins get the way in.
  // The sidebar's link opens the console's first page, the overview.
  await sidebar(admin).getByRole('link', { name: 'Admin' }).click();
  await expect(adminNav(admin).getByRole('link', { name: 'Overview' })).toHaveAttribute(
    'aria-current',
    'page',
  );

  const link = await inviteLink(admin);
  const { page: member, email: memberEmail } = await joinWithLink(browser, link);
  await expect(sidebar(member).getByRole('link', { name: 'Admin' })).toHaveCount(0);
  expect((await member.request.get('/api/admin/attachments')).status()).toBe(404);
  const memberPage = await member.goto('/admin/users');
  expect(memberPage?.status()).toBe(404);
  // The link was for one sign-up.
  const again = await browser.newPage({ baseURL: APP_ORIGIN });
  await again.goto(link);
  await expect(again.getByText('This invitation link is not valid any more')).toBeVisible();
  await again.close();

  // The member sends a file with a question; the answer cites it.
  const chatId = await openNewChat(member);
  const upload = await member.request.post(`/api/chats/${chatId}/attachments`, {
    headers: FROM_APP,
    multipart: { file: { name: 'refund-policy.txt', mimeType: 'text/plain', buffer: Buffer.from(POLICY) } },
  });
  expect(upload.status()).toBe(201);
  const { id: fileId } = (await upload.json()) as { id: string };
  await expect
    .poll(
      async () =>
        (
          (await (await member.request.get(`/api/chats/${chatId}/attachments/${fileId}`)).json()) as {
            status: string;
          }
        ).status,
    )
    .toBe('ready');
  const sent = await member.request.post(`/api/chats/${chatId}/messages`, {
    headers: FROM_APP,
    data: { content: 'Are damaged kettles refunded?', attachment_ids: [fileId] },
  });
  expect(await sent.text()).toContain('event: done');
  await member.reload();
  await expect(conversation(member).getByRole('button', { name: 'Source: refund-policy.txt' })).toBeVisible();

  // The admin finds it with a filter and deletes it.
  await admin.goto('/admin/attachments');
  await admin.getByLabel('File name contains').fill('refund');
  await admin.getByLabel('Locked').selectOption('true');
  await admin.getByRole('button', { name: 'Apply filters' }).click();
  const row = admin.getByRole('row').filter({ hasText: 'refund-policy.txt' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(memberEmail);
  await row.getByRole('checkbox', { name: 'Select refund-policy.txt' }).check();
  await admin.getByRole('button', { name: 'Delete selected (1)' }).click();
  const dialog = admin.getByRole('dialog', { name: 'Delete 1 file?' });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(admin.getByRole('status').filter({ hasText: '1 file deleted' })).toBeVisible();
  await expect(admin.getByText('No attachments match.')).toBeVisible();
  await screenshot(admin, 'admin-inventory-after-delete');

  // The member's message keeps a placeholder; the next answer cannot cite the file.
  await member.reload();
  const question = conversation(member)
    .getByRole('article')
    .filter({ hasText: 'Are damaged kettles refunded?' });
  await expect(question.getByRole('list', { name: 'Files sent' })).toHaveText(
    'File removed by an administrator',
  );
  await messageBox(member).fill('Are damaged kettles refunded in full?');
  await messageBox(member).press('Enter');
  const answers = conversation(member)
    .getByRole('article')
    .filter({ hasText: /^Answer/ });
  await expect(answers).toHaveCount(2);
  await expect(answers.last().getByRole('list', { name: 'Sources' })).toHaveCount(0);
  await expect(answers.last()).not.toContainText('refunded in full within 14 days');

  // The audit log says who deleted what.
  await admin.goto('/admin/audit');
  await expect(admin.getByRole('row').filter({ hasText: 'attachment.force_delete' })).toContainText(fileId);

  // Disabling the member stops their open tab and their API token at once.
  const tokenResponse = await member.request.post('/api/tokens', {
    headers: FROM_APP,
    data: { name: 'script' },
  });
  const { token } = (await tokenResponse.json()) as { token: string };
  const withToken = () => fetch(`${APP_ORIGIN}/api/chats`, { headers: { authorization: `Bearer ${token}` } });
  expect((await withToken()).status).toBe(200);
  await admin.goto('/admin/users');
  await admin.getByRole('button', { name: `Disable ${memberEmail}` }).click();
  await admin
    .getByRole('dialog', { name: `Disable ${memberEmail}?` })
    .getByRole('button', { name: 'Disable' })
    .click();
  await expect(admin.getByRole('status').filter({ hasText: `${memberEmail} is disabled.` })).toBeVisible();
  expect((await withToken()).status).toBe(401);
  expect((await member.request.get('/api/chats')).status()).toBe(401);
  await member.reload();
  await expect(member).toHaveURL(/\/signin/);
  await screenshot(admin, 'admin-users');
});
