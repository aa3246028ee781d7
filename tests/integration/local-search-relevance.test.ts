import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalFileStore, searchLocalStore } from '@/lib/file-stores/local';
import type { FileStore } from '@/lib/file-stores/ports';
import { getDb } from '@/lib/runtime';
import { DocText } from '@/tests/support/doc-text';

/**
 * Questions whose answer is a known passage, among about a megabyte of real documentation (the
 * changelogs and NEWS files under /usr/share/doc, or generated text on a machine without them):
 * the answer must be the first passage the local index returns. The answers are planted in the
 * documents; the surrounding text shares their common words ("key", "new", "release", "fix"...)
 * in hundreds of passages, and one planted decoy repeats a question's common word many times.
 */
const CASES = [
  {
    question: 'How do I rotate the signing keys without downtime?',
    answer:
      'Signing keys can be rotated without downtime: publish the new key next to the old one, wait for every cache to expire, then retire the old key with fernctl keys retire.',
  },
  {
    question: 'Which port does the metrics exporter listen on?',
    answer: 'The Fernwood metrics exporter listens on port 9464 unless FERN_METRICS_PORT names another one.',
  },
  {
    question: 'Why were the nightly backups failing?',
    answer:
      'The nightly backups failed because the storage credential had expired; backup jobs now renew it an hour before it lapses.',
  },
  {
    question: 'How long are deleted chats kept before they are purged?',
    answer: 'Deleted chats are kept for thirty days, then a purge job removes them and their files for good.',
  },
  {
    question: 'Which signing algorithm does the release pipeline use?',
    answer:
      'The release pipeline signs every artifact with the Ed25519 algorithm; RSA signatures were dropped in Fernwood 4.0.',
  },
];

/** Says "signing" over and over, and nothing else of the questions. */
const DECOY =
  'Signing, signing and more signing: the signing code was reorganised, the signing options were renamed, and signing got new tests.';

const DOCUMENT_BYTES = 350_000;

let root: string;
let store: FileStore;
let vectorStoreId: string;

/** Real text with the planted paragraphs spread through it, each its own paragraph. */
function documentWith(source: DocText, planted: string[]): string {
  const paragraphs = source.take(DOCUMENT_BYTES).split('\n\n');
  planted.forEach((paragraph, i) => {
    paragraphs.splice(Math.floor(((i + 1) * paragraphs.length) / (planted.length + 1)), 0, paragraph);
  });
  return paragraphs.join('\n\n');
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mini-chat-relevance-'));
  store = createLocalFileStore({ db: getDb, storageDir: root });
  vectorStoreId = await store.vectorStores.create();
  const source = new DocText();
  const answers = CASES.map((c) => c.answer);
  const documents = [
    documentWith(source, [answers[0] as string, DECOY]),
    documentWith(source, [answers[1] as string, answers[2] as string]),
    documentWith(source, [DECOY, answers[3] as string, answers[4] as string]),
  ];
  for (const text of documents) {
    const { providerFileId } = await store.files.upload({
      filename: `${randomUUID()}_${randomUUID()}.txt`,
      contentType: 'text/plain',
      body: (async function* () {
        yield Buffer.from(text);
      })(),
    });
    await store.vectorStores.addFile(vectorStoreId, providerFileId, { attachment_id: randomUUID() });
    expect(await store.vectorStores.fileStatus(vectorStoreId, providerFileId)).toEqual({
      status: 'completed',
    });
  }
}, 180_000);

afterAll(() => rm(root, { recursive: true, force: true }));

describe('local search relevance', () => {
  it.each(CASES)('answers "$question" with its passage first', async ({ question, answer }) => {
    const [first] = await searchLocalStore(await getDb(), vectorStoreId, question, { limit: 4 });
    expect(first?.content).toContain(answer);
  });

  // A budget this small makes most of the corpus's words "common": the search reads only the
  // passages of its rarest words, or of all its words, as it does in a chat of 100 MiB.
  it.each(CASES)(
    'still answers "$question" first when it may read only a few passages',
    async ({ question, answer }) => {
      const [first] = await searchLocalStore(await getDb(), vectorStoreId, question, {
        limit: 4,
        candidateBudget: 40,
      });
      expect(first?.content).toContain(answer);
    },
  );
});
