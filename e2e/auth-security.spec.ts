import { type APIRequestContext, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { E2E_MAX_FAILURES } from '@/playwright.config';
import { FROM_APP, PASSWORD, sidebar, signIn, signUp, submitSignUp, uniqueEmail } from './helpers';

const SESSION_COOKIE = 'authjs.session-token';
const WAIT =
  /^Too many sign-in attempts\. Wait (about a minute|about \d+ minutes|a few minutes) and try again\.$/;

/** One attempt on the sign-in form, waiting for its answer (the alert's text may not change). */
async function trySignIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForResponse((response) => response.request().method() === 'POST'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

/** A new account, signed up from a context of its own that is closed again. */
async function newAccount(context: BrowserContext) {
  const page = await context.newPage();
  const email = uniqueEmail();
  await submitSignUp(page, email);
  await page.close();
  return email;
}

/** Sends the credentials endpoint a form the way a script would (CSRF token included); returns where it redirects. */
async function postCredentials(request: APIRequestContext, email: string, password: string) {
  const { csrfToken } = (await (await request.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const response = await request.post('/api/auth/callback/credentials', {
    form: { email, password, csrfToken, callbackUrl: '/' },
    maxRedirects: 0,
  });
  expect(response.status()).toBe(302);
  const setCookies = response.headersArray().filter((h) => h.name.toLowerCase() === 'set-cookie');
  return {
    location: new URL(response.headers().location ?? '', 'http://localhost'),
    signedIn: setCookies.some((h) => h.value.startsWith(`${SESSION_COOKIE}=`)),
  };
}

test('after too many wrong passwords the sign-in page says to wait, even for the right one', async ({
  page,
  browser,
}) => {
  const context = await browser.newContext();
  const email = await newAccount(context);
  await context.close();

  await page.goto('/signin');
  for (let i = 0; i < E2E_MAX_FAILURES; i++) {
    await trySignIn(page, email, `wrong password ${i}`);
    await expect(page.getByRole('main').getByRole('alert')).toHaveText('Wrong email or password.');
  }
  await trySignIn(page, email, PASSWORD);
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(
    'Too many sign-in attempts. Wait about a minute and try again.',
  );
  await expect(page).toHaveURL(/\/signin$/);

  // The lock is the account's: another account signs in from the same browser at once.
  const other = await browser.newContext();
  const otherEmail = await newAccount(other);
  await other.close();
  await page.goto('/signin');
  await signIn(page, otherEmail);
});

test('the credentials endpoint is throttled like the form', async ({ browser, request }) => {
  const context = await browser.newContext();
  const email = await newAccount(context);
  await context.close();

  // The right password signs in: a refusal below is the throttle's, not a broken request.
  expect((await postCredentials(request, email, PASSWORD)).signedIn).toBe(true);
  for (let i = 0; i < E2E_MAX_FAILURES; i++) {
    const wrong = await postCredentials(request, email, `wrong password ${i}`);
    expect(wrong.signedIn).toBe(false);
    expect(wrong.location.pathname).toBe('/signin');
    expect(wrong.location.searchParams.get('code')).toBe('credentials');
  }
  const throttled = await postCredentials(request, email, PASSWORD);
  expect(throttled.signedIn).toBe(false);
  expect(throttled.location.searchParams.get('error')).toBe('CredentialsSignin');
  expect(throttled.location.searchParams.get('code')).toBe('too_many_attempts');

  // Where it sends a browser, the page says to wait.
  const page = await browser.newPage();
  await page.goto(`${throttled.location.pathname}${throttled.location.search}`);
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(WAIT);
  await page.close();
});

test('after signing out, the old session cookie opens nothing', async ({ page, context }) => {
  await signUp(page);
  const saved = await context.cookies();
  expect(saved.some((c) => c.name === SESSION_COOKIE)).toBe(true);
  expect((await page.request.get('/api/chats')).status()).toBe(200);

  await sidebar(page).getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/signin$/);

  // The browser dropped the cookie; a copy of it (stolen, say) is put back.
  await context.addCookies(saved);
  expect((await page.request.get('/api/chats')).status()).toBe(401);
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin$/);
});

test('signing out everywhere ends the other sessions too, and leaves API tokens alone', async ({
  page,
  browser,
}) => {
  const email = await signUp(page);
  const created = await page.request.post('/api/tokens', { data: { name: 'script' }, headers: FROM_APP });
  expect(created.status()).toBe(201);
  const { token } = (await created.json()) as { token: string };
  const bearer = { authorization: `Bearer ${token}` };

  const laptop = await browser.newContext();
  const laptopPage = await laptop.newPage();
  await signIn(laptopPage, email);

  await sidebar(page).getByRole('button', { name: 'Sign out everywhere' }).click();
  const dialog = page.getByRole('dialog', { name: 'Sign out everywhere?' });
  await expect(dialog).toContainText('this one included');
  await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page).toHaveURL(/\/signin$/);

  expect((await laptopPage.request.get('/api/chats')).status()).toBe(401);
  await laptopPage.reload();
  await expect(laptopPage).toHaveURL(/\/signin$/);
  expect((await page.request.get('/api/chats', { headers: bearer })).status()).toBe(200);

  // Signing in again works as before.
  await signIn(laptopPage, email);
  expect((await laptopPage.request.get('/api/chats')).status()).toBe(200);
  await laptop.close();
});
