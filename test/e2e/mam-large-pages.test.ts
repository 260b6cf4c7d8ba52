/**
 * Pages larger than one bus message: the archive answers a query over NATS, whose messages hold
 * at most the server's max_payload (1 MiB by default). Results of large messages are cut to fit,
 * and the client pages on with RSM as from any page; the Bind2 catch-up, which asks for larger
 * pages than clients may, pages the same way. Real sockets, NATS and Cassandra.
 */
import type { Element } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { startConcord, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { eventually, requireStack } from '../support/stack';

/** 24 messages of 90 KB: about 2 MiB of results, more than one bus message holds. */
const COUNT = 24;
const BODY_BYTES = 90_000;


describe('XEP-0313 pages larger than one bus message', () => {
  requireStack();
  let concord: RunningConcord;
  let bodies: string[];
  const bob = () => `bob@${concord.domain}`;

  beforeAll(async () => {
    // The per-connection byte rate would only slow the sending down.
    concord = await startConcord('mam-large', { CONCORD_GATEWAY_BYTES_PER_SECOND: '100000000' });
    await concord.addAccount('alice', 'alice-secret');
    await concord.addAccount('bob', 'bob-secret');
    const alice = await RawClient.connect(concord.ports.tcp);
    await alice.login(concord.domain, 'alice', 'alice-secret', 'laptop');
    bodies = Array.from({ length: COUNT }, (_, i) => `${String(i).padStart(2, '0')}:${'x'.repeat(BODY_BYTES)}`);
    for (const [i, body] of bodies.entries()) alice.write(`<message to='${bob()}' type='chat' id='big${i}'><body>${body}</body></message>`);
    await eventually(async () => ((await concord.archived(bob())).length === COUNT ? true : undefined), 30_000, `${COUNT} messages in bob's archive`);
    alice.end();
  }, 90_000);

  afterAll(async () => {
    await concord.stop();
  });

  const resultsOf = (elements: Element[], queryId: string) => elements.filter((e) => e.getChild('result', NS.mam)?.attrs['queryid'] === queryId);
  const bodyOf = (result: Element) => result.getChild('result', NS.mam)!.getChild('forwarded', NS.forward)!.getChild('message', NS.client)!.getChildText('body');

  /** Pages with RSM `after` until a page is complete; the bodies and each page's size. */
  async function pageThrough(form: string): Promise<{ got: string[]; pageSizes: number[] }> {
    const phone = await RawClient.connect(concord.ports.tcp);
    await phone.login(concord.domain, 'bob', 'bob-secret', 'phone');
    const got: string[] = [];
    const pageSizes: number[] = [];
    let after = '';
    for (let page = 0; page < COUNT; page++) {
      phone.clear();
      const queryId = `q${page}`;
      phone.write(`<iq type='set' id='${queryId}'><query xmlns='${NS.mam}' queryid='${queryId}'>${form}` +
        `<set xmlns='${NS.rsm}'><max>50</max>${after ? `<after>${after}</after>` : ''}</set></query></iq>`);
      await phone.waitFor(new RegExp(`<iq [^>]*id='${queryId}'[^>]*>[\\s\\S]*</iq>|<iq [^>]*id='${queryId}'[^>]*/>`), 15_000);
      const elements = phone.elements();
      const iq = elements.find((e) => e.name === 'iq' && e.attrs['id'] === queryId)!;
      expect(iq.attrs['type']).toBe('result');
      const results = resultsOf(elements, queryId);
      pageSizes.push(results.length);
      got.push(...results.map(bodyOf).map((b) => b!));
      const fin = iq.getChild('fin', NS.mam)!;
      if (fin.attrs['complete'] === 'true') break;
      after = fin.getChild('set', NS.rsm)!.getChildText('last')!;
    }
    phone.end();
    return { got, pageSizes };
  }

  it('cuts a page to fit, not complete, and the client pages on to every message, once, in order', async () => {
    const { got, pageSizes } = await pageThrough('');
    // More than one page although 50 were asked for and 24 exist: each page fits one bus message.
    expect(pageSizes.length).toBeGreaterThan(1);
    expect(pageSizes.every((n) => n > 0 && n < COUNT)).toBe(true);
    expect(got).toEqual(bodies);
  });

  it('pages through an ids query the same way', async () => {
    const ids = (await concord.archived(bob())).map((r) => r.archiveId);
    const form = `<x xmlns='${NS.dataForms}' type='submit'><field var='FORM_TYPE' type='hidden'><value>${NS.mam}</value></field>` +
      `<field var='ids'>${[...ids].reverse().map((id) => `<value>${id}</value>`).join('')}</field></x>`;
    const { got, pageSizes } = await pageThrough(form);
    expect(pageSizes.length).toBeGreaterThan(1);
    expect(got).toEqual(bodies);
  });

  it('a Bind2 catch-up of them arrives whole and complete', async () => {
    const tablet = await RawClient.connect(concord.ports.tcp);
    await tablet.startTls(concord.domain);
    tablet.clear();
    tablet.write(`<authenticate xmlns='${NS.sasl2}' mechanism='PLAIN'><initial-response>${Buffer.from('\0bob\0bob-secret').toString('base64')}</initial-response>` +
      `<user-agent id='5b0c7a52-tablet'/><bind xmlns='${NS.bind2}'><tag>tablet</tag><enable xmlns='${NS.imNg}'/>` +
      `<catchup xmlns='${NS.concord}' max='500'/></bind></authenticate>`);
    await tablet.waitFor(/<caught-up [^>]*\/>/, 15_000);
    expect(tablet.received).toContain(`<catchup xmlns='${NS.concord}' count='${COUNT}' complete='true'/>`);
    expect(resultsOf(tablet.elements(), 'catchup').map(bodyOf)).toEqual(bodies);
    tablet.end();
  });
});
