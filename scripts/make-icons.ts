/**
 * Draws the app's icons from public/icon.svg: the favicon, the web manifest's icons and the Apple
 * touch icon. Run it after changing the SVG (`node --import tsx scripts/make-icons.ts`) and commit
 * the files it writes; the app serves them as they are.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

const PUBLIC = path.join(import.meta.dirname, '..', 'public');

const render = (svg: Buffer, size: number) =>
  sharp(svg, { density: 300 }).resize(size, size).png().toBuffer();

/** An .ico holding PNG images, which every browser that still asks for /favicon.ico reads. */
function ico(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0); // reserved
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0); // width (0 means 256)
    entry.writeUInt8(size >= 256 ? 0 : size, 1); // height
    entry.writeUInt8(0, 2); // no palette
    entry.writeUInt8(0, 3); // reserved
    entry.writeUInt16LE(1, 4); // colour planes
    entry.writeUInt16LE(32, 6); // bits per pixel
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    return entry;
  });
  return Buffer.concat([header, ...entries, ...images.map((image) => image.png)]);
}

const svg = await readFile(path.join(PUBLIC, 'icon.svg'));
const favicon = await Promise.all([16, 32, 48].map(async (size) => ({ size, png: await render(svg, size) })));
await writeFile(path.join(PUBLIC, 'favicon.ico'), ico(favicon));
for (const [name, size] of [
  ['icon-192.png', 192],
  ['icon-512.png', 512],
] as const) {
  await writeFile(path.join(PUBLIC, name), await render(svg, size));
}
// iOS rounds the corners itself and shows transparent ones black: this one is square and opaque.
const touch = await sharp(await render(svg, 180))
  .flatten({ background: '#18181b' })
  .png()
  .toBuffer();
await writeFile(path.join(PUBLIC, 'apple-touch-icon.png'), touch);
console.error(`icons written to ${PUBLIC}`);
