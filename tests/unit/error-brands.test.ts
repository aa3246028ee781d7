import { describe, expect, it, vi } from 'vitest';
import { BrandedError, CodedError } from '@/lib/errors';

// Next loads lib/ once per bundle (routes, instrumentation); a process-wide singleton built in
// one bundle throws errors made by its own copy of each class into code holding another copy.
async function freshCopies() {
  vi.resetModules();
  const errors = await import('@/lib/errors');
  const ports = await import('@/lib/file-stores/ports');
  const llm = await import('@/lib/llm/ports');
  const jobs = await import('@/lib/outbox/jobs');
  return {
    AppError: errors.AppError,
    FileStoreError: ports.FileStoreError,
    ModelError: llm.ModelError,
    GiveUp: jobs.GiveUp,
  };
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

  it('keeps each class its code, name and fields, and tells the classes apart', async () => {
    const a = await freshCopies();
    const b = await freshCopies();
    const model = new b.ModelError('rate_limited', 'slow down', { cause: 'x' });
    expect(model).toBeInstanceOf(a.ModelError);
    expect(model).toBeInstanceOf(Error);
    expect(model).toMatchObject({
      code: 'rate_limited',
      name: 'ModelError',
      message: 'slow down',
      cause: 'x',
    });
    expect(model).not.toBeInstanceOf(a.FileStoreError);
    expect(new b.FileStoreError('upload_failed', 'x', { status: 502 })).toMatchObject({
      code: 'upload_failed',
      status: 502,
      name: 'FileStoreError',
    });
    expect(new b.AppError('not_found', 'Chat not found.')).toMatchObject({
      code: 'not_found',
      status: 404,
      title: 'Not found',
      name: 'AppError',
    });
    expect(new b.GiveUp('x')).not.toBeInstanceOf(a.ModelError);
  });
});

describe('a branded error class', () => {
  class Outer extends CodedError<'a' | 'b'> {
    static readonly brand: string = 'test.Outer';
  }
  class Inner extends Outer {
    static readonly brand = 'test.Inner';
  }

  it("is its parents' too, and its parents are not it", () => {
    expect(new Inner('a', 'x')).toBeInstanceOf(Outer);
    expect(new Inner('a', 'x').name).toBe('test.Inner');
    expect(new Outer('a', 'x')).not.toBeInstanceOf(Inner);
  });

  it('must name its own brand, or it would pass for its parent', () => {
    class Unnamed extends Outer {}
    expect(() => new Unnamed('a', 'x')).toThrow(/must declare its own brand/);
    class Plain extends BrandedError {}
    expect(() => new Plain('x')).toThrow(/must declare its own brand/);
  });
});
