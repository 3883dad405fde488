import { describe, expect, it } from 'vitest';
import { peerAddress } from './enrollment-rate-limiter';

describe('peerAddress', () => {
  it('keys the enrollment bucket by address, not by port', () => {
    expect(peerAddress('127.0.0.2:51234')).toBe('127.0.0.2');
    expect(peerAddress('ipv4:10.1.2.3:443')).toBe('10.1.2.3');
    expect(peerAddress('[::1]:50051')).toBe('::1');
    expect(peerAddress('ipv6:[2001:db8::7]:1')).toBe('2001:db8::7');
    expect(peerAddress('unix:/tmp/sock')).toBe('unix:/tmp/sock');
    expect(peerAddress('')).toBe('unknown');
  });
});
