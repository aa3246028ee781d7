'use client';

import { useState } from 'react';
import { Button, buttonClassName } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { filterQuery, useAudit, useUsers } from '../admin-queries';
import { AdminTable, cellClass, FilterForm, formatDate, PagedList, SelectField } from '../paged-list';

const summary = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));

/** The organisation's audit log, newest first: filter by actor, action and dates; export as CSV. */
export function AuditLog() {
  const [filters, setFilters] = useState<Record<string, string>>({});
  const audit = useAudit(filters);
  const users = useUsers();
  const actors = users.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="flex flex-col gap-4">
      <FilterForm
        label="Filter the audit log"
        className="grid grid-cols-2 gap-3 md:grid-cols-5"
        onApply={setFilters}
      >
        <SelectField
          label="Actor"
          name="actor"
          options={[['', 'Anyone'], ...actors.map((u) => [u.id, u.email] as const)]}
        />
        <TextField label="Action" name="action" maxLength={64} placeholder="attachment.force_delete" />
        <TextField label="From" name="from" type="date" />
        <TextField label="Until" name="to" type="date" />
        <div className="flex items-end gap-2">
          <Button type="submit">Apply filters</Button>
        </div>
      </FilterForm>
      <a
        href={`/api/admin/audit/export.csv?${filterQuery(filters)}`}
        className={buttonClassName('secondary', 'self-start')}
        download
      >
        Export CSV
      </a>
      <PagedList list={audit} noun="entries">
        {(items) => (
          <AdminTable caption="Audit log" headings={['When', 'Who', 'Action', 'Target', 'Change', 'Request']}>
            {items.map((entry) => (
              <tr key={entry.id}>
                <td className={`${cellClass} whitespace-nowrap`}>{formatDate(entry.created_at)}</td>
                <td className={`${cellClass} break-all`}>{entry.actor?.email ?? 'System'}</td>
                <td className={`${cellClass} font-mono text-xs`}>{entry.action}</td>
                <td className={`${cellClass} font-mono text-xs break-all`}>
                  {entry.target_type}
                  {entry.target_id ? ` ${entry.target_id}` : ''}
                </td>
                <td className={`${cellClass} max-w-[24rem] font-mono text-xs break-all`}>
                  {entry.before !== null || entry.after !== null
                    ? `${summary(entry.before)} → ${summary(entry.after)}`
                    : summary(entry.details)}
                </td>
                <td className={`${cellClass} font-mono text-xs break-all`}>{entry.request_id ?? ''}</td>
              </tr>
            ))}
          </AdminTable>
        )}
      </PagedList>
    </div>
  );
}
