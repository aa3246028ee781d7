'use client';

import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import type { AdminUserView } from '../admin-queries';
import { FilterForm, SelectField } from '../paged-list';

const ANY = ['', 'Any'] as const;

/** The inventory's filters and sort; applied when submitted, all of them on the server. */
export function InventoryFilters({
  users,
  onApply,
}: {
  users: AdminUserView[];
  onApply: (filters: Record<string, string>) => void;
}) {
  return (
    <FilterForm
      label="Filter attachments"
      className="grid grid-cols-2 gap-3 md:grid-cols-4"
      onApply={onApply}
    >
      <TextField label="File name contains" name="filename" maxLength={255} />
      <SelectField
        label="Status"
        name="status"
        options={[
          ANY,
          ['pending', 'Pending'],
          ['uploaded', 'Uploaded'],
          ['ready', 'Ready'],
          ['failed', 'Failed'],
        ]}
      />
      <SelectField label="Kind" name="kind" options={[ANY, ['document', 'Document'], ['image', 'Image']]} />
      <TextField label="Content type" name="content_type" maxLength={128} placeholder="application/pdf" />
      <SelectField
        label="Uploader"
        name="uploader"
        options={[ANY, ...users.map((u) => [u.id, u.email] as const)]}
      />
      <TextField label="Uploaded from" name="from" type="date" />
      <TextField label="Uploaded until" name="to" type="date" />
      <SelectField
        label="Locked"
        name="locked"
        options={[ANY, ['true', 'Sent (locked)'], ['false', 'Not sent']]}
      />
      <TextField label="Error code" name="error_code" maxLength={64} />
      <SelectField
        label="Sort by"
        name="sort"
        options={[
          ['created', 'Uploaded'],
          ['size', 'Size'],
        ]}
      />
      <SelectField
        label="Order"
        name="order"
        options={[
          ['desc', 'Newest / largest first'],
          ['asc', 'Oldest / smallest first'],
        ]}
      />
      <div className="flex items-end">
        <Button type="submit">Apply filters</Button>
      </div>
    </FilterForm>
  );
}
