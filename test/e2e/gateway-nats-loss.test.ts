/**
 * A gateway whose NATS connection is lost while its clients stay connected (nats-server killed,
 * or the link to it cut): live deliveries travel over core NATS, so what the router delivered
 * meanwhile went to nobody. Once the gateway is back on NATS every session gets what was
 * archived for it meanwhile, once and in order, then the live flow. The link is cut with a proxy
 * of this test so that the shared nats-server stays up for everyone else, and only the
 * recipient's gateway loses it: the router goes on routing and archiving.
 */
import { randomUUID } from 'node:crypto';
import { GatewayService, readGatewayConfig } from '@concord/gateway';
import { ClientDriver, type DriverEvent } from '../support/driver';
import { extraGatewayEnv, startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { eventually, requireStack, testConfig } from '../support/stack';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

describe('a gateway that lost its NATS connection', () => {
  requireStack();
  let concord: RunningConcord;
  let nats: TcpProxy;
  let gateway: GatewayService;
  let alice: ClientDriver;
  let bob: ClientDriver;
  let bobJid: string;

  beforeAll(async () => {
    concord = await startConcord('gwnatsloss');
    await concord.addAccount('alice', 'alice-secret');
    bobJid = await concord.addAccount('bob', 'bob-secret');
    nats = await startTcpProxy(testConfig(concord.name).natsUrls[0]!.replace(/^nats:\/\//, ''));
    gateway = await GatewayService.create(readGatewayConfig(extraGatewayEnv(concord, `gwloss-${concord.name.slice(-6)}`, { CONCORD_NATS_URL: `nats://${nats.address}` })));
    await gateway.start();
    alice = await xmppjsOnline(concord, 'alice.laptop', 'alice', 'alice-secret', { userAgentId: randomUUID() });
    bob = ClientDriver.xmppjs('bob.phone');
    await bob.ok('start', { service: `xmpp://127.0.0.1:${gateway.ports.tcp}`, domain: concord.domain, username: 'bob', password: 'bob-secret', userAgentId: randomUUID() });
  }, 90_000);

  afterAll(async () => {
    await alice?.kill();
    await bob?.kill();
    await gateway?.destroy();
    await nats?.close();
    await concord?.stop();
  });

  const bodies = (d: ClientDriver) => d.events.flatMap((e: DriverEvent) => (e.event === 'element' ? [...(e.xml ?? '').matchAll(/<body>(loss-[^<]*)<\/body>/g)].map((m) => m[1]!) : []));
  const send = (body: string) => alice.ok('send', { xml: `<message to='${bobJid}' type='chat' id='${body}'><body>${body}</body></message>` });

  it('gives each session what was routed while it was away, once and in order, then the live flow', async () => {
    await send('loss-before');
    await eventually(async () => (bodies(bob).includes('loss-before') ? true : undefined), 10_000, 'the first message live');

    nats.down();
    const away = ['loss-away-1', 'loss-away-2', 'loss-away-3'];
    for (const body of away) await send(body);
    // Routed and archived for bob while his gateway could not hear the deliveries.
    await eventually(async () => ((await concord.archived(bobJid)).length === 1 + away.length ? true : undefined), 20_000, "bob's copies archived");
    expect(bodies(bob)).toEqual(['loss-before']);

    await nats.heal();
    await eventually(async () => (bodies(bob).length >= 1 + away.length ? true : undefined), 30_000, 'what was routed while the gateway was away');
    await send('loss-after');
    await eventually(async () => (bodies(bob).includes('loss-after') ? true : undefined), 10_000, 'the live flow after');
    expect(bodies(bob)).toEqual(['loss-before', ...away, 'loss-after']);
  }, 120_000);
});
