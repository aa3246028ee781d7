import { apiRoute } from '@/app/api/_lib/route';
import { csvResponse } from '@/lib/admin/csv';
import { exportInventory, INVENTORY_CSV_HEADER, inventoryCsvCells } from '@/lib/admin/inventory';

export const GET = apiRoute(async ({ request, db, caller }) =>
  csvResponse(
    'attachments.csv',
    INVENTORY_CSV_HEADER,
    inventoryCsvCells,
    exportInventory(db, caller, new URL(request.url).searchParams),
  ),
);
