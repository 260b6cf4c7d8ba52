/**
 * Removing an account removes everything it owns (as prosodyctl deluser and ejabberdctl
 * unregister do), whichever way it is removed: an account created again with the same name
 * starts with an empty archive and roster, and the operator is told what went.
 */
import { startConcord, type RunningConcord } from '../support/concord';
import { concordctl } from '../support/concordctl';
import { RawClient } from '../support/raw-client';
import { eventually, requireStack } from '../support/stack';

describe('account removal', () => {
  requireStack();
  let concord: RunningConcord;

  beforeAll(async () => {
    concord = await startConcord('acctremove', { CONCORD_GATEWAY_REGISTRATION: 'true' });
    await concord.addAccount('gina', 'gina-secret');
  }, 60_000);

  afterAll(() => concord.stop());

  /** Logs in, puts gina on the roster and sends her a message, archived once acked. */
  async function leaveTraces(local: string, password: string): Promise<RawClient> {
    await concord.addAccount(local, password);
    const c = await RawClient.connect(concord.ports.tcp);
    await c.login(concord.domain, local, password, 'desk');
    await c.enableSm();
    c.send(`<iq type='set' id='r1'><query xmlns='jabber:iq:roster'><item jid='gina@${concord.domain}'/></query></iq>`);
    await c.waitFor(/<iq[^>]*id=['"]r1['"]/);
    c.send(`<message to='gina@${concord.domain}' type='chat' id='m1'><body>before removal</body></message>`);
    await c.allAcked();
    expect((await concord.archived(`${local}@${concord.domain}`)).length).toBe(1);
    return c;
  }

  /** Created again with the same name, the account has no history and no roster. */
  async function startsEmpty(local: string, password: string): Promise<void> {
    await eventually(async () => ((await concord.archived(`${local}@${concord.domain}`)).length === 0 ? true : undefined), 10_000, 'the archive deleted');
    await concord.addAccount(local, password);
    const c = await RawClient.connect(concord.ports.tcp);
    await c.login(concord.domain, local, password, 'again');
    c.write(`<iq type='get' id='r2'><query xmlns='jabber:iq:roster'/></iq>`);
    const roster = await c.waitFor(/<iq[^>]*id=['"]r2['"][\s\S]*?(<\/iq>|\/>)/);
    expect(roster).not.toContain('gina@');
    c.end();
  }

  it('concordctl account remove takes the archive, roster and push data and says so', async () => {
    const c = await leaveTraces('frank', 'frank-secret');
    c.end();
    const r = await concordctl(concord, ['account', 'remove', `frank@${concord.domain}`]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/removed frank@\S+: 1 roster item, 0 push registrations, 0 notification preferences; its archive is deleted by the history event at position \d+/);
    await startsEmpty('frank', 'frank-2');
    expect((await concordctl(concord, ['account', 'remove', `nobody@${concord.domain}`])).status).toBe(1);
  });

  it('XEP-0077 in-band removal takes everything too', async () => {
    const c = await leaveTraces('hana', 'hana-secret');
    c.send(`<iq type='set' id='u1'><query xmlns='jabber:iq:register'><remove/></query></iq>`);
    await c.waitClosed();
    await startsEmpty('hana', 'hana-2');
  });
});
