import { apiRoute } from '@/app/api/_lib/route';
import { AUDIT_CSV_HEADER, auditCsvCells, exportAudit } from '@/lib/admin/audit-log';
import { csvResponse } from '@/lib/admin/csv';

export const GET = apiRoute(async ({ request, db, caller }) =>
  csvResponse(
    'audit-log.csv',
    AUDIT_CSV_HEADER,
    auditCsvCells,
    exportAudit(db, caller, new URL(request.url).searchParams),
  ),
);
