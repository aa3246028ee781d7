import { expect, test } from '@playwright/test';
import {
  chatHeading,
  chatItem,
  chatList,
  newChat,
  PASSWORD,
  renameChat,
  screenshot,
  sidebar,
  signUp,
  submitSignUp,
  uniqueEmail,
} from './helpers';

const LONG_TITLE = 'Quarterly budget review with a deliberately long title that cannot fit in the sidebar';

test('signed-out visitors are sent to the sign-in page', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await screenshot(page, 'signin');

  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page.getByRole('heading', { name: 'Create your organisation' })).toBeVisible();
  await page.getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin$/);
});

test('sign-up shows the field error for a too-short password', async ({ page }) => {
  await page.goto('/signup');
  await page.getByLabel('Organisation name').fill('Acme Research');
  await page.getByLabel('Email').fill(uniqueEmail());
  await page.getByLabel('Password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();

  await expect(page.getByText('Passwords need at least 8 characters.')).toBeVisible();
  await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Organisation name')).toHaveValue('Acme Research');
  await expect(page).toHaveURL(/\/signup$/);
  await screenshot(page, 'signup-error');
});

test('sign up, manage chats, sign out and sign in again', async ({ page }) => {
  const email = await signUp(page);
  await expect(chatList(page).getByText('No chats yet')).toBeVisible();
  await expect(sidebar(page).getByText(email)).toBeVisible();

  // Create and rename a chat; sidebar and header follow.
  await newChat(page);
  await expect(page.getByRole('main').getByText('Offline (no model)')).toBeVisible();
  await expect(chatItem(page, 'New chat').getByRole('link')).toHaveAttribute('aria-current', 'page');

  await chatItem(page, 'New chat').getByRole('button', { name: 'Rename chat' }).click();
  const titleInput = chatList(page).getByLabel('Chat title');
  await expect(titleInput).toBeFocused();
  await titleInput.fill('   ');
  await titleInput.press('Enter');
  await expect(chatList(page).getByRole('alert')).toHaveText('The title must not be empty.');
  await titleInput.fill('Project kickoff');
  await screenshot(page, 'rename-in-progress');
  await titleInput.press('Enter');
  await expect(chatItem(page, 'Project kickoff')).toBeVisible();
  await expect(chatHeading(page)).toHaveText('Project kickoff');
  await expect(chatItem(page, 'Project kickoff').getByRole('button', { name: 'Rename chat' })).toBeFocused();

  // Escape cancels a rename.
  await chatItem(page, 'Project kickoff').getByRole('button', { name: 'Rename chat' }).click();
  await titleInput.fill('Never saved');
  await titleInput.press('Escape');
  await expect(titleInput).toBeHidden();
  await expect(chatItem(page, 'Project kickoff')).toBeVisible();
  await expect(chatHeading(page)).toHaveText('Project kickoff');

  // Two more chats, one with a long title.
  await newChat(page);
  await renameChat(page, 'New chat', LONG_TITLE);
  await expect(chatHeading(page)).toHaveText(LONG_TITLE);
  await newChat(page);
  await expect(chatList(page).getByRole('listitem')).toHaveCount(3);
  await screenshot(page, 'app-with-chats');

  // Cancelling a delete keeps the chat.
  await chatItem(page, 'Project kickoff').getByRole('button', { name: 'Delete chat' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete chat?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('“Project kickoff” will be deleted.');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(chatItem(page, 'Project kickoff')).toBeVisible();

  // Deleting the open chat removes it and goes home; the others stay.
  await chatItem(page, 'New chat').getByRole('button', { name: 'Delete chat' }).click();
  await expect(dialog).toBeVisible();
  await screenshot(page, 'delete-dialog');
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(dialog).toBeHidden();
  await expect(page).toHaveURL('/');
  await expect(chatItem(page, 'New chat')).toHaveCount(0);
  await expect(chatList(page).getByRole('listitem')).toHaveCount(2);

  // Sign out.
  await sidebar(page).getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);

  // Signing up again with the email answers exactly as for a new one, and changes nothing.
  await submitSignUp(page, email, { organisation: 'Acme Again', password: 'another password entirely' });

  // A wrong password is refused, keeping the email; the one of the second sign-up is wrong too.
  for (const wrong of ['not the password', 'another password entirely']) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(wrong);
    // Each attempt's answer is awaited: the alert of the one before would match at once, and the
    // form clears its fields when an answer lands, which could wipe the next password typed.
    const answered = page.waitForResponse(
      (r) => r.request().method() === 'POST' && r.url().includes('/signin'),
    );
    await page.getByRole('button', { name: 'Sign in' }).click();
    await answered;
    await expect(page.getByRole('main').getByRole('alert')).toHaveText('Wrong email or password.');
    await expect(page.getByLabel('Email')).toHaveValue(email);
  }

  // The right one lands on the home page with the remaining chats.
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL('/');
  await expect(chatItem(page, 'Project kickoff')).toBeVisible();
  await expect(chatItem(page, LONG_TITLE)).toBeVisible();
  await expect(chatList(page).getByRole('listitem')).toHaveCount(2);

  // Signed-in users are sent away from the auth pages.
  await page.goto('/signin');
  await expect(page).toHaveURL('/');
  await page.goto('/signup');
  await expect(page).toHaveURL('/');
});

test('sign-in returns to a same-origin callbackUrl only', async ({ page }) => {
  const email = await signUp(page);
  await newChat(page);
  const chatUrl = new URL(page.url()).pathname;
  await sidebar(page).getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/signin$/);

  await page.goto(`/signin?callbackUrl=${encodeURIComponent(chatUrl)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(chatUrl);

  await sidebar(page).getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.goto(`/signin?callbackUrl=${encodeURIComponent('//evil.example/steal')}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL('/');
});

test('the sidebar works from the keyboard', async ({ page }) => {
  await signUp(page);
  await page.keyboard.press('Tab');
  await expect(sidebar(page).getByRole('button', { name: 'New chat' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(chatHeading(page)).toHaveText('New chat');

  const item = chatItem(page, 'New chat');
  await item.getByRole('link').focus();
  await page.keyboard.press('Tab');
  await expect(item.getByRole('button', { name: 'Rename chat' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(chatList(page).getByLabel('Chat title')).toBeFocused();
  await page.keyboard.type('Typed title');
  await page.keyboard.press('Enter');
  const renamed = chatItem(page, 'Typed title');
  await expect(renamed.getByRole('button', { name: 'Rename chat' })).toBeFocused();
  await expect(chatHeading(page)).toHaveText('Typed title');
  await screenshot(page, 'keyboard-focus');

  await page.keyboard.press('Tab');
  await expect(renamed.getByRole('button', { name: 'Delete chat' })).toBeFocused();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Delete chat?' });
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(renamed).toBeVisible();
});

test('an unknown chat shows the not-found page', async ({ page }) => {
  await signUp(page);
  await page.goto('/chats/00000000-0000-4000-8000-000000000000');
  await expect(page.getByRole('heading', { name: 'Chat not found' })).toBeVisible();
  await page.goto('/chats/not-a-uuid');
  await expect(page.getByRole('heading', { name: 'Chat not found' })).toBeVisible();
});

test('API tokens: create, use, revoke', async ({ page, request }) => {
  await signUp(page);
  await newChat(page);
  await renameChat(page, 'New chat', 'Reachable by token');

  await sidebar(page).getByRole('link', { name: 'API tokens' }).click();
  await expect(page.getByRole('heading', { name: 'API tokens', level: 1 })).toBeVisible();
  await expect(page.getByText('You have no tokens yet.')).toBeVisible();
  await page.getByLabel('Token name').fill('CI script');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByLabel('New token').inputValue();
  expect(token).toMatch(/^mct_/);
  await expect(page.getByText('it will not be shown again')).toBeVisible();
  await screenshot(page, 'token-created');

  const headers = { authorization: `Bearer ${token}` };
  const listed = await request.get('/api/chats', { headers });
  expect(listed.status()).toBe(200);
  const body = (await listed.json()) as { items: { title: string | null }[] };
  expect(body.items.map((chat) => chat.title)).toEqual(['Reachable by token']);

  await page.getByRole('button', { name: 'Done' }).click();
  await expect(page.getByLabel('New token')).toBeHidden();
  const tokenItem = page
    .getByRole('list', { name: 'Your tokens' })
    .getByRole('listitem')
    .filter({ hasText: 'CI script' });
  await tokenItem.getByRole('button', { name: 'Revoke' }).click();
  const dialog = page.getByRole('dialog', { name: 'Revoke token?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(dialog).toBeHidden();
  await expect(tokenItem).toContainText('Revoked');
  await screenshot(page, 'token-revoked');

  const refused = await request.get('/api/chats', { headers });
  expect(refused.status()).toBe(401);
});

test.describe('at 360px wide', () => {
  test.use({ viewport: { width: 360, height: 740 } });

  test('the sidebar is a drawer behind the menu button', async ({ page }) => {
    await signUp(page);
    await expect(sidebar(page)).toBeHidden();
    const menu = page.getByRole('button', { name: 'Open menu' });
    await expect(menu).toHaveAttribute('aria-expanded', 'false');

    await menu.click();
    await expect(sidebar(page)).toBeVisible();
    await expect(sidebar(page).getByRole('button', { name: 'Close menu' })).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(sidebar(page)).toBeHidden();
    await expect(menu).toBeFocused();

    await menu.click();
    await newChat(page);
    await expect(sidebar(page)).toBeHidden();
    await menu.click();
    await renameChat(page, 'New chat', LONG_TITLE);
    await newChat(page);
    await menu.click();
    await screenshot(page, 'mobile-drawer');

    // Escape in a dialog inside the drawer closes only the dialog.
    await chatItem(page, LONG_TITLE).getByRole('button', { name: 'Delete chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete chat?' });
    await expect(dialog).toBeVisible();
    await screenshot(page, 'mobile-delete-dialog');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(sidebar(page)).toBeVisible();

    await sidebar(page).getByRole('button', { name: 'Close menu' }).click();
    await expect(sidebar(page)).toBeHidden();
    await screenshot(page, 'mobile-chat');

    const overflows = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflows).toBe(false);

    await page.getByRole('button', { name: 'Open menu' }).click();
    await sidebar(page).getByRole('link', { name: 'API tokens' }).click();
    await expect(page.getByRole('heading', { name: 'API tokens', level: 1 })).toBeVisible();
    await page.getByLabel('Token name').fill('Phone');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect(page.getByLabel('New token')).toBeVisible();
    await screenshot(page, 'mobile-tokens');
  });
});

test('dark mode', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/signin');
  await screenshot(page, 'dark-signin');
  await signUp(page);
  await newChat(page);
  await renameChat(page, 'New chat', 'Project kickoff');
  await newChat(page);
  await renameChat(page, 'New chat', LONG_TITLE);
  await newChat(page);
  await screenshot(page, 'dark-app');
  await chatItem(page, 'Project kickoff').getByRole('button', { name: 'Delete chat' }).click();
  await expect(page.getByRole('dialog', { name: 'Delete chat?' })).toBeVisible();
  await screenshot(page, 'dark-delete-dialog');
});
