import { apiRoute } from '@/app/api/_lib/route';
import { retryDeadJobs } from '@/lib/admin/overview';
import { json } from '@/lib/http/json';

export const POST = apiRoute(async ({ caller, db, requestId }) =>
  json(await retryDeadJobs(db, caller, requestId)),
);
