import sharp from 'sharp';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_THUMBNAIL_CONFIG, makeThumbnail, type ThumbnailConfig } from '@/lib/attachments/thumbnail';
import { blackPng } from '@/tests/support/hostile-files';

const config = (overrides: Partial<ThumbnailConfig>): ThumbnailConfig => ({
  ...DEFAULT_THUMBNAIL_CONFIG,
  ...overrides,
});

const solidPng = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 255, g: 0, b: 0 } } })
    .png()
    .toBuffer();

const ascii = (bytes: Uint8Array, from: number, to: number) =>
  Buffer.from(bytes.subarray(from, to)).toString('latin1');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('makeThumbnail (upstream cases)', () => {
  it('turns a valid PNG into a WebP inside 128×128', async () => {
    const thumb = await makeThumbnail(await solidPng(2, 2));
    expect(thumb).not.toBeNull();
    if (!thumb) return;
    expect(thumb.contentType).toBe('image/webp');
    expect(thumb.width).toBeLessThanOrEqual(128);
    expect(thumb.height).toBeLessThanOrEqual(128);
    expect(thumb.bytes.length).toBeGreaterThanOrEqual(12);
    expect(ascii(thumb.bytes, 0, 4)).toBe('RIFF');
    expect(ascii(thumb.bytes, 8, 12)).toBe('WEBP');
  });

  it('returns null for corrupt data', async () => {
    expect(await makeThumbnail(Buffer.from('not an image'))).toBeNull();
    const png = await solidPng(50, 50);
    expect(await makeThumbnail(png.subarray(0, png.length / 2))).toBeNull();
    expect(await makeThumbnail(new Uint8Array(0))).toBeNull();
  });

  it('returns null when the input exceeds the decode limit', async () => {
    const png = await solidPng(2, 2);
    expect(await makeThumbnail(png, config({ maxDecodeBytes: 10 }))).toBeNull();
    expect(await makeThumbnail(png, config({ maxDecodeBytes: png.length }))).not.toBeNull();
  });

  it('returns null when the image has more pixels than allowed', async () => {
    const png = await solidPng(2, 2);
    expect(await makeThumbnail(png, config({ maxPixels: 1 }))).toBeNull();
    expect(await makeThumbnail(png, config({ maxPixels: 4 }))).not.toBeNull();
  });

  it('returns null when the encoded thumbnail exceeds max bytes', async () => {
    const png = await solidPng(2, 2);
    expect(await makeThumbnail(png, config({ maxBytes: 1 }))).toBeNull();
    const thumb = await makeThumbnail(png);
    expect(thumb).not.toBeNull();
    expect(await makeThumbnail(png, config({ maxBytes: thumb?.bytes.length ?? 0 }))).not.toBeNull();
  });

  it('fits a wide image inside the box, keeping its aspect ratio', async () => {
    for (const [width, height] of [
      [256, 128],
      [1000, 500],
    ]) {
      const thumb = await makeThumbnail(await solidPng(width as number, height as number));
      expect([thumb?.width, thumb?.height]).toEqual([128, 64]);
    }
  });
});

describe('makeThumbnail beyond upstream', () => {
  it('reports the real dimensions of the encoded WebP', async () => {
    const thumb = await makeThumbnail(await solidPng(90, 300), config({ width: 60, height: 60 }));
    expect(thumb).not.toBeNull();
    if (!thumb) return;
    const meta = await sharp(thumb.bytes).metadata();
    expect(meta.format).toBe('webp');
    expect([thumb.width, thumb.height]).toEqual([18, 60]);
    expect([meta.width, meta.height]).toEqual([thumb.width, thumb.height]);
  });

  it('never enlarges a small image', async () => {
    const thumb = await makeThumbnail(await solidPng(20, 10));
    expect([thumb?.width, thumb?.height]).toEqual([20, 10]);
  });

  it('applies the EXIF orientation and strips EXIF and ICC metadata', async () => {
    const photo = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#36c' } })
      .jpeg()
      .withIccProfile('p3')
      .withMetadata({ orientation: 6 })
      .withExif({ IFD0: { Copyright: 'someone', Artist: 'camera owner' } })
      .toBuffer();
    const source = await sharp(photo).metadata();
    expect(source.orientation).toBe(6);
    expect(source.exif).toBeDefined();
    expect(source.icc).toBeDefined();

    const thumb = await makeThumbnail(photo);
    expect([thumb?.width, thumb?.height]).toEqual([64, 128]);
    const out = await sharp(thumb?.bytes).metadata();
    expect([out.width, out.height]).toEqual([64, 128]);
    expect(out.exif).toBeUndefined();
    expect(out.icc).toBeUndefined();
    expect(out.xmp).toBeUndefined();
    expect(out.orientation).toBeUndefined();
  });

  it('decodes only the allowlisted image formats', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><rect width="40" height="40"/></svg>',
    );
    expect(await sharp(svg).metadata()).toMatchObject({ format: 'svg', width: 40 });
    expect(await makeThumbnail(svg)).toBeNull();
    const tiff = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } })
      .tiff()
      .toBuffer();
    expect(await makeThumbnail(tiff)).toBeNull();
  });

  it('thumbnails the crafted PNG when it is small, so the bomb cases below test the guards', async () => {
    const thumb = await makeThumbnail(blackPng(300, 150));
    expect([thumb?.width, thumb?.height]).toEqual([128, 64]);
  });

  it('refuses a 20000×20000 bomb from its header without decoding it', async () => {
    const bomb = blackPng(20_000, 20_000);
    expect(bomb.length).toBeLessThan(256 * 1024);
    const metadata = vi.spyOn(sharp.prototype, 'metadata');
    const decode = vi.spyOn(sharp.prototype, 'toBuffer');
    expect(await makeThumbnail(bomb)).toBeNull();
    expect(metadata).toHaveBeenCalledTimes(1);
    // With sharp's own pixel limit out of the way, the RGBA budget still stops it.
    expect(await makeThumbnail(bomb, config({ maxPixels: 1_000_000_000 }))).toBeNull();
    expect(metadata).toHaveBeenCalledTimes(2);
    expect(decode).not.toHaveBeenCalled();
  });

  it('refuses an image within the pixel limit whose RGBA bitmap would exceed the decode budget', async () => {
    const bomb = blackPng(6_000, 6_000); // 36 Mpx < 100 Mpx, but 144 MB of RGBA > 32 MiB
    const decode = vi.spyOn(sharp.prototype, 'toBuffer');
    expect(await makeThumbnail(bomb)).toBeNull();
    expect(decode).not.toHaveBeenCalled();
    expect(await makeThumbnail(blackPng(2_000, 2_000))).not.toBeNull(); // 16 MB of RGBA fits
  });
});
