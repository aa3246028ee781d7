'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { adminSections } from './sections';

/** The admin console's tabs; the current page's is marked for assistive technology too. */
export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Admin" className="border-b border-zinc-200 px-4 dark:border-zinc-800">
      <ul className="flex flex-wrap gap-1">
        {adminSections.map(({ href, label }) => (
          <li key={href}>
            <Link
              href={href}
              aria-current={pathname === href ? 'page' : undefined}
              className="inline-block border-b-2 border-transparent px-3 py-2 text-sm text-zinc-600 hover:text-zinc-900 aria-[current=page]:border-blue-600 aria-[current=page]:font-medium aria-[current=page]:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100 dark:aria-[current=page]:text-zinc-100"
            >
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
