/**
 * The key an address is throttled under. IPv4 addresses count alone; IPv6 addresses count per
 * /64, because one host usually holds a whole /64 (RFC 4291 §2.5.1, SLAAC) and could otherwise
 * rotate addresses to escape the limit. IPv4-mapped IPv6 (::ffff:a.b.c.d, as a dual-stack socket
 * reports IPv4 peers) is the IPv4 address. Anything unparsable is used verbatim.
 */
export function throttleKeyForIp(ip: string): string {
  const g = ipv6Groups(ip);
  if (g === undefined) return ip;
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
  }
  return `${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
}

const HEX_GROUP = /^[0-9a-f]{1,4}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The eight 16-bit groups of an IPv6 address in any RFC 4291 §2.2 text form, or undefined. */
function ipv6Groups(ip: string): number[] | undefined {
  let s = ip.toLowerCase();
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;
  // An embedded IPv4 tail (form 3, "::ffff:192.0.2.1") becomes two hex groups.
  const lastColon = s.lastIndexOf(':');
  const v4 = IPV4.exec(s.slice(lastColon + 1));
  if (v4) {
    const b = v4.slice(1, 5).map(Number);
    if (b.some((x) => x > 255)) return undefined;
    s = `${s.slice(0, lastColon + 1)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined; // "::" stands for 1+ groups
  const all = [...head, ...Array<string>(missing).fill('0'), ...rest];
  return all.every((x) => HEX_GROUP.test(x)) ? all.map((x) => parseInt(x, 16)) : undefined;
}
