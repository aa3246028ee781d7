/**
 * The admin console's pages, in the order of its navigation. A page is listed once it exists;
 * the sidebar's admin link opens the first one.
 */
export const adminSections: readonly { href: string; label: string }[] = [
  { href: '/admin', label: 'Overview' },
  { href: '/admin/attachments', label: 'Attachments' },
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/audit', label: 'Audit' },
  { href: '/admin/settings', label: 'Settings' },
  { href: '/admin/retention', label: 'Retention' },
];
