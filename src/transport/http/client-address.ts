/**
 * The client's address behind a load balancer. A request from a trusted proxy (nginx on the
 * same host, `NEURODESK_TRUST_PROXY`) names the client in `X-Forwarded-For`; the address is the
 * right-most entry not itself a trusted proxy (entries further left could be forged by the
 * client). With no trusted proxies the socket's peer is the client, as before.
 * https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/X-Forwarded-For#selecting_an_ip_address
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/** True for an address whose `X-Forwarded-For` is believed. */
export type TrustProxy = (address: string) => boolean;

const PRESETS: Record<string, Array<[string, number, 'ipv4' | 'ipv6']>> = {
  loopback: [
    ['127.0.0.0', 8, 'ipv4'],
    ['::1', 128, 'ipv6'],
  ],
  private: [
    ['10.0.0.0', 8, 'ipv4'],
    ['172.16.0.0', 12, 'ipv4'],
    ['192.168.0.0', 16, 'ipv4'],
    ['fc00::', 7, 'ipv6'],
  ],
};

/** Builds the check from a list of `loopback`, `private`, addresses and CIDR ranges; throws on a bad entry. */
export function trustProxy(entries: readonly string[]): TrustProxy {
  const list = new BlockList();
  for (const entry of entries) {
    const preset = PRESETS[entry];
    if (preset) {
      for (const [net, prefix, type] of preset) list.addSubnet(net, prefix, type);
      continue;
    }
    const [address, bits] = entry.split('/');
    const family = isIP(address ?? '');
    if (!family) throw new Error(`"${entry}" is not loopback, private, an IP address or a CIDR range`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address!, type);
    else list.addSubnet(address!, Number(bits), type);
  }
  return (address) => {
    const a = address.startsWith('::ffff:') ? address.slice(7) : address;
    const family = isIP(a);
    return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** The client's address of a request (for the websocket upgrades, which express does not see). */
export function clientAddress(req: IncomingMessage, trusted: TrustProxy): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  if (!trusted(address)) return address;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    address = hops[i]!;
    if (!trusted(address)) break;
  }
  return address;
}
