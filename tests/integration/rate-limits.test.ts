import { and, eq, sql } from 'drizzle-orm';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import * as chatsRoute from '@/app/api/chats/route';
import { createToken, revokeToken } from '@/lib/auth/tokens';
import { createChat, deleteChat } from '@/lib/chats/service';
import { apiTokens, chats, chatTurns } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import type { ModelEntry } from '@/lib/models/catalog';
import { loadRateLimits, type RateLimits } from '@/lib/rate-limits/config';
import { getDb } from '@/lib/runtime';
import { retryTurn, sendMessage } from '@/lib/turns/service';
import { fakeOpenAIForFile, makeChat, makeDeps } from '@/tests/support/attachments';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { callRoute, failure, makeUser, type TestUser } from '@/tests/support/fixtures';
import { makeTurnDeps, readEvents, TURN_MODELS } from '@/tests/support/turns';

// What one user's script can create: N requests fired at once get exactly the limit through,
// whichever connection each runs on (on PGlite they run one after another; on Postgres they race).
const driver = inject('testDriver');

const server = fakeOpenAIForFile();
let fake: FakeOpenAI;
let user: TestUser;

beforeEach(async () => {
  fake = server();
  user = await makeUser();
});

const limits = (change: Partial<RateLimits>): RateLimits => ({ ...loadRateLimits({}), ...change });
const offline = TURN_MODELS.find((m) => m.id === 'offline') as ModelEntry;
const chatDeps = async (rateLimits: RateLimits) => ({
  db: await getDb(),
  models: { findModel: () => offline, defaultModel: () => offline },
  rateLimits,
});

/** Each outcome as `ok` or the refusal's code; anything but an AppError fails the test. */
async function outcomes<T>(promises: Promise<T>[]) {
  const settled = await Promise.allSettled(promises);
  const refusals = settled.flatMap((s) => {
    if (s.status === 'fulfilled') return [];
    if (s.reason instanceof AppError) return [s.reason];
    throw s.reason;
  });
  return { ok: settled.filter((s) => s.status === 'fulfilled').length, refusals };
}

/** A 429 rate_limit_exceeded that says to come back within `windowSeconds`, and says it twice. */
function expectRateLimited(err: AppError, windowSeconds: number) {
  expect(err).toMatchObject({ code: 'rate_limit_exceeded', status: 429 });
  const seconds = Number(err.headers['retry-after']);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(windowSeconds);
  expect(err.extensions.retry_after_seconds).toBe(seconds);
  expect(err.message).toContain(`Try again in ${seconds} second`);
  return seconds;
}

const chatsOf = async (who: TestUser) =>
  (await getDb()).select().from(chats).where(eq(chats.userId, who.caller.userId));

describe(`chats a minute on ${driver}`, () => {
  it('of 20 created at once, exactly the limit are; the rest get 429 with Retry-After', async () => {
    const deps = await chatDeps(limits({ chats: { limit: 5, per: 'minute' } }));
    const { ok, refusals } = await outcomes(
      Array.from({ length: 20 }, (_, i) => createChat(deps, user.caller, { title: `burst ${i}` })),
    );
    expect(ok).toBe(5);
    expect(refusals).toHaveLength(15);
    for (const err of refusals) expectRateLimited(err, 60);
    expect(refusals[0]?.message).toMatch(/^You have created 5 chats in the last minute, the most allowed\./);
    expect(await chatsOf(user)).toHaveLength(5);

    // Another user's allowance is their own.
    const other = await makeUser({ tenant: user.tenant });
    expect((await createChat(deps, other.caller, {})).model).toBe('offline');
  });

  it('asks to wait until the oldest counted chat leaves the window, which deleting does not hurry', async () => {
    const deps = await chatDeps(limits({ chats: { limit: 3, per: 'minute' } }));
    for (let i = 0; i < 3; i++) await createChat(deps, user.caller, {});
    const db = await getDb();
    const [first] = await chatsOf(user);
    await deleteChat(db, user.caller, first?.id as string);
    const mine = eq(chats.userId, user.caller.userId);
    await db.update(chats).set({ createdAt: sql`now() - interval '50 seconds'` }).where(mine);

    const seconds = expectRateLimited(await failure(createChat(deps, user.caller, {})), 60);
    // 60 s window − 50 s of age, less the moments this test took.
    expect(seconds).toBeGreaterThanOrEqual(5);
    expect(seconds).toBeLessThanOrEqual(10);

    // Once one has left the window there is room for exactly one more.
    await db
      .update(chats)
      .set({ createdAt: sql`now() - interval '61 seconds'` })
      .where(and(mine, eq(chats.id, first?.id as string)));
    await createChat(deps, user.caller, {});
    expectRateLimited(await failure(createChat(deps, user.caller, {})), 60);
  });

  it('POST /api/chats answers problem JSON with a Retry-After header past the configured limit', async () => {
    const limit = loadRateLimits(process.env).chats.limit;
    const post = () => callRoute(chatsRoute.POST, { method: 'POST', token: user.token, body: {} });
    const statuses = (await Promise.all(Array.from({ length: limit }, post))).map((r) => r.status);
    expect(statuses).toEqual(Array(limit).fill(201));
    const refused = await post();
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.body).toMatchObject({
      code: 'rate_limit_exceeded',
      status: 429,
      detail: expect.stringContaining(`You have created ${limit} chats in the last minute`),
    });
  });
});

