import { describe, expect, it } from 'vitest';
import { signChatwoot, verifyChatwoot } from '../../../src/channels/chatwoot/signature.js';
import { signSlack, verifySlack } from '../../../src/channels/slack/signature.js';

const NOW = 1_700_000_000_000;
const body = Buffer.from('{"type":"event_callback","event_id":"Ev1"}');

describe('slack request signatures', () => {
  // The example of https://api.slack.com/authentication/verifying-requests-from-slack
  it('match Slack’s documented example', () => {
    const raw =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlack('8f742231b10e8888abcd99yyyzzz85a5', '1531420618', raw)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('accept a fresh, correct signature and refuse a wrong one, a missing one and a stale or future timestamp', () => {
    const ts = String(NOW / 1000);
    const ok = {
      secret: 's',
      rawBody: body,
      timestamp: ts,
      signature: signSlack('s', ts, body),
      nowMs: NOW,
      toleranceMs: 300_000,
    };
    expect(verifySlack(ok)).toBe(true);
    expect(verifySlack({ ...ok, signature: signSlack('other', ts, body) })).toBe(false);
    expect(verifySlack({ ...ok, signature: undefined })).toBe(false);
    expect(verifySlack({ ...ok, rawBody: Buffer.from(`${body} `) })).toBe(false);
    expect(verifySlack({ ...ok, nowMs: NOW + 300_001 })).toBe(false);
    expect(verifySlack({ ...ok, nowMs: NOW - 300_001 })).toBe(false);
    expect(verifySlack({ ...ok, nowMs: NOW + 299_000 })).toBe(true);
    expect(verifySlack({ ...ok, timestamp: 'soon' })).toBe(false);
  });
});

describe('chatwoot webhook signatures', () => {
  it('are HMAC-SHA256 over "{timestamp}.{body}" with a sha256= prefix, within the window', () => {
    const ts = String(NOW / 1000);
    const signature = signChatwoot('secret', ts, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    const ok = {
      secret: 'secret',
      rawBody: body,
      timestamp: ts,
      signature,
      nowMs: NOW,
      toleranceMs: 300_000,
    };
    expect(verifyChatwoot(ok)).toBe(true);
    expect(verifyChatwoot({ ...ok, signature: signature.replace('sha256=', '') })).toBe(false);
    expect(verifyChatwoot({ ...ok, timestamp: String(NOW / 1000 + 1) })).toBe(false);
    expect(verifyChatwoot({ ...ok, nowMs: NOW + 301_000 })).toBe(false);
  });
});
