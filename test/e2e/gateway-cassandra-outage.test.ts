/**
 * A gateway started while Cassandra is unreachable, refusing connections or stalled (reached
 * through a proxy of this test, so the shared Cassandra stays up for everyone else): it starts
 * at once and accepts clients; a
 * login gets the SASL failure temporary-auth-failure (RFC 6120 §6.5.13: try again later), not
 * a refused connection, and the stream is closed with <reset/> so that clients reconnect on
 * their own; once Cassandra answers again the same login succeeds, and the gateway reports ready.
 */
import { GatewayService, readGatewayConfig } from '@concord/gateway';
import { extraGatewayEnv, startConcord, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { eventually, requireStack } from '../support/stack';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

describe('a gateway started during a Cassandra outage', () => {
  requireStack();
  let concord: RunningConcord;
  let cassandra: TcpProxy;
  let gateway: GatewayService | undefined;
  const clients: RawClient[] = [];

  beforeAll(async () => {
    concord = await startConcord('gwcassout');
    await concord.addAccount('alice', 'alice-secret');
  }, 60_000);

  afterEach(async () => {
    for (const c of clients.splice(0)) c.write('</stream:stream>');
    await gateway?.destroy();
    await cassandra.close();
  });

  afterAll(() => concord.stop());

  const login = async (port: number) => {
    const c = await RawClient.connect(port);
    clients.push(c);
    await c.startTls(concord.domain);
    c.write(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${Buffer.from('\0alice\0alice-secret').toString('base64')}</auth>`);
    return { client: c, reply: await c.waitFor(/<success|<\/failure>/, 30_000) };
  };

  it.each(['down', 'stalled'] as const)('Cassandra %s: accepts clients, answers logins with temporary-auth-failure, and lets them in once it is back', async (how) => {
    cassandra = await startTcpProxy(process.env['CONCORD_CASSANDRA_CONTACT_POINTS']?.split(',')[0] ?? '127.0.0.1:9042');
    if (how === 'down') cassandra.down();
    else cassandra.stall();
    gateway = await GatewayService.create(readGatewayConfig(extraGatewayEnv(concord, `gwout-${how}-${concord.name.slice(-6)}`, { CONCORD_CASSANDRA_CONTACT_POINTS: cassandra.address })));
    await gateway.start();
    const port = gateway.ports.tcp!;
    const readyz = async () => (await (await fetch(`http://127.0.0.1:${gateway!.httpPort}/readyz`)).json()) as { ready: boolean };
    expect(await readyz()).toMatchObject({ ready: false });

    const refused = await login(port);
    expect(refused.reply).toMatch(/<failure xmlns=['"]urn:ietf:params:xml:ns:xmpp-sasl['"]><temporary-auth-failure\/>/);
    await refused.client.waitClosed();
    expect(refused.client.received).toMatch(/<stream:error><reset xmlns=['"]urn:ietf:params:xml:ns:xmpp-streams['"]\/>/);

    await cassandra.heal();
    const accepted = await eventually(async () => {
      const { reply } = await login(port);
      return /<success/.test(reply) ? reply : undefined;
    }, 30_000, 'a login once Cassandra is back');
    expect(accepted).toMatch(/<success/);
    await eventually(async () => ((await readyz()).ready ? true : undefined), 30_000, 'the gateway ready');
  }, 120_000);
});
