// Where a webhook may be sent. Lifeline makes these requests from inside the network it runs in, so a URL chosen by
// a workspace admin must not become a way to reach that network (a cloud metadata service, a database port, the
// admin page of the router): on an install that is reachable from outside, only public addresses are called.
//
// The decision: private destinations (loopback, RFC 1918, link-local, CGNAT, ULA, …) are allowed exactly when the
// install itself is local — its public URL names localhost or a private address — because then whoever configures
// webhooks already sits on that network, and the shop's own systems on the same machine or LAN are the point.
// Operators of a public install who need a LAN destination can pass `allowPrivateNetworks`.
//
// The check runs twice: on the URL when an endpoint is saved (a literal address or localhost), and on every address
// the host name resolves to, just before connecting (so a public name that resolves to 127.0.0.1 does not get in).
import { BlockList, isIP } from 'node:net';

const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, including cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64: embeds an IPv4 address
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

/** An address a request from Lifeline may reach only on a local install. IPv4-mapped IPv6 counts as its IPv4. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 4) return NON_PUBLIC.check(bare, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped) return NON_PUBLIC.check(mapped[1]!, 'ipv4');
    return NON_PUBLIC.check(bare, 'ipv6');
  }
  return false;
}

const isLocalName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/** True when the install's own public URL is local (loopback, a private address or localhost). */
export function isLocalInstall(publicUrl: string): boolean {
  let host: string;
  try {
    host = new URL(publicUrl).hostname.toLowerCase();
  } catch {
    return false;
  }
  return isLocalName(host) || isPrivateAddress(host);
}

export type UrlCheck = { ok: true; url: string } | { ok: false; message: string };

/**
 * Checks an endpoint URL as saved: absolute http(s), no credentials in it, not longer than 2,000 characters, and not
 * a private destination unless those are allowed. Host names are resolved only when sending.
 */
export function checkEndpointUrl(raw: string, options: { allowPrivate: boolean }): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, message: `"${raw}" is not an absolute URL: give one such as https://shop.example/lifeline-webhooks.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, message: `The webhook URL must start with https:// (or http://), not ${url.protocol}//.` };
  }
  if (url.username || url.password) {
    return { ok: false, message: 'Put no user name or password in the webhook URL: it would be shown to every admin. Check the Lifeline-Signature header instead.' };
  }
  if (url.hash) return { ok: false, message: 'The webhook URL must not have a #fragment: it is never sent to the server.' };
  if (raw.length > 2000) return { ok: false, message: 'The webhook URL is longer than 2,000 characters.' };
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (!options.allowPrivate && (isLocalName(host) || isPrivateAddress(host))) {
    return { ok: false, message: privateRefusal(host) };
  }
  return { ok: true, url: url.toString() };
}

/** Why a destination was refused, in words that say what to do. */
export function privateRefusal(host: string, address?: string): string {
  const where = address && address !== host ? `${host} resolves to ${address}, a private address` : `${host} is a private address`;
  return `${where}, and this Lifeline is reachable from outside, so it does not call private networks. Use a public https URL, or run the receiver where Lifeline can reach it publicly.`;
}
