import type { ComponentProps } from 'react';

const variants = {
  primary:
    'bg-blue-600 px-4 py-2 text-white hover:bg-blue-700 disabled:bg-blue-600/50 dark:hover:bg-blue-500',
  secondary:
    'border border-zinc-300 bg-white px-4 py-2 text-zinc-900 hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-zinc-800',
  danger: 'bg-red-600 px-4 py-2 text-white hover:bg-red-700 disabled:bg-red-600/50 dark:hover:bg-red-500',
  icon: 'size-8 pointer-coarse:size-10 justify-center text-zinc-600 hover:bg-zinc-200 hover:text-zinc-900 disabled:opacity-50 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100',
} as const;

type ButtonVariant = keyof typeof variants;

export const buttonClassName = (variant: ButtonVariant = 'primary', extra = '') =>
  `inline-flex shrink-0 items-center gap-2 rounded-md text-sm font-medium transition-colors disabled:cursor-not-allowed ${variants[variant]} ${extra}`;

type ButtonProps = ComponentProps<'button'> & { variant?: ButtonVariant };

/** A button; `type` defaults to "button" so only an explicit submit button submits a form. */
export function Button({ variant, className, type = 'button', ...props }: ButtonProps) {
  return <button type={type} className={buttonClassName(variant, className)} {...props} />;
}