describe(`messages a minute on ${driver}`, () => {
  it('of 8 sent at once to 8 chats, exactly the limit are answered; a retry counts too', async () => {
    const files = await makeDeps(fake, {}, TURN_MODELS);
    const deps = {
      ...makeTurnDeps(files, fake),
      rateLimits: { messages: { limit: 3, per: 'minute' as const } },
    };
    const chatIds = await Promise.all(Array.from({ length: 8 }, () => makeChat(user, 'offline')));
    const sends = chatIds.map((chatId, i) =>
      sendMessage(deps, user.caller, chatId, { content: `hello ${i}` }),
    );
    const { ok, refusals } = await outcomes(
      sends.map(async (send) => {
        const turn = await send;
        const events = await readEvents(turn.body);
        await turn.finished;
        return events;
      }),
    );
    expect(ok).toBe(3);
    expect(refusals).toHaveLength(5);
    for (const err of refusals) expectRateLimited(err, 60);
    expect(refusals[0]?.message).toMatch(/^You have sent 3 messages in the last minute/);
    const turns = await (await getDb())
      .select()
      .from(chatTurns)
      .where(eq(chatTurns.userId, user.caller.userId));
    expect(turns).toHaveLength(3);

    const answered = turns[0];
    const retry = retryTurn(deps, user.caller, answered?.chatId as string, answered?.requestId as string);
    expectRateLimited(await failure(retry), 60);
  });
});

describe(`API tokens on ${driver}`, () => {
  const tokensOf = async (who: TestUser) =>
    (await getDb()).select().from(apiTokens).where(eq(apiTokens.userId, who.caller.userId));

  it('of 10 created at once within an hour, exactly the limit are, the fixture’s own token counted', async () => {
    const deps = { db: await getDb(), rateLimits: limits({ tokens: { limit: 4, per: 'hour' } }) };
    const { ok, refusals } = await outcomes(
      Array.from({ length: 10 }, (_, i) => createToken(deps, user.caller, { name: `script ${i}` })),
    );
    expect(ok).toBe(3);
    expect(refusals).toHaveLength(7);
    for (const err of refusals) expectRateLimited(err, 3600);
    expect(await tokensOf(user)).toHaveLength(4);

    // Revoking does not give any back.
    for (const token of await tokensOf(user)) await revokeToken(deps.db, user.caller, token.id);
    expectRateLimited(await failure(createToken(deps, user.caller, { name: 'again' })), 3600);
  });

  it('holds at most the live cap at once: 10 at once leave exactly the cap, and revoking makes room', async () => {
    const deps = { db: await getDb(), rateLimits: limits({ liveTokens: 3 }) };
    const { ok, refusals } = await outcomes(
      Array.from({ length: 10 }, (_, i) => createToken(deps, user.caller, { name: `script ${i}` })),
    );
    expect(ok).toBe(2);
    for (const err of refusals) {
      expect(err).toMatchObject({ code: 'token_limit_exceeded', status: 409, extensions: { limit: 3 } });
    }
    expect(refusals).toHaveLength(8);
    const live = await tokensOf(user);
    expect(live).toHaveLength(3);

    await revokeToken(deps.db, user.caller, live[0]?.id as string);
    expect((await createToken(deps, user.caller, { name: 'replacement' })).name).toBe('replacement');
    expect((await failure(createToken(deps, user.caller, { name: 'one more' }))).code).toBe(
      'token_limit_exceeded',
    );
  });
});
