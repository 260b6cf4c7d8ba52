import { enforceOpaqueString, JidError } from '@concord/jid';
import { PasswordError } from './errors';

/**
 * Password preparation with the PRECIS OpaqueString profile (RFC 8265 §4.2), which replaces
 * SASLprep (RFC 4013) for XMPP: the same implementation as JID resourceparts (@concord/jid),
 * and the result must not be empty. The same function runs when a password is stored and when a
 * PLAIN password is checked, so both sides hash identical bytes; SCRAM clients prepare on their side.
 * Throws PasswordError when the result is empty
 * or contains a code point the profile disallows (controls, unassigned, default-ignorable such as
 * U+00AD or U+FE0F, line/paragraph separators, private use...). The message names the kind of
 * code point, never the password.
 */
export function preparePassword(password: string): string {
  let prepared: string;
  try {
    prepared = enforceOpaqueString(password, 'whole');
  } catch (err) {
    if (!(err instanceof JidError)) throw err;
    throw new PasswordError('disallowed-code-point', `password refused: ${err.reason}`);
  }
  if (prepared.length === 0) throw new PasswordError('empty', 'password is empty');
  return prepared;
}
