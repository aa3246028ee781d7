import { expect, type Page } from '@playwright/test';

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

/** Signs up a new organisation and waits for the signed-in home page. */
export async function signUp(page: Page, email = uniqueEmail()) {
  await page.goto('/signup');
  await page.getByLabel('Organisation name').fill('Acme Research');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL('/');
  await expect(page.getByRole('heading', { name: 'Select a chat or start a new one' })).toBeVisible();
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
