'use client';

import { type ReactNode, useState } from 'react';
import { formatBytes } from '@/components/attachments/file-format';
import { Button } from '@/components/ui/button';
import type { Overview } from '@/lib/admin/overview';
import { DailyChart } from './daily-chart';
import { type UsersSort, useOverview, useRetryDeadJobs } from './overview-queries';

/** A titled panel of the overview, named by its heading for assistive technology. */
function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section
      aria-labelledby={`${id}-heading`}
      className="flex flex-col gap-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800"
    >
      <h2 id={`${id}-heading`} className="font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** The tenant at a glance: storage, who uses it, what state files are in, and what is stuck. */
export function AdminOverview() {
  const [sort, setSort] = useState<UsersSort>('bytes');
  const overview = useOverview(sort);
  if (overview.isPending) return <p>Loading the overview…</p>;
  if (overview.isError) return <p role="alert">The overview could not be loaded: {overview.error.message}</p>;
  const data = overview.data;
  return (
    <div className="flex flex-col gap-6">
      <Section id="storage" title="Storage">
        <p>
          {formatBytes(data.storage.used_bytes)} of {formatBytes(data.storage.quota_bytes)} used by{' '}
          {data.storage.files} files.
        </p>
        <meter
          min={0}
          max={data.storage.quota_bytes}
          value={data.storage.used_bytes}
          aria-label="Organisation storage used"
          className="w-full"
        />
      </Section>
      <TopUsers data={data} sort={sort} onSort={setSort} />
      <Section id="files" title="Files">
        <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-4">
          {Object.entries(data.by_status).map(([status, n]) => (
            <div key={status}>
              <dt className="text-zinc-600 dark:text-zinc-400">{status}</dt>
              <dd>{n}</dd>
            </div>
          ))}
          {Object.entries(data.by_kind).map(([kind, k]) => (
            <div key={kind}>
              <dt className="text-zinc-600 dark:text-zinc-400">{kind}s</dt>
              <dd>
                {k.files} ({formatBytes(k.bytes)})
              </dd>
            </div>
          ))}
        </dl>
      </Section>
      <Section id="daily" title="Last 30 days">
        <DailyChart daily={data.daily} />
        <h3 className="text-sm font-semibold">Failed uploads by reason</h3>
        {data.failed_by_code.length === 0 ? (
          <p className="text-sm">No failed uploads.</p>
        ) : (
          <ul className="text-sm">
            {data.failed_by_code.map((f) => (
              <li key={f.error_code}>
                <code>{f.error_code}</code>: {f.count}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Backlog backlog={data.backlog} />
    </div>
  );
}

function TopUsers({
  data,
  sort,
  onSort,
}: {
  data: Overview;
  sort: UsersSort;
  onSort: (s: UsersSort) => void;
}) {
  const header = (key: UsersSort, label: string) => (
    <th scope="col" aria-sort={sort === key ? 'descending' : 'none'}>
      <button
        type="button"
        onClick={() => onSort(key)}
        className="font-semibold underline-offset-2 hover:underline"
      >
        {label}
      </button>
    </th>
  );
  return (
    <Section id="users" title="Top users">
      <table className="w-full text-left text-sm">
        <thead>
          <tr>
            <th scope="col">User</th>
            {header('files', 'Files')}
            {header('bytes', 'Storage')}
          </tr>
        </thead>
        <tbody>
          {data.top_users.map((u) => (
            <tr key={u.user_id}>
              <th scope="row" className="font-normal">
                {u.email}
              </th>
              <td>{u.files}</td>
              <td>{formatBytes(u.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

function Backlog({ backlog }: { backlog: Overview['backlog'] }) {
  const retry = useRetryDeadJobs();
  return (
    <Section id="backlog" title="Cleanup backlog">
      <p className="text-sm">
        Files waiting for cleanup: {backlog.cleanup.pending}; given up on: {backlog.cleanup.failed}. Jobs
        waiting: {backlog.jobs.pending}; dead: {backlog.jobs.dead}.
      </p>
      <div className="flex items-center gap-3">
        <Button
          variant="secondary"
          disabled={backlog.jobs.dead === 0 || retry.isPending}
          onClick={() => retry.mutate()}
        >
          Retry dead jobs
        </Button>
        <p role="status" className="text-sm">
          {retry.data ? `${retry.data.retried} jobs queued again.` : retry.isError ? retry.error.message : ''}
        </p>
      </div>
    </Section>
  );
}
