import { strToU8, zipSync } from 'fflate';
import sharp from 'sharp';

/** Small real files of each kind the upload pipeline tells apart. */

export const png = (width = 64, height = 32) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 40, b: 40 } } })
    .png()
    .toBuffer();

/** A photo as a phone sends it: a JPEG. */
export const jpeg = (width = 64, height = 48) =>
  sharp({ create: { width, height, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .jpeg()
    .toBuffer();

/**
 * A PDF with one page per argument, each page's text layer saying it (ASCII, no parentheses),
 * wrapped at spaces into lines that fit the page.
 */
export function pdf(...pages: string[]): Buffer {
  // Objects 1–3 are the catalog, the page tree and the font; then each page and its content.
  const pageId = (i: number) => 4 + i * 2;
  const objects = [
    '<</Type/Catalog/Pages 2 0 R>>',
    `<</Type/Pages/Kids[${pages.map((_, i) => `${pageId(i)} 0 R`).join(' ')}]/Count ${pages.length}>>`,
    '<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>',
    ...pages.flatMap((text, i) => {
      const lines = text.match(/.{1,80}(?: |$)/g) ?? [];
      const stream = `BT /F1 10 Tf 12 TL 72 740 Td ${lines.map((line) => `(${line.trimEnd()}) '`).join(' ')} ET`;
      return [
        `<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents ${pageId(i) + 1} 0 R/Resources<</Font<</F1 3 0 R>>>>>>`,
        `<</Length ${stream.length}>>stream\n${stream}\nendstream`,
      ];
    }),
  ];
  return Buffer.from(
    [
      '%PDF-1.4',
      ...objects.map((body, i) => `${i + 1} 0 obj${body}\nendobj`),
      'trailer<</Root 1 0 R>>',
      '%%EOF',
    ].join('\n'),
  );
}

/** A minimal workbook package, as Office lays it out ([Content_Types].xml first). */
export function xlsx(): Buffer {
  const contentTypes =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>';
  return Buffer.from(
    zipSync({ '[Content_Types].xml': strToU8(contentTypes), 'xl/workbook.xml': strToU8('<workbook/>') }),
  );
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
