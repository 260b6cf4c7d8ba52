/**
 * Provisioning accounts the three ways an operator can: XEP-0077 in-band registration (when
 * enabled), XEP-0133 admin commands, and `concordctl account`. Each new account then logs in.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startConcord, type RunningConcord } from '../support/concord';
import { RawClient } from '../support/raw-client';
import { requireStack } from '../support/stack';

const ROOT = join(__dirname, '..', '..');

describe('account provisioning', () => {
  requireStack();
  let concord: RunningConcord;

  beforeAll(async () => {
    concord = await startConcord('gwprov', { CONCORD_GATEWAY_REGISTRATION: 'true' });
    await concord.addAccount('root', 'root-secret');
  }, 60_000);

  afterAll(() => concord.stop());

  const canLogin = async (local: string, password: string) => {
    const c = await RawClient.connect(concord.ports.tcp);
    try {
      await c.authenticate(concord.domain, local, password);
      return true;
    } catch {
      return false;
    } finally {
      c.end();
    }
  };

  it('in-band registration (XEP-0077) creates an account that can log in, once', async () => {
    const c = await RawClient.connect(concord.ports.tcp);
    await c.startTls(concord.domain);
    expect(c.received).toMatch(/<register xmlns='http:\/\/jabber.org\/features\/iq-register'\/>/);
    c.clear();
    c.write(`<iq type='get' id='r1'><query xmlns='jabber:iq:register'/></iq>`);
    await c.waitFor(/id='r1'[\s\S]*<username\/><password\/>/);
    c.write(`<iq type='set' id='r2'><query xmlns='jabber:iq:register'><username>carol</username><password>carol-secret</password></query></iq>`);
    await c.waitFor(/<iq type='result' id='r2'\/>/);
    c.write(`<iq type='set' id='r3'><query xmlns='jabber:iq:register'><username>carol</username><password>other</password></query></iq>`);
    await c.waitFor(/id='r3'[\s\S]*<conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'\/>/);
    c.end();
    expect(await canLogin('carol', 'carol-secret')).toBe(true);
  });

  it('an admin adds and deletes a user with XEP-0133 commands; others are forbidden', async () => {
    await concord.addAccount('plain', 'plain-secret');
    const form = (node: string, fields: string) =>
      `<iq type='set' id='c-${node.length}' to='${concord.domain}'><command xmlns='http://jabber.org/protocol/commands' node='http://jabber.org/protocol/admin#${node}' action='complete'>` +
      `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/admin</value></field>${fields}</x></command></iq>`;

    const plain = await RawClient.connect(concord.ports.tcp);
    await plain.login(concord.domain, 'plain', 'plain-secret');
    plain.write(form('add-user', `<field var='accountjid'><value>dave@${concord.domain}</value></field><field var='password'><value>x</value></field>`));
    await plain.waitFor(/<forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'\/>/);
    plain.end();

    // root is an admin through its account flag (concordctl account add --admin).
    const admins = await RawClient.connect(concord.ports.tcp);
    await concordctl(['account', 'remove', `root@${concord.domain}`]);
    await concordctl(['account', 'add', `root@${concord.domain}`, 'root-secret', '--admin']);
    await admins.login(concord.domain, 'root', 'root-secret');
    admins.write(form('add-user', `<field var='accountjid'><value>dave@${concord.domain}</value></field><field var='password'><value>dave-secret</value></field>`));
    await admins.waitFor(/status='completed'/);
    expect(await canLogin('dave', 'dave-secret')).toBe(true);
    admins.clear();
    admins.write(form('delete-user', `<field var='accountjids'><value>dave@${concord.domain}</value></field>`));
    await admins.waitFor(/status='completed'/);
    admins.end();
    expect(await canLogin('dave', 'dave-secret')).toBe(false);
  });

  async function concordctl(args: string[]) {
    const r = spawnSync(process.execPath, [join(ROOT, 'tools', 'concordctl', 'dist', 'main.js'), ...args], {
      env: { ...process.env, CONCORD_CASSANDRA_KEYSPACE: concord.name, CONCORD_BUS_PREFIX: concord.name },
      encoding: 'utf8',
    });
    return r;
  }

  it('concordctl account add, passwd, list and remove', async () => {
    const add = await concordctl(['account', 'add', `erin@${concord.domain}`, 'erin-1']);
    expect(add.status).toBe(0);
    expect(await canLogin('erin', 'erin-1')).toBe(true);
    expect((await concordctl(['account', 'add', `erin@${concord.domain}`, 'x'])).status).toBe(1);
    expect((await concordctl(['account', 'passwd', `erin@${concord.domain}`, 'erin-2'])).status).toBe(0);
    expect(await canLogin('erin', 'erin-1')).toBe(false);
    expect(await canLogin('erin', 'erin-2')).toBe(true);
    expect((await concordctl(['account', 'list'])).stdout.split('\n')).toContain(`erin@${concord.domain}`);
    expect((await concordctl(['account', 'remove', `erin@${concord.domain}`])).status).toBe(0);
    expect(await canLogin('erin', 'erin-2')).toBe(false);
    const bad = await concordctl(['account', 'add', 'not a jid', 'pw']);
    expect(bad.status).toBe(64);
    expect(bad.stderr).toMatch(/not a valid JID/);
  });
});
