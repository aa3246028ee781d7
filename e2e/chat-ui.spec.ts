import { expect, type Page, test } from '@playwright/test';
import { pdf, png } from '@/tests/support/sample-files';
import {
  chatHeading,
  chatItem,
  type FilePayload,
  FROM_APP,
  fakeOpenAI,
  openNewChat,
  screenshot,
  screenshotsAcrossLayouts,
  serverAttachments,
  sidebar,
  signUp,
} from './helpers';

/** Chats on this model talk to the fake OpenAI server: `SLOW …` streams slowly, `ERROR …` fails mid-way. */
const OPENAI_MODEL = 'gpt-4.1-mini';

const composer = (page: Page) => page.getByRole('form', { name: 'Message composer' });
const messageBox = (page: Page) => composer(page).getByRole('textbox', { name: 'Message' });
const messages = (page: Page) => page.getByRole('region', { name: 'Messages' });
const conversation = (page: Page) => messages(page).getByRole('log', { name: 'Conversation' });
const answers = (page: Page) =>
  conversation(page)
    .getByRole('article')
    .filter({ hasText: /^Answer/ });
const banner = (page: Page) => messages(page).getByRole('alert');
const chip = (page: Page, filename: string) =>
  composer(page)
    .getByRole('list', { name: 'Attached files' })
    .getByRole('listitem')
    .filter({ hasText: filename });

const textFile = (name: string, text: string): FilePayload => ({
  name,
  mimeType: 'text/plain',
  buffer: Buffer.from(text),
});

async function attach(page: Page, files: FilePayload[]) {
  const chooser = page.waitForEvent('filechooser');
  await composer(page).getByRole('button', { name: 'Attach files' }).click();
  await (await chooser).setFiles(files);
}

async function send(page: Page, text: string) {
  await messageBox(page).fill(text);
  await messageBox(page).press('Enter');
}

/** The chat's messages as the server lists them, oldest first. */
async function serverMessages(page: Page, chatId: string) {
  const response = await page.request.get(`/api/chats/${chatId}/messages`);
  expect(response.status()).toBe(200);
  return (
    (await response.json()) as {
      items: { role: string; content: string; state?: string; error_code?: string }[];
    }
  ).items;
}

test.beforeEach(async ({ page }) => {
  await fakeOpenAI('/__fake/reset');
  await signUp(page);
});

