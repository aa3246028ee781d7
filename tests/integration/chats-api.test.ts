import { describe, expect, it } from 'vitest';
import * as chatModelsRoute from '@/app/api/chats/[id]/models/route';
import * as chatRoute from '@/app/api/chats/[id]/route';
import * as chatsRoute from '@/app/api/chats/route';
import * as tokenRoute from '@/app/api/tokens/[id]/route';
import * as tokensRoute from '@/app/api/tokens/route';
import { callRoute, makeUser, type TestUser } from '@/tests/support/fixtures';

type Json = Record<string, unknown>;

const create = async (user: TestUser, body: unknown = {}) => {
  const res = await callRoute(chatsRoute.POST, { method: 'POST', token: user.token, body });
  expect(res.status).toBe(201);
  return res.body as Json & { id: string };
};

function expectProblem(
  res: { status: number; headers: Headers; body: unknown },
  status: number,
  code: string,
) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = res.body as Json;
  expect(body).toMatchObject({ status, code, type: `urn:mini-chat:problem:${code}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(JSON.stringify(body)).not.toMatch(/stack|select |insert |postgres|DrizzleQueryError/i);
  // A 401 names the scheme that would be accepted.
  expect(res.headers.get('www-authenticate')).toBe(status === 401 ? 'Bearer' : null);
  return body;
}

describe('chats API', () => {
  it('creates, reads, renames and deletes a chat', async () => {
    const u = await makeUser();
    const chat = await create(u, { title: '  Quarterly report  ' });
    expect(chat).toMatchObject({ title: 'Quarterly report', model: 'offline' });
    expect(chat).not.toHaveProperty('user_id');
    expect(chat).not.toHaveProperty('tenant_id');

    const got = await callRoute(chatRoute.GET, { token: u.token, params: { id: chat.id } });
    expect(got).toMatchObject({ status: 200, body: chat });

    const renamed = await callRoute(chatRoute.PATCH, {
      method: 'PATCH',
      token: u.token,
      params: { id: chat.id },
      body: { title: 'Q3 report' },
    });
    expect(renamed.status).toBe(200);
    const renamedChat = renamed.body as Json;
    expect(renamedChat.title).toBe('Q3 report');
    expect(Date.parse(renamedChat.updated_at as string)).toBeGreaterThanOrEqual(
      Date.parse(chat.updated_at as string),
    );

    const del = await callRoute(chatRoute.DELETE, {
      method: 'DELETE',
      token: u.token,
      params: { id: chat.id },
    });
    expect(del.status).toBe(204);
    expectProblem(
      await callRoute(chatRoute.GET, { token: u.token, params: { id: chat.id } }),
      404,
      'not_found',
    );
    expectProblem(
      await callRoute(chatRoute.DELETE, { method: 'DELETE', token: u.token, params: { id: chat.id } }),
      404,
      'not_found',
    );
    const list = await callRoute(chatsRoute.GET, { token: u.token });
    expect((list.body as { items: Json[] }).items.map((c) => c.id)).not.toContain(chat.id);
  });

  it('creates an untitled chat on the default model and answers its location', async () => {
    const u = await makeUser();
    const res = await callRoute(chatsRoute.POST, { method: 'POST', token: u.token });
    expect(res.status).toBe(201);
    const chat = res.body as Json;
    expect(chat).toMatchObject({ title: null, model: 'offline' });
    expect(res.headers.get('location')).toBe(`/api/chats/${chat.id}`);
  });

  it('validates titles, models and bodies', async () => {
    const u = await makeUser();
    const post = (body: unknown) => callRoute(chatsRoute.POST, { method: 'POST', token: u.token, body });
    expectProblem(await post({ title: '   ' }), 400, 'validation_error');
    expectProblem(await post({ title: 'x'.repeat(256) }), 400, 'validation_error');
    expect((await post({ title: 'x'.repeat(255) })).status).toBe(201);
    expectProblem(await post({ title: 42 }), 400, 'validation_error');
    expectProblem(await post({ model: 'gpt-imaginary' }), 400, 'invalid_model');
    expectProblem(await post('{"title": '), 400, 'validation_error');
    expectProblem(await post('[1,2]'), 400, 'validation_error');

    const chat = await create(u);
    const patch = (body: unknown) =>
      callRoute(chatRoute.PATCH, { method: 'PATCH', token: u.token, params: { id: chat.id }, body });
    expectProblem(await patch({}), 400, 'validation_error');
    expectProblem(await patch({ title: '' }), 400, 'validation_error');
    const invalid = await patch({ title: '\t\n' });
    expectProblem(invalid, 400, 'validation_error');
    expect((invalid.body as Json).errors).toEqual([{ field: 'title', message: expect.any(String) }]);
  });

  it("switches a chat's model and lists the models it may switch to", async () => {
    const u = await makeUser();
    const chat = await create(u, { title: 'Models' });
    const models = await callRoute(chatModelsRoute.GET, { token: u.token, params: { id: chat.id } });
    expect(models.status).toBe(200);
    const view = models.body as { items: Json[]; current: string };
    expect(view.current).toBe(chat.model);
    expect(view.items.find((m) => m.id === chat.model)).toMatchObject({
      display_name: expect.any(String),
      capabilities: expect.any(Array),
      available: true,
    });
    expect(JSON.stringify(view)).not.toMatch(/provider|vector/i);

    const patch = (body: unknown) =>
      callRoute(chatRoute.PATCH, { method: 'PATCH', token: u.token, params: { id: chat.id }, body });
    const same = await patch({ model: chat.model, title: 'Models again' });
    expect(same).toMatchObject({ status: 200, body: { model: chat.model, title: 'Models again' } });
    expectProblem(await patch({ model: 'gpt-imaginary' }), 400, 'invalid_model');
    expectProblem(await patch({ model: ['offline'] }), 400, 'validation_error');
  });

  it('refuses a NUL character in a title or a token name as a validation error, not a 500', async () => {
    const u = await makeUser();
    // As a client sends it: the JSON escape \u0000 inside the string.
    const titled = '{"title": "Q3\\u0000report"}';
    expect(JSON.parse(titled).title).toContain('\u0000');
    const created = expectProblem(
      await callRoute(chatsRoute.POST, { method: 'POST', token: u.token, body: titled }),
      400,
      'validation_error',
    );
    expect(created.errors).toEqual([{ field: 'title', message: expect.stringContaining('NUL') }]);

    const chat = await create(u, { title: 'clean' });
    expectProblem(
      await callRoute(chatRoute.PATCH, {
        method: 'PATCH',
        token: u.token,
        params: { id: chat.id },
        body: { title: '\u0000' },
      }),
      400,
      'validation_error',
    );
    const named = expectProblem(
      await callRoute(tokensRoute.POST, { method: 'POST', token: u.token, body: { name: 'ci\u0000' } }),
      400,
      'validation_error',
    );
    expect(named.errors).toEqual([{ field: 'name', message: expect.stringContaining('NUL') }]);

    const list = await callRoute(chatsRoute.GET, { token: u.token });
    expect((list.body as { items: Json[] }).items.map((c) => c.title)).toEqual(['clean']);
    const tokens = await callRoute(tokensRoute.GET, { token: u.token });
    expect((tokens.body as { items: Json[] }).items.map((t) => t.name)).toEqual(['test']);
  });

  it('refuses a JSON body over 1 MiB with 413 payload_too_large', async () => {
    const u = await makeUser();
    const huge = JSON.stringify({ title: 'x', padding: ' '.repeat(2 * 1024 * 1024) });
    const refused = expectProblem(
      await callRoute(chatsRoute.POST, { method: 'POST', token: u.token, body: huge }),
      413,
      'payload_too_large',
    );
    expect(refused.max_bytes).toBe(1024 * 1024);
    expectProblem(
      await callRoute(tokensRoute.POST, { method: 'POST', token: u.token, body: huge }),
      413,
      'payload_too_large',
    );
    const list = await callRoute(chatsRoute.GET, { token: u.token });
    expect((list.body as { items: Json[] }).items).toEqual([]);
  });

  it('answers 404 for malformed ids, not 500', async () => {
    const u = await makeUser();
    for (const id of ['nope', '123', "'; drop table chats; --", '00000000-0000-0000-0000-00000000000g']) {
      expectProblem(await callRoute(chatRoute.GET, { token: u.token, params: { id } }), 404, 'not_found');
      expectProblem(
        await callRoute(chatRoute.PATCH, {
          method: 'PATCH',
          token: u.token,
          params: { id },
          body: { title: 'x' },
        }),
        404,
        'not_found',
      );
      expectProblem(
        await callRoute(chatRoute.DELETE, { method: 'DELETE', token: u.token, params: { id } }),
        404,
        'not_found',
      );
    }
  });

  describe('isolation', () => {
    it.each([
      ['another user of the same tenant', true],
      ['a user of another tenant', false],
    ])('hides a chat from %s on every endpoint', async (_who, sameTenant) => {
      const owner = await makeUser();
      const intruder = await makeUser(sameTenant ? { tenant: owner.tenant } : {});
      const chat = await create(owner, { title: 'private' });
      const params = { id: chat.id };

      expectProblem(await callRoute(chatRoute.GET, { token: intruder.token, params }), 404, 'not_found');
      expectProblem(
        await callRoute(chatRoute.PATCH, {
          method: 'PATCH',
          token: intruder.token,
          params,
          body: { title: 'mine' },
        }),
        404,
        'not_found',
      );
      expectProblem(
        await callRoute(chatRoute.DELETE, { method: 'DELETE', token: intruder.token, params }),
        404,
        'not_found',
      );
      expectProblem(
        await callRoute(chatRoute.PATCH, {
          method: 'PATCH',
          token: intruder.token,
          params,
          body: { model: chat.model },
        }),
        404,
        'not_found',
      );
      expectProblem(
        await callRoute(chatModelsRoute.GET, { token: intruder.token, params }),
        404,
        'not_found',
      );
      const list = await callRoute(chatsRoute.GET, { token: intruder.token });
      expect((list.body as { items: Json[] }).items.map((c) => c.id)).not.toContain(chat.id);

      // Untouched for its owner.
      expect(await callRoute(chatRoute.GET, { token: owner.token, params })).toMatchObject({
        status: 200,
        body: { title: 'private' },
      });
    });

    it('answers 401 without valid credentials on every endpoint', async () => {
      const owner = await makeUser();
      const chat = await create(owner);
      const params = { id: chat.id };
      for (const auth of ['Bearer mct_garbage', 'Bearer', 'Basic dXNlcjpwYXNz', 'garbage']) {
        expectProblem(await callRoute(chatsRoute.GET, { auth }), 401, 'unauthorized');
        expectProblem(
          await callRoute(chatsRoute.POST, { method: 'POST', auth, body: {} }),
          401,
          'unauthorized',
        );
        expectProblem(await callRoute(chatRoute.GET, { auth, params }), 401, 'unauthorized');
        expectProblem(
          await callRoute(chatRoute.PATCH, { method: 'PATCH', auth, params, body: { title: 'x' } }),
          401,
          'unauthorized',
        );
        expectProblem(
          await callRoute(chatRoute.DELETE, { method: 'DELETE', auth, params }),
          401,
          'unauthorized',
        );
        expectProblem(await callRoute(chatModelsRoute.GET, { auth, params }), 401, 'unauthorized');
        expectProblem(await callRoute(tokensRoute.GET, { auth }), 401, 'unauthorized');
        expectProblem(
          await callRoute(tokensRoute.POST, { method: 'POST', auth, body: { name: 'x' } }),
          401,
          'unauthorized',
        );
      }
      expect(await callRoute(chatRoute.GET, { token: owner.token, params })).toMatchObject({ status: 200 });
    });
  });

  describe('listing', () => {
    it('pages through my chats newest first without gaps or repeats', async () => {
      const u = await makeUser();
      const other = await makeUser({ tenant: u.tenant });
      await create(other, { title: 'not mine' });
      const ids: string[] = [];
      for (let i = 0; i < 25; i++) ids.push((await create(u, { title: `chat ${i}` })).id);
      // Renaming bumps a chat to the top.
      await callRoute(chatRoute.PATCH, {
        method: 'PATCH',
        token: u.token,
        params: { id: ids[3] as string },
        body: { title: 'bumped' },
      });

      const first = await callRoute(chatsRoute.GET, { token: u.token, path: '/api/chats' });
      const page1 = first.body as { items: Json[]; page_info: { limit: number; next_cursor: string | null } };
      expect(page1.items).toHaveLength(20);
      expect(page1.page_info.limit).toBe(20);
      expect(page1.items[0]?.title).toBe('bumped');
      expect(page1.page_info.next_cursor).toEqual(expect.any(String));

      const seen = page1.items.map((c) => c.id as string);
      let cursor = page1.page_info.next_cursor;
      while (cursor) {
        const res = await callRoute(chatsRoute.GET, {
          token: u.token,
          path: `/api/chats?limit=2&cursor=${encodeURIComponent(cursor)}`,
        });
        const page = res.body as { items: Json[]; page_info: { next_cursor: string | null } };
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((c) => c.id as string));
        cursor = page.page_info.next_cursor;
      }
      expect(new Set(seen).size).toBe(25);
      expect([...seen].sort()).toEqual([...ids].sort());
      const expectedOrder = [ids[3], ...ids.filter((_, i) => i !== 3).reverse()];
      expect(seen).toEqual(expectedOrder);
    });

    it('rejects bad limits and cursors', async () => {
      const u = await makeUser();
      for (const q of ['limit=0', 'limit=101', 'limit=abc', 'limit=1.5', 'cursor=bogus', 'cursor=W10']) {
        expectProblem(
          await callRoute(chatsRoute.GET, { token: u.token, path: `/api/chats?${q}` }),
          400,
          'validation_error',
        );
      }
      const max = await callRoute(chatsRoute.GET, { token: u.token, path: '/api/chats?limit=100' });
      expect(max.status).toBe(200);
    });

    it('rejects cursors naming an instant Postgres cannot take, not 500', async () => {
      const u = await makeUser();
      await create(u);
      const id = '01a21dac-f1b9-77ad-932d-3b382c2aab95';
      for (const at of [
        '+275760-09-13T00:00:00.000Z',
        '-000001-01-01T00:00:00.000Z',
        '0000-06-01T00:00:00.000Z',
      ]) {
        const cursor = Buffer.from(JSON.stringify([at, id])).toString('base64url');
        expectProblem(
          await callRoute(chatsRoute.GET, { token: u.token, path: `/api/chats?cursor=${cursor}` }),
          400,
          'validation_error',
        );
      }
      const earliest = Buffer.from(JSON.stringify(['0001-01-01T00:00:00.000Z', id])).toString('base64url');
      const none = await callRoute(chatsRoute.GET, { token: u.token, path: `/api/chats?cursor=${earliest}` });
      expect(none).toMatchObject({ status: 200, body: { items: [] } });
    });

    it('shows an empty list to a new user', async () => {
      const u = await makeUser();
      const res = await callRoute(chatsRoute.GET, { token: u.token });
      expect(res.body).toEqual({ items: [], page_info: { limit: 20, next_cursor: null } });
    });
  });
});

describe('tokens API', () => {
  it('creates a token shown once, lists it without the secret, and revokes it', async () => {
    const u = await makeUser();
    const created = await callRoute(tokensRoute.POST, {
      method: 'POST',
      token: u.token,
      body: { name: 'ci' },
    });
    expect(created.status).toBe(201);
    const { id, token } = created.body as { id: string; token: string };

    const listed = await callRoute(tokensRoute.GET, { token });
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((listed.body as { items: Json[] }).items.map((t) => t.name)).toEqual(['ci', 'test']);

    const other = await makeUser({ tenant: u.tenant });
    expectProblem(
      await callRoute(tokenRoute.DELETE, { method: 'DELETE', token: other.token, params: { id } }),
      404,
      'not_found',
    );

    expect(
      (await callRoute(tokenRoute.DELETE, { method: 'DELETE', token: u.token, params: { id } })).status,
    ).toBe(204);
    expectProblem(await callRoute(chatsRoute.GET, { token }), 401, 'unauthorized');
    expect((await callRoute(chatsRoute.GET, { token: u.token })).status).toBe(200);
  });
});
