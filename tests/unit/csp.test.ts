import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '@/lib/http/csp';

const directive = (policy: string, name: string) =>
  policy
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `));

describe('the pages’ Content-Security-Policy', () => {
  it('runs only scripts carrying this response’s nonce, never inline code', () => {
    const policy = contentSecurityPolicy('abc123==', { development: false });
    expect(directive(policy, 'script-src')).toBe("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(directive(policy, 'frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive(policy, 'object-src')).toBe("object-src 'none'");
    expect(directive(policy, 'form-action')).toBe("form-action 'self'");
  });

  it("allows eval only for the development server's fast refresh", () => {
    expect(directive(contentSecurityPolicy('n', { development: true }), 'script-src')).toContain(
      "'unsafe-eval'",
    );
    expect(directive(contentSecurityPolicy('n', { development: false }), 'script-src')).not.toContain(
      'unsafe-eval',
    );
  });
});
