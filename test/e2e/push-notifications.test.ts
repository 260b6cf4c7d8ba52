/**
 * Push notifications (XEP-0357) end to end: real clients over real sockets, the push service
 * in-process on the real NATS and Cassandra, and an app server webhook on a real HTTP server.
 * Actors: alice.laptop sends; bob.phone, dave.tablet, erin.phone, erin.tablet and frank.phone
 * enable push and go away; bob.desktop and carol.laptop stay online.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { NS } from '@concord/xmpp';
import type { ClientDriver } from '../support/driver';
import { startConcord, xmppjsOnline, type RunningConcord } from '../support/concord';
import { PushAppServer, type PushCall } from '../support/push-app-server';
import { eventually, requireStack } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const APP = 'push.example.net';
const ID = { bobPhone: 'b0b0b0b0-0000-4000-8000-000000000001', bobDesktop: 'b0b0b0b0-0000-4000-8000-000000000002', daveTablet: 'da7eda7e-0000-4000-8000-000000000001',
  erinPhone: 'e7170000-0000-4000-8000-000000000001', erinTablet: 'e7170000-0000-4000-8000-000000000002', frankPhone: 'f7a0c000-0000-4000-8000-000000000001',
  ginaPhone: '91aa0000-0000-4000-8000-000000000001' };

describe('push notifications (XEP-0357) to a webhook app server', () => {
  requireStack();
  let app: PushAppServer;
  let concord: RunningConcord;
  let alice: ClientDriver;
  const online: ClientDriver[] = [];
  const jid = (local: string) => `${local}@${concord.domain}`;

  beforeAll(async () => {
    app = await PushAppServer.start();
    concord = await startConcord('push', { CONCORD_PUSH_APP_SERVERS: `${APP}=${app.url}`, CONCORD_PUSH_RETRY_BASE: '100ms', CONCORD_PUSH_RETRY_MAX: '500ms' }, { push: true });
    for (const who of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina']) await concord.addAccount(who, `${who}-secret`);
    alice = await login('alice.laptop', 'alice');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(online.map((d) => d.kill()));
    await concord?.stop();
    await app?.close();
  });

  async function login(name: string, local: string, userAgentId?: string): Promise<ClientDriver> {
    const d = await xmppjsOnline(concord, name, local, `${local}-secret`, userAgentId ? { userAgentId } : {});
    online.push(d);
    return d;
  }

  const enableXml = (node: string, fields: Record<string, string> = {}) =>
    `<iq type='set'><enable xmlns='${NS.push}' jid='${APP}' node='${node}'><x xmlns='${NS.dataForms}' type='submit'>` +
    `<field var='FORM_TYPE'><value>${NS.pubsubPublishOptions}</value></field>` +
    Object.entries(fields).map(([k, v]) => `<field var='${k}'><value>${v}</value></field>`).join('') + '</x></enable></iq>';

  /** A device enables push, then goes away (a clean close: its session ends). */
  async function enableAndLeave(name: string, local: string, userAgentId: string, node: string, fields: Record<string, string> = {}): Promise<void> {
    const d = await login(name, local, userAgentId);
    await d.ok('iq', { xml: enableXml(node, fields) });
    await d.ok('stop');
    const gone = async () => !(await concord.push!.ctx.sessions.ofAccount(jid(local))).some((s) => s.clientId === userAgentId);
    await eventually(async () => ((await gone()) ? true : undefined), 10_000, `${name} to leave the registry`);
  }

  const send = (from: ClientDriver, to: string, id: string, payload: string, type = 'chat') =>
    from.ok('send', { xml: `<message to='${to}' type='${type}' id='${id}'>${payload}</message>` });
  const withBody = (body: string) => (c: PushCall) => c.body.summary['last-message-body'] === body;
  /** Every push request routed so far has been handled (the work queue is empty). */
  const pushQueueDrained = () => eventually(async () => {
    const bus = concord.push!.ctx.bus;
    return (await bus.jsm.streams.info(bus.names.stream('push'))).state.messages === 0 ? true : undefined;
  }, 15_000, 'the push queue to drain');
  const concordctl = (args: string[]) => spawnSync(process.execPath, [join(ROOT, 'tools', 'concordctl', 'dist', 'main.js'), ...args], {
    env: { ...process.env, CONCORD_CASSANDRA_KEYSPACE: concord.name, CONCORD_BUS_PREFIX: concord.name }, encoding: 'utf8',
  });

  it('lists urn:xmpp:push:0 on the account and refuses app servers it cannot reach', async () => {
    const info = await alice.ok<{ xml: string }>('iq', { xml: `<iq type='get' to='${jid('alice')}'><query xmlns='${NS.discoInfo}'/></iq>` });
    expect(info.xml).toContain(NS.push);
    const elsewhere = await alice.call('iq', { xml: `<iq type='set'><enable xmlns='${NS.push}' jid='push.elsewhere.example' node='n1'/></iq>` });
    expect(elsewhere.condition).toBe('remote-server-not-found');
    const noNode = await alice.call('iq', { xml: `<iq type='set'><enable xmlns='${NS.push}' jid='${APP}'/></iq>` });
    expect(noNode.condition).toBe('bad-request');
  });

  it('bob.phone away: one push per urgent message, none for receipts, chat states or headlines', async () => {
    await enableAndLeave('bob.phone', 'bob', ID.bobPhone, 'bob-phone', { secret: 's3cr3t', 'include-body': '1' });
    await send(alice, jid('bob'), 'receipt-1', `<received xmlns='${NS.receipts}' id='x'/>`);
    await send(alice, jid('bob'), 'cs1', `<composing xmlns='${NS.chatStates}'/>`);
    await send(alice, jid('bob'), 'hl1', '<body>headline news</body>', 'headline');
    await send(alice, jid('bob'), 'm1', '<body>first</body>');
    await send(alice, jid('bob'), 'm2', '<body>second</body>');
    await Promise.all([app.waitFor(withBody('first'), 'first'), app.waitFor(withBody('second'), 'second')]);
    await pushQueueDrained();

    const calls = app.forNode('bob-phone');
    expect(calls).toHaveLength(2);
    expect(calls.map((c) => c.body.summary['message-count']).sort()).toEqual([1, 2]);
    for (const c of calls) {
      expect(c.status).toBe(200);
      expect(c.body.app_server).toBe(APP);
      expect(String(c.body.summary['last-message-sender'])).toMatch(new RegExp(`^alice@${concord.domain}/`));
      expect(c.body.publish_options).toEqual({ secret: 's3cr3t', 'include-body': '1' });
      expect(c.idempotencyKey).toBe(c.body.id);
      expect(JSON.stringify(c.body)).not.toContain(jid('bob'));
    }
    expect(new Set(calls.map((c) => c.body.id)).size).toBe(2);
  });

  it('registrations survive a restart of the push service', async () => {
    await concord.restartPush();
    await send(alice, jid('bob'), 'm3', '<body>after the restart</body>');
    const call = await app.waitFor(withBody('after the restart'), 'the push after the restart');
    expect(call.body.node).toBe('bob-phone');
  });

  it('preferences by IQ and by concordctl: a muted conversation pushes nothing, a mentions-only one only mentions', async () => {
    const bobDesktop = await login('bob.desktop', 'bob', ID.bobDesktop);
    const carol = await login('carol.laptop', 'carol');
    const dave = await login('dave.laptop', 'dave');
    await bobDesktop.ok('iq', { xml: `<iq type='set'><notify xmlns='${NS.concord}'><conversation jid='${jid('carol')}' level='none'/></notify></iq>` });
    const bad = await bobDesktop.call('iq', { xml: `<iq type='set'><notify xmlns='${NS.concord}'><conversation jid='${jid('carol')}' level='loud'/></notify></iq>` });
    expect(bad.condition).toBe('bad-request');
    expect(concordctl(['push', 'prefs', 'set', jid('bob'), jid('dave'), 'mentions']).status).toBe(0);
    expect(concordctl(['push', 'prefs', 'set', jid('nobody'), jid('dave'), 'none']).status).toBe(1);
    expect(concordctl(['push', 'prefs', 'set', jid('bob'), jid('dave'), 'loud']).status).toBe(64);
    const list = await bobDesktop.ok<{ xml: string }>('iq', { xml: `<iq type='get'><notify xmlns='${NS.concord}'/></iq>` });
    expect(list.xml).toMatch(new RegExp(`<conversation jid="${jid('carol')}" level="none"/>`));
    expect(list.xml).toMatch(new RegExp(`<conversation jid="${jid('dave')}" level="mentions"/>`));
    expect(concordctl(['push', 'prefs', 'get', jid('bob')]).stdout).toContain(`${jid('carol')}\tnone`);

    await send(carol, jid('bob'), 'c1', '<body>muted hello</body>');
    await send(dave, jid('bob'), 'd1', '<body>dave without a mention</body>');
    await send(dave, jid('bob'), 'd2', `<body>hey bob</body><reference xmlns='${NS.reference}' type='mention' uri='xmpp:${jid('bob')}' begin='4' end='7'/>`);
    await send(alice, jid('bob'), 'm4', '<body>not muted</body>');
    await Promise.all([app.waitFor(withBody('not muted'), 'alice'), app.waitFor(withBody('hey bob'), 'the mention')]);
    // The router asks for a push before it delivers live: once bob.desktop has the two silent
    // messages, their push requests are queued, and a drained queue means they were decided.
    for (const body of ['muted hello', 'dave without a mention']) {
      await bobDesktop.waitFor((e) => (e.xml ?? '').includes(`<body>${body}</body>`), 10_000, `bob.desktop: ${body}`);
    }
    await pushQueueDrained();
    expect(app.calls.filter(withBody('muted hello'))).toHaveLength(0);
    expect(app.calls.filter(withBody('dave without a mention'))).toHaveLength(0);
    // bob.desktop is online, but it is bob.phone that is away and registered.
    expect(app.calls.filter(withBody('not muted')).map((c) => c.body.node)).toEqual(['bob-phone']);
  });

  it('two HTTP 500s then 200: the notification is delivered once', async () => {
    app.script('dave-tablet', [500, 500]);
    await enableAndLeave('dave.tablet', 'dave', ID.daveTablet, 'dave-tablet');
    await send(alice, jid('dave'), 'retry-1', '<body>retry me</body>');
    await app.waitFor((c) => c.body.node === 'dave-tablet' && c.status === 200, 'the delivered notification');
    await pushQueueDrained();
    const calls = app.forNode('dave-tablet');
    expect(calls.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(new Set(calls.map((c) => c.body.id)).size).toBe(1);
    // No body: dave.tablet's publish-options did not ask for it.
    expect(calls[2]!.body.summary).toEqual({ 'message-count': 1, 'last-message-sender': expect.stringMatching(/^alice@/) });

    await send(alice, jid('dave'), 'retry-2', '<body>and the next</body>');
    await app.waitFor((c) => c.body.node === 'dave-tablet' && c.body.id !== calls[0]!.body.id, 'the next notification');
    await pushQueueDrained();
    expect(app.forNode('dave-tablet').filter((c) => c.body.id === calls[0]!.body.id)).toHaveLength(3);
  });

  it('an app server failing on every delivery: given up after the last one, recorded, the registration kept', async () => {
    app.answerAlways('gina-phone', 503);
    await enableAndLeave('gina.phone', 'gina', ID.ginaPhone, 'gina-phone');
    await send(alice, jid('gina'), 'gina-1', '<body>anyone?</body>');
    const reg = await eventually(async () => {
      const r = await concord.push!.ctx.registrations.get(jid('gina'), ID.ginaPhone);
      return r?.lastError ? r : undefined;
    }, 40_000, 'the failure to be recorded');
    await pushQueueDrained();
    // One call per delivery of the request, as many as the push consumer allows (max_deliver).
    expect(app.forNode('gina-phone')).toHaveLength(20);
    expect(reg.lastError!.text).toMatch(/gave up .* after 20 attempts: push\.example\.net: HTTP 503/);
    expect(reg.disabled).toBeUndefined();
  }, 60_000);

  it('HTTP 410 disables the registration, and the device is told at its next login', async () => {
    app.answerAlways('erin-phone', 410);
    await enableAndLeave('erin.phone', 'erin', ID.erinPhone, 'erin-phone');
    await enableAndLeave('erin.tablet', 'erin', ID.erinTablet, 'erin-tablet');
    await send(alice, jid('erin'), 'e1', '<body>hello erin</body>');
    await Promise.all([
      app.waitFor((c) => c.body.node === 'erin-phone' && c.status === 410, 'the refused notification'),
      app.waitFor((c) => c.body.node === 'erin-tablet', 'the tablet notification'),
    ]);
    const registrations = () => concord.push!.ctx.registrations;
    const disabled = await eventually(async () => (await registrations().get(jid('erin'), ID.erinPhone))?.disabled, 10_000, 'the registration to be disabled');
    expect(disabled).toMatchObject({ reason: 'gone', noticePending: true });

    await send(alice, jid('erin'), 'e2', '<body>hello again</body>');
    await app.waitFor((c) => c.body.node === 'erin-tablet' && c.body.summary['message-count'] === 2, 'the second tablet notification');
    await pushQueueDrained();
    expect(app.forNode('erin-phone')).toHaveLength(1);
    expect(concordctl(['push', 'list', jid('erin')]).stdout).toMatch(new RegExp(`${ID.erinPhone}\t${APP}\terin-phone\tdisabled .*\\(gone, device not told yet\\)`));

    const erinPhone = await login('erin.phone (back)', 'erin', ID.erinPhone);
    const notice = await erinPhone.waitFor((e) => (e.xml ?? '').includes('<push-disabled'), 10_000, 'the push-disabled notice');
    expect(notice.xml).toContain(`xmlns="${NS.concord}"`);
    expect(notice.xml).toMatch(new RegExp(`jid="${APP}" node="erin-phone" reason="gone"`));
    expect((await registrations().get(jid('erin'), ID.erinPhone))?.disabled?.noticePending).toBe(false);
  });

  it('a stream waiting for resumption gets pushes; a connected device gets none', async () => {
    const frank = await login('frank.phone', 'frank', ID.frankPhone);
    await frank.ok('iq', { xml: enableXml('frank-phone', { 'include-body': 'true' }) });
    await send(alice, jid('frank'), 'f1', '<body>while online</body>');
    await frank.waitFor((e) => (e.xml ?? '').includes('<body>while online</body>'), 10_000, 'the live message');
    await pushQueueDrained();

    await frank.ok('disconnect');
    await eventually(async () => ((await concord.push!.ctx.sessions.ofAccount(jid('frank'))).some((s) => s.detached) ? true : undefined), 10_000, 'the hibernating session');
    await send(alice, jid('frank'), 'f2', '<body>while away</body>');
    const call = await app.waitFor(withBody('while away'), 'the push to the hibernating stream');
    expect(call.body.node).toBe('frank-phone');
    await pushQueueDrained();
    expect(app.calls.filter(withBody('while online'))).toHaveLength(0);
  });

  it('disable removes the account\'s registrations for the app server', async () => {
    const bobPhone = await login('bob.phone (back)', 'bob', ID.bobPhone);
    expect(concordctl(['push', 'list', jid('bob')]).stdout).toContain(`${ID.bobPhone}\t${APP}\tbob-phone\tenabled`);
    await bobPhone.ok('iq', { xml: `<iq type='set'><disable xmlns='${NS.push}' jid='${APP}'/></iq>` });
    expect(concordctl(['push', 'list', jid('bob')]).stdout.trim()).toBe('');
  });
});
