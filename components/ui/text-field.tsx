import { type ComponentProps, useId } from 'react';

type TextFieldProps = Omit<ComponentProps<'input'>, 'id'> & {
  label: string;
  /** Shown under the field until there is an error. */
  hint?: string;
  error?: string;
};

/** A labelled input with its hint or error wired up through aria-describedby. */
export function TextField({ label, hint, error, className = '', ...inputProps }: TextFieldProps) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = error ?? hint;
  return (
    <div className={`flex flex-col gap-1.5 ${className}`}>
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={note ? noteId : undefined}
        className="w-full rounded-md border border-zinc-300 bg-white px-3 py-2 text-sm text-zinc-900 placeholder:text-zinc-400 aria-invalid:border-red-600 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:aria-invalid:border-red-400"
        {...inputProps}
      />
      {note && (
        <p
          id={noteId}
          className={
            error ? 'text-sm text-red-700 dark:text-red-400' : 'text-sm text-zinc-600 dark:text-zinc-400'
          }
        >
          {note}
        </p>
      )}
    </div>
  );
}
