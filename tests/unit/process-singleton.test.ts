import { describe, expect, it, vi } from 'vitest';

// What Next does to lib/: one copy of the module per bundle, and again after a dev-mode reload.
async function freshCopy() {
  vi.resetModules();
  return (await import('@/lib/process-singleton')).processSingleton;
}

describe('a process singleton', () => {
  it('is built once, whichever copy of the module asks for it', async () => {
    const build = vi.fn(() => ({ opened: true }));
    const first = (await freshCopy())('test.shared', build);
    const second = (await freshCopy())('test.shared', build);
    expect(second).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
    expect((await freshCopy())('test.other', () => ({ opened: true }))).not.toBe(first);
  });

  it('keeps nothing when its build throws, so the next caller builds it', async () => {
    const singleton = await freshCopy();
    expect(() =>
      singleton('test.flaky', () => {
        throw new Error('not yet');
      }),
    ).toThrow('not yet');
    expect(singleton('test.flaky', () => 'built')).toBe('built');
  });
});
