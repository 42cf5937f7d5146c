import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { clientAddress, trustProxy } from '../../../src/transport/http/client-address.js';

const request = (peer: string, forwarded?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
  }) as unknown as IncomingMessage;

describe('client address behind a load balancer', () => {
  it('takes the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress(request('127.0.0.1', '203.0.113.9'), trustProxy([]))).toBe('127.0.0.1');
  });

  it('takes the right-most untrusted X-Forwarded-For entry from a trusted proxy', () => {
    const trusted = trustProxy(['loopback', '10.1.0.0/16']);
    // The client forged the first entry; nginx appended the real peer, a second hop appended nginx.
    expect(clientAddress(request('::ffff:127.0.0.1', '1.1.1.1, 203.0.113.9, 10.1.2.3'), trusted)).toBe(
      '203.0.113.9',
    );
    expect(clientAddress(request('::1', '2001:db8::7'), trusted)).toBe('2001:db8::7');
  });

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(clientAddress(request('198.51.100.4', '203.0.113.9'), trustProxy(['loopback']))).toBe(
      '198.51.100.4',
    );
  });

  it('refuses a bad NEURODESK_TRUST_PROXY at start, naming the key', () => {
    expect(() => loadConfig({ NEURODESK_TRUST_PROXY: 'loopback,nginx-host' })).toThrow(
      /NEURODESK_TRUST_PROXY/,
    );
    expect(loadConfig({ NEURODESK_TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
    ]);
  });
});