test('an offline chat answers with a quoted passage, cites the file and locks it', async ({ page }) => {
  const chatId = await openNewChat(page);
  await expect(messages(page)).toContainText('No messages yet');
  await expect(composer(page)).toContainText("Offline mode: answers quote this chat's documents");
  await attach(page, [
    textFile(
      'refund-policy.txt',
      'Refunds\n\nCustomers may ask for a refund within 30 days of purchase.\n\nShipping\n\nOrders ship within five business days.\n',
    ),
  ]);
  await expect(chip(page, 'refund-policy.txt')).toContainText('Ready');
  const sendButton = composer(page).getByRole('button', { name: 'Send' });
  await expect(sendButton).toBeDisabled();
  await expect(sendButton).toHaveAccessibleDescription('Write a message to send.');

  await send(page, 'How long do customers have to ask for a refund?');
  // The message and its file show at once; the composer is emptied, the file stays in the chat.
  const question = conversation(page).getByRole('article').filter({ hasText: 'How long do customers' });
  await expect(question).toBeVisible();
  await expect(question.getByRole('list', { name: 'Files sent' })).toContainText('refund-policy.txt');
  await expect(messageBox(page)).toHaveValue('');
  await expect(chip(page, 'refund-policy.txt')).toHaveCount(0);

  const answer = answers(page).last();
  await expect(answer).toContainText('within 30 days of purchase');
  const source = answer
    .getByRole('list', { name: 'Sources' })
    .getByRole('button', { name: 'Source: refund-policy.txt' });
  await expect(source).toBeVisible();
  // The first message titles the chat, in the header and the sidebar.
  await expect(chatHeading(page)).toHaveText('How long do customers have to ask for a refund?');
  await expect(chatItem(page, 'How long do customers have to ask for a refund?')).toBeVisible();
  await screenshot(page, 'chat-offline-answer');

  await source.click();
  const dialog = page.getByRole('dialog', { name: 'Cited from refund-policy.txt' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('within 30 days of purchase');
  await expect(dialog).toContainText('Document');
  await screenshot(page, 'chat-citation-dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(source).toBeFocused();

  // Sent, the file is locked: the panel says so and offers no delete.
  await composer(page)
    .getByRole('button', { name: /Chat files/ })
    .click();
  const panel = page.getByRole('complementary', { name: 'Files in this chat' });
  const row = panel.getByRole('listitem').filter({ hasText: 'refund-policy.txt' });
  await expect(row).toContainText('Locked');
  await expect(
    row.getByRole('img', { name: "refund-policy.txt was sent in a message; it can't be removed" }),
  ).toBeVisible();
  await expect(row.getByRole('button', { name: 'Delete refund-policy.txt' })).toHaveCount(0);
  expect((await serverAttachments(page, chatId)).map((item) => item.filename)).toEqual(['refund-policy.txt']);
});

test('a deleted file still shows as cited, marked as deleted', async ({ page }) => {
  const chatId = await openNewChat(page);
  await attach(page, [textFile('notes.txt', 'The launch date is the fourth of May.\n')]);
  await expect(chip(page, 'notes.txt')).toContainText('Ready');
  await send(page, 'When is the launch date?');
  await expect(answers(page).last()).toContainText('fourth of May');
  // A sent file cannot be deleted, but an answer may cite one only searched: the chat's list is staged without it.
  await page.route(`**/api/chats/${chatId}/attachments`, (route) =>
    route.request().method() === 'GET'
      ? route.fulfill({ status: 200, contentType: 'application/json', body: '{"items":[]}' })
      : route.continue(),
  );
  await page.reload();
  const source = answers(page).last().getByRole('list', { name: 'Sources' }).getByRole('button');
  await expect(source).toContainText('(deleted)');
  await source.click();
  const dialog = page.getByRole('dialog', { name: 'Cited from notes.txt' });
  await expect(dialog).toContainText('This file has since been removed from the chat.');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(source).toBeFocused();
});

test('markdown answers render safely, with code blocks to copy', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openNewChat(page, OPENAI_MODEL);
  await fakeOpenAI('/__fake/replies', {
    text: [
      '# Summary',
      '',
      'Some **bold** text and `inline code`. <script>window.__injected = 1</script>',
      '<img src="x" onerror="window.__injected = 2">',
      '',
      '```python',
      'print("hello")',
      '```',
      '',
      '| name | value |',
      '| --- | --- |',
      '| alpha | 1 |',
      '',
      '[Docs](https://example.com/docs) and [bad](javascript:alert(1))',
    ].join('\n'),
  });
  await send(page, 'Show me some markdown');
  const answer = answers(page).last();
  await expect(answer.locator('pre code')).toHaveText('print("hello")');
  // Raw HTML is text, never markup.
  await expect(answer).toContainText('<script>window.__injected = 1</script>');
  await expect(answer).toContainText('<img src="x" onerror="window.__injected = 2">');
  expect(await page.evaluate(() => (window as { __injected?: number }).__injected)).toBeUndefined();
  await expect(answer.locator('img, script')).toHaveCount(0);
  // The model's heading sits below the page's own.
  await expect(page.getByRole('heading', { level: 1 })).toHaveCount(1);
  await expect(answer.getByRole('heading', { name: 'Summary' })).toBeVisible();
  await expect(answer.getByRole('table')).toContainText('alpha');
  const link = answer.getByRole('link', { name: 'Docs' });
  await expect(link).toHaveAttribute('href', 'https://example.com/docs');
  await expect(link).toHaveAttribute('target', '_blank');
  await expect(link).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(answer.getByRole('link', { name: 'bad' })).toHaveCount(0);

  await answer.getByRole('button', { name: 'Copy python code' }).click();
  await expect(answer.getByRole('button', { name: 'Copy python code: copied' })).toContainText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe('print("hello")');
  await screenshot(page, 'chat-markdown');
});

test('Stop ends a slow answer, which stays as a stopped partial answer', async ({ page }) => {
  const chatId = await openNewChat(page, OPENAI_MODEL);
  await send(page, 'SLOW count for me');
  const stop = composer(page).getByRole('button', { name: 'Stop' });
  await expect(stop).toBeVisible();
  await expect(messages(page)).toContainText('Counting: 1 2 3');
  await screenshot(page, 'chat-streaming');
  await stop.click();
  await expect(messageBox(page)).toBeFocused();
  const answer = answers(page).last();
  await expect(answer).toContainText('Stopped');
  await expect(answer).toContainText('You said: SLOW count for me');
  await expect(composer(page).getByRole('button', { name: 'Send' })).toBeVisible();
  await expect
    .poll(async () => (await serverMessages(page, chatId)).map((message) => message.state ?? message.role))
    .toEqual(['user', 'cancelled']);
  // The partial answer stays after a reload.
  const partial = (await serverMessages(page, chatId))[1]?.content ?? '';
  expect(partial.length).toBeGreaterThan(0);
  expect(partial).not.toContain(' 120');
  await page.reload();
  await expect(answers(page).last()).toContainText('Stopped');
});

test('an answer that fails mid-way says why and can be retried', async ({ page }) => {
  const chatId = await openNewChat(page, OPENAI_MODEL);
  await fakeOpenAI('/__fake/replies', { text: 'This answer will break off here', errorAfterChunks: 2 });
  await send(page, 'Tell me something');
  await expect(banner(page)).toContainText('The model service answered with an error.');
  await expect(answers(page).last()).toContainText('No complete answer');
  await screenshot(page, 'chat-error');

  await fakeOpenAI('/__fake/replies', { text: 'Here is the full answer.' });
  await banner(page).getByRole('button', { name: 'Retry' }).click();
  await expect(messageBox(page)).toBeFocused();
  await expect(answers(page).last()).toContainText('Here is the full answer.');
  await expect(banner(page)).toHaveCount(0);
  await expect
    .poll(async () => (await serverMessages(page, chatId)).map((message) => message.state ?? message.role))
    .toEqual(['user', 'completed']);
  await expect(answers(page)).toHaveCount(1);
});

test('a refused send keeps the text and says why', async ({ page }) => {
  await openNewChat(page, OPENAI_MODEL);
  await page.route('**/messages', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({
          status: 409,
          headers: { 'content-type': 'application/problem+json' },
          body: JSON.stringify({ status: 409, code: 'generation_in_progress', detail: 'A turn is running.' }),
        })
      : route.continue(),
  );
  await send(page, 'Are you there?');
  await expect(banner(page)).toContainText('An answer is still being written in this chat.');
  await expect(messageBox(page)).toHaveValue('Are you there?');
  await expect(conversation(page).getByRole('article')).toHaveCount(0);
  await banner(page).getByRole('button', { name: 'Dismiss' }).click();
  await expect(banner(page)).toHaveCount(0);
});

test('past the per-user limits, the sidebar and the composer say so and when to try again', async ({
  page,
}) => {
  await openNewChat(page);
  const tooMany = (detail: string, retryAfter: string) => ({
    status: 429,
    headers: { 'content-type': 'application/problem+json', 'retry-after': retryAfter },
    body: JSON.stringify({ status: 429, code: 'rate_limit_exceeded', detail }),
  });
  await page.route('**/messages', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill(tooMany('You have sent 20 messages in the last minute.', '12'))
      : route.continue(),
  );
  await send(page, 'One more?');
  await expect(banner(page)).toContainText(
    'You have sent as many messages as you may in a minute. Try again in 12 s.',
  );
  await expect(messageBox(page)).toHaveValue('One more?');

  const detail = 'You have created 30 chats in the last minute, the most allowed. Try again in 7 seconds.';
  await page.route('**/api/chats', (route) =>
    route.request().method() === 'POST' ? route.fulfill(tooMany(detail, '7')) : route.continue(),
  );
  await sidebar(page).getByRole('button', { name: 'New chat' }).click();
  await expect(sidebar(page).getByRole('alert')).toHaveText(detail);
});

test('an answer still being written after a reload shows as generating, then appears', async ({ page }) => {
  const chatId = await openNewChat(page, OPENAI_MODEL);
  // Sent outside the page, so that reloading does not cancel it.
  const sending = page.request.post(`/api/chats/${chatId}/messages`, {
    data: { content: 'SLOW from another tab' },
    headers: FROM_APP,
  });
  await expect.poll(async () => (await serverMessages(page, chatId)).length).toBe(1);
  await page.reload();
  await expect(messages(page).getByRole('status').filter({ hasText: 'Generating an answer…' })).toBeVisible();
  await expect(composer(page).getByRole('button', { name: 'Stop' })).toBeVisible();
  await sending;
  await expect(answers(page).last()).toContainText('Counting: 1 2 3', { timeout: 15_000 });
  await expect(messages(page).getByText('Generating an answer…')).toHaveCount(0);
});

test('Stop also stops an answer being written elsewhere (another tab, or before a reload)', async ({
  page,
}) => {
  const chatId = await openNewChat(page, OPENAI_MODEL);
  const sending = page.request.post(`/api/chats/${chatId}/messages`, {
    data: { content: 'SLOW elsewhere' },
    headers: FROM_APP,
  });
  await expect.poll(async () => (await serverMessages(page, chatId)).length).toBe(1);
  await page.reload();
  await composer(page).getByRole('button', { name: 'Stop' }).click();
  // The other reader is told that its answer was stopped.
  expect(await (await sending).text()).toMatch(/event: error\ndata: \{"code":"cancelled"/);
  await expect(answers(page).last()).toContainText('Stopped');
  await expect(composer(page).getByRole('button', { name: 'Send' })).toBeVisible();
  const stored = await serverMessages(page, chatId);
  expect(stored.at(-1)).toMatchObject({ role: 'assistant', state: 'cancelled' });
});

test('a message with a PDF and an image streams its answer, with a citation chip that opens the PDF', async ({
  page,
}) => {
  const picker = sidebar(page).getByLabel('Model');
  await expect(picker).toHaveValue('offline');
  await picker.selectOption({ label: 'GPT-4.1 mini' });
  await sidebar(page).getByRole('button', { name: 'New chat' }).click();
  await expect(page).toHaveURL(/\/chats\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('main').locator('header')).toContainText('GPT-4.1 mini');
  await expect(composer(page)).not.toContainText('Offline mode');

  await attach(page, [
    { name: 'budget.pdf', mimeType: 'application/pdf', buffer: pdf('The quarterly budget is 42 units') },
    { name: 'chart.png', mimeType: 'image/png', buffer: await png(120, 80) },
  ]);
  await expect(chip(page, 'budget.pdf')).toContainText('Ready');
  await expect(chip(page, 'chart.png')).toContainText('Ready');
  // Paced at the fake, so the answer is seen growing while Stop is offered.
  await fakeOpenAI('/__fake/pace', { delayMs: 60 });
  await send(page, 'FILESEARCH: quarterly budget');
  const question = conversation(page).getByRole('article').filter({ hasText: 'quarterly budget' });
  await expect(question.getByRole('img', { name: 'Preview of chart.png' })).toHaveAttribute(
    'src',
    /^data:image\/webp;base64,/,
  );
  await expect(question.getByRole('list', { name: 'Files sent' })).toContainText('budget.pdf');
  const stop = composer(page).getByRole('button', { name: 'Stop' });
  await expect(stop).toBeVisible();
  await expect(answers(page).last()).toContainText('According to');
  await expect(stop).toBeHidden();

  const source = answers(page)
    .last()
    .getByRole('list', { name: 'Sources' })
    .getByRole('button', { name: 'Source: budget.pdf' });
  await source.click();
  const dialog = page.getByRole('dialog', { name: 'Cited from budget.pdf' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Document');
  await page.keyboard.press('Escape');
  await expect(source).toBeFocused();
});

test('chat screenshots: desktop and 360 px, light and dark', async ({ page }) => {
  await openNewChat(page, OPENAI_MODEL);
  await fakeOpenAI('/__fake/replies', {
    text: 'A list:\n\n- one\n- two\n\n```js\nconsole.log("a rather long line of code that has to scroll sideways on a phone");\n```',
  });
  await send(page, 'Give me a short list and some code');
  await expect(answers(page).last().locator('pre code')).toContainText('console.log');
  await fakeOpenAI('/__fake/replies', { text: 'Partial', errorAfterChunks: 1 });
  await send(page, 'And now fail');
  await expect(banner(page)).toBeVisible();
  await screenshotsAcrossLayouts(page, 'chat');
});
