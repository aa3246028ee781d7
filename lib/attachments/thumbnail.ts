import sharp from 'sharp';

export interface ThumbnailConfig {
  width: number;
  height: number;
  /** Largest encoded thumbnail kept. */
  maxBytes: number;
  /** Largest source, in header pixels, that is decoded at all. */
  maxPixels: number;
  /** Cap on both the compressed input and the decoded RGBA bitmap. */
  maxDecodeBytes: number;
}

export const DEFAULT_THUMBNAIL_CONFIG: ThumbnailConfig = Object.freeze({
  width: 128,
  height: 128,
  maxBytes: 131_072,
  maxPixels: 100_000_000,
  maxDecodeBytes: 33_554_432,
});

export interface Thumbnail {
  contentType: 'image/webp';
  bytes: Buffer;
  width: number;
  height: number;
}

/** The allowlisted image types. libvips can also load SVG, TIFF, HEIF…; nothing else gets decoded. */
const DECODABLE_FORMATS = new Set(['png', 'jpeg', 'webp', 'gif']);

/**
 * Best effort: any failure means no thumbnail, never a failed upload. sharp runs
 * libvips on the libuv thread pool, so neither decoding nor encoding blocks the event loop.
 */
export async function makeThumbnail(
  input: Uint8Array,
  config: ThumbnailConfig = DEFAULT_THUMBNAIL_CONFIG,
): Promise<Thumbnail | null> {
  if (input.byteLength > config.maxDecodeBytes) return null;
  // sharp enforces the pixel limit itself too, as a second guard behind the header checks below.
  const options = { limitInputPixels: config.maxPixels };
  try {
    // metadata() reads only the header, so a decompression bomb is refused before any bitmap exists.
    const { format, width, height } = await sharp(input, options).metadata();
    if (!DECODABLE_FORMATS.has(format) || !width || !height) return null;
    const pixels = width * height;
    if (pixels > config.maxPixels || pixels * 4 > config.maxDecodeBytes) return null;

    const { data, info } = await sharp(input, options)
      .rotate() // applies the EXIF orientation, so the thumbnail looks the way the photo does
      .resize(config.width, config.height, { fit: 'inside', withoutEnlargement: true })
      .webp() // metadata (EXIF, ICC, XMP) is dropped because withMetadata/keep* are never called
      .toBuffer({ resolveWithObject: true });
    if (data.byteLength > config.maxBytes) return null;
    return { contentType: 'image/webp', bytes: data, width: info.width, height: info.height };
  } catch {
    return null;
  }
}
