'use client';

import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
export const formatDate = (iso: string) => dateFormat.format(new Date(iso));

type Paged<T> = UseInfiniteQueryResult<InfiniteData<{ items: T[]; next_cursor: string | null }>, Error>;

/**
 * A keyset-paged admin list's states: loading, the error with a retry, empty, or the rows
 * (rendered by `children`) and a "Load more" button while the server has a next page.
 */
export function PagedList<T>({
  list,
  noun,
  children,
}: {
  list: Paged<T>;
  noun: string;
  children: (items: T[]) => ReactNode;
}) {
  if (list.isPending) return <p role="status">Loading {noun}…</p>;
  if (list.isError) {
    return (
      <div role="alert" className="flex flex-col items-start gap-2 text-sm">
        <p className="text-red-700 dark:text-red-400">{list.error.message}</p>
        <Button variant="secondary" onClick={() => list.refetch()}>
          Try again
        </Button>
      </div>
    );
  }
  const items = list.data.pages.flatMap((page) => page.items);
  if (items.length === 0) return <p className="text-sm text-zinc-600 dark:text-zinc-400">No {noun} match.</p>;
  return (
    <div className="flex flex-col gap-3">
      {children(items)}
      {list.hasNextPage && (
        <Button
          variant="secondary"
          className="self-start"
          disabled={list.isFetchingNextPage}
          onClick={() => list.fetchNextPage()}
        >
          {list.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </Button>
      )}
    </div>
  );
}

const tableClass = 'w-full border-collapse text-left text-sm';
const headCellClass = 'border-b border-zinc-200 px-2 py-2 font-medium whitespace-nowrap dark:border-zinc-800';
export const cellClass = 'border-b border-zinc-100 px-2 py-2 align-top dark:border-zinc-900';
const selectClass =
  'rounded-md border border-zinc-300 bg-white px-2 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-900';

/** A labelled select for a filter form. */
export function SelectField({
  label,
  name,
  options,
  defaultValue = '',
}: {
  label: string;
  name: string;
  options: readonly (readonly [value: string, label: string])[];
  defaultValue?: string;
}) {
  return (
    <label className="flex flex-col gap-1.5 text-sm font-medium">
      {label}
      <select name={name} defaultValue={defaultValue} className={selectClass}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** A filter form's values: every field as text, blank ones included (filterQuery drops them). */
export const formFilters = (form: HTMLFormElement): Record<string, string> =>
  Object.fromEntries([...new FormData(form).entries()].map(([key, value]) => [key, String(value)]));

/** An admin list's table: it scrolls sideways on a narrow screen; a `{ hidden }` heading is for screen readers only. */
export function AdminTable({
  caption,
  headings,
  children,
}: {
  caption: string;
  headings: readonly (string | { hidden: string })[];
  children: ReactNode;
}) {
  return (
    <div className="overflow-x-auto">
      <table className={tableClass}>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {headings.map((heading) =>
              typeof heading === 'string' ? (
                <th key={heading} className={headCellClass}>
                  {heading}
                </th>
              ) : (
                <th key={heading.hidden} className={headCellClass}>
                  <span className="sr-only">{heading.hidden}</span>
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A list's filter form: its fields' values go to `onApply` when submitted. */
export function FilterForm({
  label,
  className,
  onApply,
  children,
}: {
  label: string;
  className: string;
  onApply: (filters: Record<string, string>) => void;
  children: ReactNode;
}) {
  return (
    <form
      aria-label={label}
      className={className}
      onSubmit={(event) => {
        event.preventDefault();
        onApply(formFilters(event.currentTarget));
      }}
    >
      {children}
    </form>
  );
}
