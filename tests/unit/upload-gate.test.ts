import { describe, expect, it } from 'vitest';
import { createUploadGate } from '@/lib/attachments/upload-gate';
import type { AppError } from '@/lib/errors';

const refusal = (enter: () => unknown): AppError => {
  try {
    enter();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a refusal');
};

describe('the upload gate', () => {
  it('keeps each user to their share and the process to its cap, saying which one is full', () => {
    const gate = createUploadGate({ max: 4, maxPerUser: 2 });
    const a1 = gate.enter('a');
    gate.enter('a');
    expect(refusal(() => gate.enter('a'))).toMatchObject({
      code: 'upload_concurrency_limit',
      status: 503,
      headers: { 'retry-after': '5' },
      extensions: { limit_scope: 'user' },
    });
    gate.enter('b');
    gate.enter('c');
    expect(gate.inFlight).toBe(4);
    expect(refusal(() => gate.enter('d')).extensions).toEqual({ limit_scope: 'server' });

    // Leaving twice gives back one place, not two.
    a1();
    a1();
    expect(gate.inFlight).toBe(3);
    gate.enter('a');
    expect(refusal(() => gate.enter('a')).extensions).toEqual({ limit_scope: 'user' });
  });
});
