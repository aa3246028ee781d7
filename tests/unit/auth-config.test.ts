import { describe, expect, it } from 'vitest';
import { roughly, tooManySignIns } from '@/components/auth/sentences';
import { addressKey, clientAddress } from '@/lib/auth/client-address';
import { loadAuthConfig } from '@/lib/auth/config';

describe('auth configuration', () => {
  it('has defaults that leave a few typos alone', () => {
    const config = loadAuthConfig({});
    expect(config.signIn.account).toEqual({
      maxAttempts: 5,
      lockMs: 60_000,
      maxLockMs: 3_600_000,
      forgetAfterMs: 3_600_000,
    });
    expect(config.signIn.address.maxAttempts).toBe(30);
    expect(config.signUp.mode).toBe('open');
    expect(config.signUp.address.maxAttempts).toBe(10);
    expect(config.proxyHops).toBe(1);
  });

  it('reads the environment, empty values counting as unset', () => {
    const config = loadAuthConfig({
      AUTH_MAX_FAILURES: '3',
      AUTH_MAX_FAILURES_PER_ADDRESS: '',
      AUTH_LOCK_SECONDS: '30',
      AUTH_LOCK_MAX_SECONDS: '300',
      AUTH_FAILURE_WINDOW_SECONDS: '600',
      AUTH_PROXY_HOPS: '2',
      SIGNUP_MODE: 'invite-only',
      SIGNUP_MAX_PER_ADDRESS: '1000',
    });
    expect(config.signIn.account).toEqual({
      maxAttempts: 3,
      lockMs: 30_000,
      maxLockMs: 300_000,
      forgetAfterMs: 600_000,
    });
    expect(config.signIn.address.maxAttempts).toBe(30);
    expect(config.signUp).toMatchObject({ mode: 'invite-only', address: { maxAttempts: 1000 } });
    expect(config.proxyHops).toBe(2);
  });

  it.each([
    [{ SIGNUP_MODE: 'sometimes' }, 'SIGNUP_MODE'],
    [{ AUTH_MAX_FAILURES: '0' }, 'AUTH_MAX_FAILURES'],
    [{ AUTH_LOCK_SECONDS: '600', AUTH_LOCK_MAX_SECONDS: '60' }, 'AUTH_LOCK_MAX_SECONDS'],
    [{ AUTH_PROXY_HOPS: '0' }, 'AUTH_PROXY_HOPS'],
  ])('refuses %j', (env, name) => {
    expect(() => loadAuthConfig(env)).toThrow(name);
  });
});

describe('the client address', () => {
  const headers = (forwardedFor?: string) =>
    new Headers(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {});

  it('is the entry the nearest trusted proxy wrote, not what the client sent before it', () => {
    expect(clientAddress(headers('203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(headers('1.1.1.1, 203.0.113.7'), 1)).toBe('203.0.113.7');
    expect(clientAddress(headers('1.1.1.1, 203.0.113.7, 10.0.0.2'), 2)).toBe('203.0.113.7');
    // Fewer entries than proxies: the furthest one known.
    expect(clientAddress(headers('203.0.113.7'), 3)).toBe('203.0.113.7');
  });

  it('is one shared bucket when nothing says who the client is', () => {
    expect(clientAddress(headers(), 1)).toBe('unknown');
    expect(clientAddress(headers(' , '), 1)).toBe('unknown');
    expect(clientAddress(headers('not an address'), 1)).toBe('unknown');
  });

  it('counts IPv4 as is and IPv6 by its /64', () => {
    expect(addressKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(addressKey('198.51.100.4:51234')).toBe('198.51.100.4');
    expect(addressKey('2001:db8:a:b:1:2:3:4')).toBe('2001:db8:a:b::/64');
    expect(addressKey('2001:0db8:000a:000b::ffff')).toBe('2001:db8:a:b::/64');
    expect(addressKey('[2001:db8:a:b::1]:443')).toBe('2001:db8:a:b::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.33')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('2001:db8:a:c::1')).not.toBe(addressKey('2001:db8:a:b::1'));
  });
});

describe('the wait, in words', () => {
  it.each([
    [1, 'about a minute'],
    [90, 'about a minute'],
    [91, 'about 2 minutes'],
    [240, 'about 4 minutes'],
    [3600, 'about an hour'],
    [7200, 'about 2 hours'],
  ])('%i s is %s', (seconds, words) => {
    expect(roughly(seconds)).toBe(words);
  });

  it('falls back to a few minutes when the time is not known', () => {
    expect(tooManySignIns()).toBe('Too many sign-in attempts. Wait a few minutes and try again.');
    expect(tooManySignIns(120)).toBe('Too many sign-in attempts. Wait about 2 minutes and try again.');
  });
});
