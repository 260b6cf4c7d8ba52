import { parseElement } from '@concord/xml';
import { NS } from '@concord/xmpp';
import { readPrefChanges } from './preferences';
import { readPublishOptions } from './registrations';

const notify = (children: string) => parseElement(`<notify xmlns='${NS.concord}'>${children}</notify>`);

describe('notify set (DESIGN §7)', () => {
  it('reads each conversation with its level, JIDs normalized', () => {
    expect(readPrefChanges(notify(`<conversation jid='Bob@Example.com' level='none'/><conversation jid='room@muc.example.com' level='mentions'/>`)))
      .toEqual([{ conversation: 'bob@example.com', level: 'none' }, { conversation: 'room@muc.example.com', level: 'mentions' }]);
  });

  it.each([
    ['no conversation', '', 'bad-request'],
    ['an unknown level', `<conversation jid='bob@example.com' level='loud'/>`, 'bad-request'],
    ['no level', `<conversation jid='bob@example.com'/>`, 'bad-request'],
    ['no jid', `<conversation level='all'/>`, 'bad-request'],
    ['a full JID', `<conversation jid='bob@example.com/phone' level='all'/>`, 'jid-malformed'],
    ['a malformed JID', `<conversation jid='@@' level='all'/>`, 'jid-malformed'],
  ])('refuses %s', (_what, children, condition) => {
    expect(() => readPrefChanges(notify(children))).toThrow(expect.objectContaining({ condition }));
  });
});

describe('XEP-0357 publish-options', () => {
  const enable = (form: string) => parseElement(`<enable xmlns='${NS.push}' jid='push.example.com' node='n1'>${form}</enable>`);

  it('keeps the fields without FORM_TYPE', () => {
    const form = `<x xmlns='${NS.dataForms}' type='submit'><field var='FORM_TYPE'><value>${NS.pubsubPublishOptions}</value></field>` +
      `<field var='secret'><value>eruio234vzxc2kla-91</value></field><field var='include-body'><value>1</value></field></x>`;
    expect(readPublishOptions(enable(form))).toEqual({ secret: ['eruio234vzxc2kla-91'], 'include-body': ['1'] });
    expect(readPublishOptions(enable(''))).toEqual({});
  });

  it('refuses a form of another type', () => {
    const form = `<x xmlns='${NS.dataForms}' type='submit'><field var='FORM_TYPE'><value>urn:other</value></field></x>`;
    expect(() => readPublishOptions(enable(form))).toThrow(expect.objectContaining({ condition: 'bad-request' }));
  });
});
