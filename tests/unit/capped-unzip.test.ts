import { strToU8, Zip, ZipDeflate, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DocumentTooComplex } from '@/lib/file-stores/local/sandbox/protocol.mjs';
import { unzipCapped } from '@/lib/file-stores/local/sandbox/unzip.mjs';
import { zipArchive, zipEntry } from '@/tests/support/hostile-files';

const MiB = 1024 * 1024;
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString() : undefined);

/** Runs unzipCapped and records every entry name it was asked about, in order. */
function unzip(archive: Uint8Array, wanted: string[], maxBytes: number) {
  const seen: string[] = [];
  const run = () =>
    unzipCapped(
      archive,
      (name) => {
        seen.push(name);
        return wanted.includes(name);
      },
      maxBytes,
    );
  return { run, seen };
}

describe('unzipCapped', () => {
  it('inflates the wanted entries only', () => {
    const archive = zipSync({
      'a.xml': strToU8('<a>first</a>'),
      'b.bin': [strToU8('stored, not deflated'), { level: 0 }],
      'c.xml': strToU8('<c>not wanted</c>'),
    });
    const files = unzipCapped(archive, (name) => name !== 'c.xml', MiB);
    expect([...files.keys()]).toEqual(['a.xml', 'b.bin']);
    expect(text(files.get('a.xml'))).toBe('<a>first</a>');
    expect(text(files.get('b.bin'))).toBe('stored, not deflated');
  });

  it('reads entries whose sizes follow their data (data descriptors), as streaming writers make them', () => {
    const parts: Uint8Array[] = [];
    const zip = new Zip((err, data) => {
      if (err) throw err;
      parts.push(data);
    });
    const entry = new ZipDeflate('word/document.xml', { level: 6 });
    zip.add(entry);
    entry.push(strToU8('<w:t>streamed '));
    entry.push(strToU8('in two parts</w:t>'), true);
    zip.end();
    const files = unzipCapped(Buffer.concat(parts), () => true, MiB);
    expect(text(files.get('word/document.xml'))).toBe('<w:t>streamed in two parts</w:t>');
  });

  it('an entry that is not wanted does not count against the cap, however far it would inflate', () => {
    const archive = zipArchive([
      zipEntry('bomb.xml', '<x>', { block: 'A', mb: 64 }, '</x>'),
      zipEntry('slide.xml', '<slide/>'),
    ]);
    const files = unzipCapped(archive, (name) => name === 'slide.xml', MiB);
    expect(text(files.get('slide.xml'))).toBe('<slide/>');
  });

  it('stops at the cap on bytes actually inflated, though the archive declares 1 KiB', () => {
    const archive = zipArchive(
      [zipEntry('bomb.xml', '<x>', { block: 'A', mb: 64 }, '</x>'), zipEntry('after.xml', '<after/>')],
      { declaredSize: 1024 },
    );
    expect(archive.length).toBeLessThan(200 * 1024);
    const { run, seen } = unzip(archive, ['bomb.xml', 'after.xml'], 8 * MiB);
    expect(run).toThrow(DocumentTooComplex);
    // It stopped inside the bomb: the entry behind it was never reached.
    expect(seen).toEqual(['bomb.xml']);
  });

  it('allows exactly the cap and not a byte more, counting every wanted entry together', () => {
    const entries = [zipEntry('one.xml', 'x'.repeat(1000)), zipEntry('two.xml', 'y'.repeat(500))];
    for (const declaredSize of [undefined, 1]) {
      const archive = zipArchive(entries, { declaredSize });
      expect(text(unzipCapped(archive, () => true, 1500).get('two.xml'))).toBe('y'.repeat(500));
      expect(() => unzipCapped(archive, () => true, 1499)).toThrow(DocumentTooComplex);
      // Either entry alone fits.
      expect(unzipCapped(archive, (name) => name === 'one.xml', 1499).size).toBe(1);
    }
  });

  it('refuses what is not a ZIP archive, or is cut short, as malformed rather than too complex', () => {
    const archive = zipSync({ 'a.xml': strToU8('<a>'.repeat(10_000)) });
    for (const broken of [strToU8('not a zip'), new Uint8Array(0), archive.subarray(0, archive.length / 2)]) {
      let thrown: unknown;
      try {
        unzipCapped(broken, () => true, MiB);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(Error);
      expect(thrown).not.toBeInstanceOf(DocumentTooComplex);
    }
  });
});
