'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { buttonClassName } from '@/components/ui/button';
import { adminSections } from './sections';

/** The sidebar's way into the admin console; the layout renders it for admins only. */
export function AdminLink() {
  const inAdmin = usePathname().startsWith('/admin');
  return (
    <div className="px-3 pb-3">
      <Link
        href={adminSections[0]?.href ?? '/admin'}
        aria-current={inAdmin ? 'page' : undefined}
        className={buttonClassName(
          'secondary',
          'w-full justify-center aria-[current=page]:bg-zinc-200 dark:aria-[current=page]:bg-zinc-800',
        )}
      >
        Admin
      </Link>
    </div>
  );
}
