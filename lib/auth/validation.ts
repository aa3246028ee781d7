import { z } from 'zod';
import { userRoles } from '@/lib/db/schema';

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'Enter a valid email address.' }).max(320));

export const passwordSchema = z
  .string()
  .min(8, { message: 'Passwords need at least 8 characters.' })
  .max(256, { message: 'Passwords can have at most 256 characters.' });

export const tenantSlugSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
    message: 'Use 1 to 63 lowercase letters, digits and inner hyphens.',
  });

export const roleSchema = z.enum(userRoles);

export const organisationNameSchema = z
  .string()
  .trim()
  .min(1, { message: 'Name your organisation.' })
  .max(255, { message: 'Organisation names can have at most 255 characters.' });
