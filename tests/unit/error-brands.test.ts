import { describe, expect, it, vi } from 'vitest';

// Next loads lib/ once per bundle (routes, instrumentation); a process-wide singleton built in
// one bundle throws errors made by its own copy of each class into code holding another copy.
async function freshCopies() {
  vi.resetModules();
  const errors = await import('@/lib/errors');
  const ports = await import('@/lib/file-stores/ports');
  const jobs = await import('@/lib/outbox/jobs');
  return { AppError: errors.AppError, FileStoreError: ports.FileStoreError, GiveUp: jobs.GiveUp };
}

describe('error identity across module copies', () => {
  it('recognises an error made by another copy of its class, and nothing else', async () => {
    const a = await freshCopies();
    const b = await freshCopies();
    expect(a.AppError).not.toBe(b.AppError);

    expect(new b.AppError('not_found', 'x')).toBeInstanceOf(a.AppError);
    expect(new b.FileStoreError('upload_failed', 'x')).toBeInstanceOf(a.FileStoreError);
    expect(new b.GiveUp('x')).toBeInstanceOf(a.GiveUp);

    expect(new Error('x')).not.toBeInstanceOf(a.AppError);
    expect(new b.FileStoreError('upload_failed', 'x')).not.toBeInstanceOf(a.AppError);
    expect({ name: 'AppError', code: 'not_found' }).not.toBeInstanceOf(a.AppError);
    expect(null).not.toBeInstanceOf(a.AppError);
  });
});
