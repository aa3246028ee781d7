import { expect, type Page, test } from '@playwright/test';
import { fakeOpenAI, openNewChat, screenshot, signUp } from './helpers';

/*
 * The e2e server's catalog (playwright.config.ts): GPT-4.1 mini and GPT-4.1 keep files with
 * (fake) OpenAI; "llama-e2e (local)", an OpenAI-compatible model answered by the fake's Chat
 * Completions, and the offline model keep them in the local index.
 */
const LOCAL_MODEL = 'llama-e2e (local)';
const OFFLINE = 'Offline (no model)';

const header = (page: Page) => page.getByRole('main').locator('header');
const switcher = (page: Page) => header(page).getByRole('button', { name: /^Model / });
const modelList = (page: Page) => header(page).getByRole('listbox', { name: 'Model' });
const option = (page: Page, name: string) => modelList(page).getByRole('option', { name, exact: true });
const composer = (page: Page) => page.getByRole('form', { name: 'Message composer' });
const answers = (page: Page) =>
  page
    .getByRole('log', { name: 'Conversation' })
    .getByRole('article')
    .filter({ hasText: /^Answer/ });

async function send(page: Page, text: string) {
  const box = composer(page).getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

test.beforeEach(async ({ page }) => {
  await fakeOpenAI('/__fake/reset');
  await signUp(page);
});

test("switch a chat's model from the header; the next answer comes from the new model", async ({ page }) => {
  const chatId = await openNewChat(page, 'offline');
  await expect(switcher(page)).toHaveAccessibleName(`Model ${OFFLINE}`);

  await send(page, 'Hello offline');
  await expect(answers(page).last()).toContainText(`Answered by ${OFFLINE}`);

  // Keyboard: the list opens on the chat's model; models kept with OpenAI are disabled, with why.
  await switcher(page).focus();
  await switcher(page).press('ArrowDown');
  await expect(modelList(page)).toBeFocused();
  await expect(option(page, OFFLINE)).toHaveAttribute('aria-selected', 'true');
  const openai = option(page, 'GPT-4.1 mini');
  await expect(openai).toHaveAttribute('aria-disabled', 'true');
  const reason =
    'Files in this chat are kept in the local index; this model keeps files with OpenAI. Start a new chat to use it.';
  await expect(openai).toHaveAccessibleDescription(reason);
  await expect(openai.getByText(reason)).toBeVisible();
  await expect(option(page, LOCAL_MODEL)).not.toHaveAttribute('aria-disabled');
  await screenshot(page, 'chat-model-switcher');

  // A disabled model cannot be picked, by key or by click.
  await modelList(page).press('Home');
  await expect(modelList(page)).toHaveAttribute(
    'aria-activedescendant',
    (await openai.getAttribute('id')) ?? '',
  );
  await modelList(page).press('Enter');
  // Forced: Playwright itself would not click an option marked disabled.
  await openai.click({ force: true });
  await expect(modelList(page)).toBeVisible();
  await modelList(page).press('Escape');
  await expect(modelList(page)).toBeHidden();
  await expect(switcher(page)).toBeFocused();
  await expect(switcher(page)).toHaveAccessibleName(`Model ${OFFLINE}`);

  // The local model is just above the offline one.
  await switcher(page).press('Enter');
  await expect(modelList(page)).toBeFocused();
  await modelList(page).press('ArrowUp');
  await modelList(page).press('Enter');
  await expect(modelList(page)).toBeHidden();
  await expect(switcher(page)).toHaveAccessibleName(`Model ${LOCAL_MODEL}`);
  await expect(page.getByRole('status').filter({ hasText: 'This chat now uses' })).toHaveText(
    `This chat now uses ${LOCAL_MODEL}.`,
  );
  // The page follows the chat's new model: no offline-mode hint by the composer any more.
  await expect(composer(page)).not.toContainText('Offline mode');
  const stored = await page.request.get(`/api/chats/${chatId}`);
  expect(await stored.json()).toMatchObject({ model: 'llama-e2e' });

  // The next answer is the fake's Chat Completions echo; the earlier one keeps its model.
  await send(page, 'Hello local model');
  const latest = answers(page).last();
  await expect(latest).toContainText('You said: Hello local model');
  await expect(latest).toContainText(`Answered by ${LOCAL_MODEL}`);
  await expect(answers(page).first()).toContainText(`Answered by ${OFFLINE}`);

  await page.reload();
  await expect(switcher(page)).toHaveAccessibleName(`Model ${LOCAL_MODEL}`);
  await expect(answers(page)).toHaveCount(2);
});

test('an OpenAI chat offers the other OpenAI model and shows the local ones unavailable', async ({
  page,
}) => {
  await openNewChat(page, 'gpt-4.1-mini');
  await switcher(page).click();
  for (const name of [LOCAL_MODEL, OFFLINE]) {
    await expect(option(page, name)).toHaveAttribute('aria-disabled', 'true');
    await expect(option(page, name)).toHaveAccessibleDescription(
      'Files in this chat are kept by OpenAI; this model keeps files in the local index. Start a new chat to use it.',
    );
  }
  await option(page, 'GPT-4.1').click();
  await expect(switcher(page)).toHaveAccessibleName('Model GPT-4.1');
  await send(page, 'Hello GPT');
  await expect(answers(page).last()).toContainText('You said: Hello GPT');
  await expect(answers(page).last().getByText('Answered by GPT-4.1', { exact: true })).toBeVisible();
});
