// Seeds one tenant at scale with set-based SQL (generate_series), fast enough for a million rows:
// 2,000 users, 50,000 chats, 1,000,000 attachments spread over the last 100 days (10,000 a day),
// a fifth of them images, one in three sent in a message, one in fifty failed, one in twenty
// deleted; and a few dead outbox jobs. Usable alone:
//   TSX_TSCONFIG_PATH=scripts/tsconfig.json node --import tsx bench/admin-scale-seed.ts postgres://…/db
import type pg from 'pg';

export interface SeedSize {
  users: number;
  chats: number;
  attachments: number;
}

export const FULL: SeedSize = { users: 2_000, chats: 50_000, attachments: 1_000_000 };

/** Seeds the (migrated) database and returns the tenant's id and an admin's id. */
export async function seedTenant(client: pg.Client, size: SeedSize = FULL) {
  const tenant = await client.query<{ id: string }>(
    `insert into tenants (id, slug, name) values (gen_random_uuid(), 'bench-scale', 'Bench scale') returning id`,
  );
  const tenantId = tenant.rows[0]?.id as string;
  await client.query(
    `insert into users (id, tenant_id, email, password_hash, role)
     select gen_random_uuid(), $1, 'bench-' || g || '@example.test', 'x', case when g = 1 then 'admin' else 'member' end
     from generate_series(1, $2::int) g`,
    [tenantId, size.users],
  );
  await client.query(
    `insert into chats (id, tenant_id, user_id, model, title)
     select gen_random_uuid(), $1, u.id, 'offline', null
     from generate_series(0, $2::int - 1) g
     join (select id, (row_number() over (order by id)) - 1 as n from users where tenant_id = $1) u
       on u.n = g % $3::int`,
    [tenantId, size.chats, size.users],
  );
  await client.query(
    `insert into attachments (id, tenant_id, chat_id, uploaded_by_user_id, filename, content_type, size_bytes,
       provider, storage_backend, provider_file_id, status, error_code, kind, created_at, updated_at,
       locked_at, last_sent_at, deleted_at, cleanup_status)
     select gen_random_uuid(), $1, c.id, c.user_id,
       case when g % 5 = 0 then 'photo-' || g || '.png' else 'report-' || g || '.pdf' end,
       case when g % 5 = 0 then 'image/png' when g % 7 = 0 then 'text/plain' else 'application/pdf' end,
       1000 + (g::bigint * 7919) % 5000000,
       'openai', 'openai', 'file-' || g,
       case when g % 50 = 0 then 'failed' else 'ready' end,
       case when g % 50 = 0 then (array['indexing_failed', 'upload_interrupted', 'document_too_complex'])[g % 3 + 1] end,
       case when g % 5 = 0 then 'image' else 'document' end,
       t.created, t.created,
       case when g % 3 = 0 then t.created + interval '1 hour' end,
       case when g % 3 = 0 then least(now(), t.created + (g % 40) * interval '1 day') end,
       case when g % 20 = 0 then t.created + interval '2 hours' end,
       case when g % 20 = 0 then 'done' end
     from generate_series(0, $2::int - 1) g
     cross join lateral (select now() - (g % 100) * interval '1 day' - (g % 86400) * interval '1 second' as created) t
     join (select id, user_id, (row_number() over (order by id)) - 1 as n from chats where tenant_id = $1) c
       on c.n = g % $3::int`,
    [tenantId, size.attachments, size.chats],
  );
  await client.query(
    `insert into outbox (id, kind, payload, attempts, dead_at, last_error)
     select gen_random_uuid(), 'attachment_deleted',
       jsonb_build_object('tenant_id', $1::text, 'chat_id', a.chat_id, 'attachment_id', a.id), 5, now(), 'bench'
     from attachments a where a.tenant_id = $1::uuid and a.deleted_at is not null limit 20`,
    [tenantId],
  );
  await client.query('analyze');
  const admin = await client.query<{ id: string }>(
    `select id from users where tenant_id = $1 and role = 'admin'`,
    [tenantId],
  );
  return { tenantId, adminId: admin.rows[0]?.id as string };
}

if (process.argv[1]?.endsWith('admin-scale-seed.ts')) {
  const url = process.argv[2];
  if (!url) throw new Error('usage: admin-scale-seed.ts <postgres url of a migrated database>');
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  console.log(await seedTenant(client), `${Math.round(performance.now() - started)} ms`);
  await client.end();
}
