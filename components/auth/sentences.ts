/** "about 3 minutes": how long a throttled person should wait, rounded up the way one would say it. */
export function roughly(seconds: number): string {
  if (seconds <= 90) return 'about a minute';
  if (seconds < 55 * 60) return `about ${Math.ceil(seconds / 60)} minutes`;
  if (seconds <= 90 * 60) return 'about an hour';
  return `about ${Math.round(seconds / 3600)} hours`;
}

export const WRONG_CREDENTIALS = 'Wrong email or password.';

/** Without the time (the credentials endpoint's redirect does not carry it): "a few minutes". */
export const tooManySignIns = (retryAfterSeconds?: number) =>
  `Too many sign-in attempts. Wait ${retryAfterSeconds ? roughly(retryAfterSeconds) : 'a few minutes'} and try again.`;

export const tooManySignUps = (retryAfterSeconds: number) =>
  `Too many sign-ups from your network. Wait ${roughly(retryAfterSeconds)} and try again.`;

/** The one answer to a sign-up, whether or not the email already had an account. */
export const SIGNED_UP =
  'If this email was not registered yet, your organisation is ready. Sign in to continue.';
