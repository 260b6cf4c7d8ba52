import { JidError, parseJid } from '@concord/jid';

/** One CONCORD_PUSH_APP_SERVERS item: APP-SERVER-JID=URL. */
export const APP_SERVER_ITEM = /^[^=\s]+=https?:\/\/\S+$/;

/** App server JID (normalized) → webhook URL; throws naming the first bad item. */
export function parseAppServers(items: readonly string[]): Map<string, URL> {
  const out = new Map<string, URL>();
  for (const item of items) {
    const eq = item.indexOf('=');
    const [jidText, urlText] = [item.slice(0, eq), item.slice(eq + 1)];
    let jid: string;
    try {
      jid = parseJid(jidText).toString();
    } catch (err) {
      if (err instanceof JidError) throw new Error(`${jidText} is not a JID: ${err.message}`);
      throw err;
    }
    let url: URL;
    try {
      url = new URL(urlText);
    } catch {
      throw new Error(`${urlText} is not a URL`);
    }
    if (out.has(jid)) throw new Error(`app server ${jid} is listed twice`);
    out.set(jid, url);
  }
  return out;
}
