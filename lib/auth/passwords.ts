import { hash, verify } from '@node-rs/argon2';

// argon2id with the library's defaults (OWASP's 19 MiB, t=2): no 72-byte truncation as in bcrypt.
export const hashPassword = (password: string): Promise<string> => hash(password);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * Verifying against a fixed hash when the email is unknown keeps the response time the same, so
 * sign-in does not reveal which emails have accounts.
 */
let dummyHash: Promise<string> | undefined;
export async function burnVerification(password: string): Promise<void> {
  dummyHash ??= hash('not-a-real-password');
  await verifyPassword(await dummyHash, password);
}
