import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * Real English prose for the retrieval test and bench: the gzip-compressed documentation under
 * /usr/share/doc (changelogs, NEWS, READMEs), which most Linux machines carry. Taken in path
 * order, each distinct file once, then again from the start. A machine without it gets
 * generated sentences instead, so nothing that uses this depends on what is installed.
 */
export class DocText {
  private readonly files: string[];
  private next = 0;
  private readonly seen = new Set<string>();
  /** True when the machine had none of the documentation and the text is generated. */
  readonly generated: boolean;
  private sentence = 0;

  constructor(root = '/usr/share/doc') {
    this.files = gzipFiles(root);
    this.generated = this.files.length === 0;
  }

  /** The next `bytes` (UTF-8, at most) of text: whole files, the last one cut at a line break. */
  take(bytes: number): string {
    const parts: string[] = [];
    let size = 0;
    let misses = 0;
    while (size < bytes) {
      const text = this.generated ? this.paragraph() : this.nextFile();
      if (text === undefined) {
        // Every file was read or refused: the text repeats from the first file.
        if (++misses > 1) throw new Error('no readable text under the documentation folder');
        this.next = 0;
        this.seen.clear();
        continue;
      }
      misses = 0;
      const room = bytes - size;
      const length = Buffer.byteLength(text);
      if (length <= room) {
        parts.push(text);
        size += length + 2;
      } else {
        const head = Buffer.from(text).subarray(0, room).toString('utf8');
        parts.push(head.slice(0, Math.max(head.lastIndexOf('\n'), 0)));
        break;
      }
    }
    return parts.join('\n\n').trimEnd();
  }

  private nextFile(): string | undefined {
    while (this.next < this.files.length) {
      const file = this.files[this.next++] as string;
      let bytes: Buffer;
      try {
        bytes = gunzipSync(readFileSync(file));
      } catch {
        continue;
      }
      // Binary files, and the many copies of one changelog that several packages ship.
      if (!isUtf8(bytes) || bytes.includes(0) || bytes.length === 0) continue;
      const hash = createHash('sha1').update(bytes).digest('hex');
      if (this.seen.has(hash)) continue;
      this.seen.add(hash);
      return bytes.toString('utf8');
    }
    return undefined;
  }

  private paragraph(): string {
    return Array.from({ length: 6 }, () => generatedSentence(this.sentence++)).join(' ');
  }
}

function gzipFiles(root: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(root, { recursive: true, encoding: 'utf8' });
  } catch {
    return [];
  }
  return entries
    .filter((name) => name.endsWith('.gz') && !/\.(pdf|ps|dvi|sym)\.gz$/.test(name))
    .sort()
    .map((name) => path.join(root, name));
}

const SUBJECTS = [
  'the parser',
  'this release',
  'the build',
  'each option',
  'the daemon',
  'a user',
  'the manual',
];
const VERBS = ['fixes', 'documents', 'changes', 'removes', 'adds', 'reports', 'handles', 'updates'];
const OBJECTS = [
  'a crash on startup',
  'the default timeout',
  'memory leaks in the cache',
  'support for long file names',
  'the configuration file format',
  'warnings about deprecated flags',
  'translations for several languages',
  'the locale handling',
  'signal handling on exit',
  'an off-by-one error in the lexer',
];

/** Changelog-like sentences, varied by their number alone so the text is the same on every run. */
function generatedSentence(n: number): string {
  const pick = <T>(list: T[], k: number) => list[k % list.length] as T;
  return `${pick(SUBJECTS, n)} ${pick(VERBS, n * 7 + 3)} ${pick(OBJECTS, n * 13 + 5)} in version ${n % 97}.${n % 13}.`.replace(
    /^./,
    (c) => c.toUpperCase(),
  );
}
