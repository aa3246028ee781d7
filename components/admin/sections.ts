/**
 * The admin console's pages, in the order of its navigation. A page is listed once it exists;
 * the sidebar's admin link opens the first one.
 */
export const adminSections: readonly { href: string; label: string }[] = [
  { href: '/admin/attachments', label: 'Attachments' },
  { href: '/admin/users', label: 'Users' },
  { href: '/admin/audit', label: 'Audit' },
];
