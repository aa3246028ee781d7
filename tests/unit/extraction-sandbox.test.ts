import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { passages } from '@/lib/file-stores/local/extract';
import { loadExtractionLimits } from '@/lib/file-stores/local/extract-config';
import { docxBomb, longDocx, longPdf, pdfBomb } from '@/tests/support/hostile-files';
import { pdf } from '@/tests/support/sample-files';

/** Every sandbox the module under test starts, as it ends. */
const sandboxes = vi.hoisted(() => ({
  started: 0,
  running: 0,
  mostAtOnce: 0,
  signals: [] as (string | null)[],
}));

vi.mock('node:child_process', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:child_process')>();
  const spawn = (...args: Parameters<typeof actual.spawn>): ChildProcess => {
    const child = actual.spawn(...args);
    sandboxes.started++;
    sandboxes.running++;
    sandboxes.mostAtOnce = Math.max(sandboxes.mostAtOnce, sandboxes.running);
    child.on('exit', (_code, signal) => {
      sandboxes.running--;
      sandboxes.signals.push(signal);
    });
    return child;
  };
  return { ...actual, spawn };
});

const DEFAULTS = loadExtractionLimits({});
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'mini-chat-sandbox-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));
beforeEach(() => {
  Object.assign(sandboxes, { started: 0, running: 0, mostAtOnce: 0, signals: [] });
});

let files = 0;
async function stored(ext: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, `${++files}.${ext}`);
  await writeFile(file, content);
  return file;
}

describe('text extraction in a sandbox process', () => {
  it('returns the passages of each kind, a long honest document included', async () => {
    const docx = await passages(await stored('docx', longDocx(3000, 'Zanzibar closes the document.')));
    expect('chunks' in docx && docx.chunks.at(-1)?.content).toContain('Zanzibar closes the document.');
    expect(await passages(await stored('pdf', pdf('Hello refund policy')))).toEqual({
      chunks: [{ content: 'Hello refund policy', page: 1 }],
    });
    expect(await passages(await stored('html', '<p>Refunds &amp; returns</p>'))).toEqual({
      chunks: [{ content: 'Refunds & returns' }],
    });
    expect(sandboxes.started).toBe(3);
    expect(sandboxes.signals).toEqual([null, null, null]);
  });

  it('keeps the failure codes: unsupported without a sandbox, no text, unreadable', async () => {
    expect(await passages(await stored('xlsx', 'PK'))).toEqual({ error: 'unsupported_file' });
    expect(sandboxes.started).toBe(0);
    expect(await passages(await stored('txt', ' \n\t '))).toEqual({ error: 'no_text' });
    expect(await passages(await stored('pdf', 'this is not a pdf'))).toEqual({ error: 'extraction_failed' });
    expect(await passages(await stored('docx', 'not a zip either'))).toEqual({ error: 'extraction_failed' });
    expect(await passages(path.join(dir, 'missing.txt'))).toEqual({ error: 'extraction_failed' });
  });

  it('refuses a DOCX bomb at the unpacked-bytes cap', async () => {
    const file = await stored('docx', docxBomb(200, 'one run'));
    expect(await passages(file)).toEqual({ error: 'document_too_complex' });
    // The sandbox stopped itself and said why.
    expect(sandboxes.signals).toEqual([null]);
  });

  it('kills a PDF bomb at the memory cap', async () => {
    const file = await stored('pdf', pdfBomb(400));
    expect(await passages(file)).toEqual({ error: 'document_too_complex' });
    expect(sandboxes.signals).toEqual(['SIGKILL']);
  });

  it('kills a sandbox at the time limit', async () => {
    const file = await stored('pdf', longPdf(400, 'never reached'));
    expect(await passages(file, { ...DEFAULTS, timeoutMs: 300 })).toEqual({ error: 'document_too_complex' });
    expect(sandboxes.signals).toEqual(['SIGKILL']);
  });

  it('refuses more text than the text limit', async () => {
    const file = await stored('docx', longDocx(3000, 'end'));
    expect(await passages(file, { ...DEFAULTS, maxTextBytes: 64 * 1024 })).toEqual({
      error: 'document_too_complex',
    });
  });

  it('runs at most maxConcurrent sandboxes at once; the others wait their turn', async () => {
    const docs = await Promise.all(
      Array.from({ length: 5 }, (_, i) => stored('docx', longDocx(300, `Document ${i} ends here.`))),
    );
    const outcomes = await Promise.all(docs.map((file) => passages(file, { ...DEFAULTS, maxConcurrent: 2 })));
    outcomes.forEach((outcome, i) => {
      expect('chunks' in outcome && outcome.chunks.at(-1)?.content).toContain(`Document ${i} ends here.`);
    });
    expect(sandboxes.started).toBe(5);
    expect(sandboxes.mostAtOnce).toBe(2);
  });
});
