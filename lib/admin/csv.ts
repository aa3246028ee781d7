/**
 * One CSV cell. A cell a spreadsheet would read as a formula (=, +, -, @, tab, CR) is prefixed
 * with an apostrophe, so a file named `=HYPERLINK(…)` stays text when an admin opens the export.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== value ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvRow = (cells: readonly (string | number | boolean | null | undefined)[]): string =>
  `${cells.map(csvCell).join(',')}\r\n`;

/**
 * A CSV download streamed page by page: `nextPage` is asked for the next rows only when the client
 * has read the previous ones, so memory stays flat however many rows the export has.
 */
export function csvResponse<Row>(
  filename: string,
  header: readonly string[],
  toCells: (row: Row) => readonly (string | number | boolean | null | undefined)[],
  pages: AsyncIterable<Row[]>,
): Response {
  const encoder = new TextEncoder();
  const iterator = pages[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvRow(header)));
    },
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(next.value.map((row) => csvRow(toCells(row))).join('')));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}
