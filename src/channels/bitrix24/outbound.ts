/**
 * Replies to Bitrix24 through the portal's REST endpoint (`client_endpoint` of the event):
 * imbot.message.add (https://apidocs.bitrix24.com/api-reference/chat-bots/messages/imbot-message-add.html),
 * and for Open Lines chats the handoff imopenlines.bot.session.operator, which gives the
 * dialog to a free operator (https://apidocs.bitrix24.com/api-reference/imopenlines/openlines/chat-bots/imopenlines-bot-session-operator.html).
 * Calls carry the freshest OAuth token seen for the portal; an expired one is renewed with
 * the refresh token at the OAuth server (https://apidocs.bitrix24.com/settings/oauth/index.html).
 */
import { type BotRegistry, channelSettings } from '../../core/bots/bot.js';
import type { Clock, OutboxItem, ProductCard } from '../../core/ports.js';
import type { ChannelOutbound, PlannedSend, ReplyAction, SendOutcome } from '../../core/replies.js';
import { attempt, callPlatform, outcomeOfStatus, type PlatformResponse } from '../http-client.js';
import type { Bitrix24ReplyContext } from './inbound.js';
import type { Bitrix24InstallStore } from './installs-port.js';
import type { Bitrix24Settings } from './settings.js';

/** The body of a planned Bitrix24 call: the portal and the method's parameters. */
export interface Bitrix24Call {
  memberId: string;
  params: Record<string, unknown>;
}

/** Options of the Bitrix24 outbound side. */
export interface Bitrix24OutboundOptions {
  bots: BotRegistry;
  installs: Bitrix24InstallStore;
  clock: Clock;
  oauthUrl: string;
  timeoutMs: number;
}

// Renew a token this close to its expiry rather than have the call fail.
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Products as an attachment's blocks (https://apidocs.bitrix24.com/api-reference/chats/messages/attachments/index.html):
 * a LINK card for a product with a page, a GRID row (title | price) for one without.
 */
export function productBlocks(items: readonly ProductCard[]): Record<string, unknown>[] {
  const price = (p: ProductCard) => (p.price !== null ? p.price.toFixed(2) : '');
  return items.map((p) =>
    p.url
      ? { LINK: { NAME: p.title, DESC: price(p), LINK: p.url } }
      : { GRID: [{ DISPLAY: 'ROW', NAME: p.title, VALUE: price(p) }] },
  );
}

/** The Bitrix24 outbound side. */
export function bitrix24Outbound(o: Bitrix24OutboundOptions): ChannelOutbound {
  const refresh = async (bot: string, memberId: string): Promise<string | undefined> => {
    const b24 = channelSettings<Bitrix24Settings>(o.bots.get(bot), 'bitrix24');
    const install = await o.installs.get(bot, memberId);
    if (!b24 || !install?.refreshToken) return undefined;
    const q = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: b24.clientId,
      client_secret: b24.clientSecret,
      refresh_token: install.refreshToken,
    });
    const r = await callPlatform(`${o.oauthUrl.replace(/\/+$/, '')}/oauth/token/?${q}`, {
      method: 'GET',
      timeoutMs: o.timeoutMs,
    });
    const t = r.json as { access_token?: string; refresh_token?: string; expires_in?: number } | undefined;
    if (r.status !== 200 || !t?.access_token) return undefined;
    const expiresAt = o.clock.now() + (t.expires_in ?? 3600) * 1000;
    await o.installs.saveTokens(bot, memberId, {
      accessToken: t.access_token,
      refreshToken: t.refresh_token,
      expiresAt,
    });
    return t.access_token;
  };

  const errorOf = (r: PlatformResponse) => (r.json as { error?: string } | undefined)?.error;

  return {
    channel: 'bitrix24',
    plan(action: ReplyAction, conversation): PlannedSend[] {
      const c = conversation.replyContext as Bitrix24ReplyContext;
      const message = (text: string): PlannedSend => ({
        kind: 'imbot.message.add',
        payload: { memberId: c.memberId, params: { BOT_ID: c.botId, DIALOG_ID: c.dialogId, MESSAGE: text } },
      });
      if (action.kind === 'message') return [message(action.text)];
      if (action.kind === 'products') {
        const params = {
          BOT_ID: c.botId,
          DIALOG_ID: c.dialogId,
          MESSAGE: action.heading,
          ATTACH: productBlocks(action.items),
        };
        return [{ kind: 'imbot.message.add', payload: { memberId: c.memberId, params } }];
      }
      if (action.kind !== 'handoff') return [];
      const sends = [message(action.text)];
      if (c.lines && c.chatId) {
        sends.push({
          kind: 'imopenlines.bot.session.operator',
          payload: { memberId: c.memberId, params: { CHAT_ID: c.chatId } },
        });
      }
      return sends;
    },
    async send(item: OutboxItem): Promise<SendOutcome> {
      const call = item.payload as Bitrix24Call;
      const install = await o.installs.get(item.bot, call.memberId);
      if (!install) return { status: 'failed', error: `bitrix24: no installation for this portal` };
      const name = `bitrix24 ${item.kind}`;
      return attempt(name, async () => {
        let token = install.accessToken;
        if (!token || (install.expiresAt !== null && install.expiresAt - EXPIRY_MARGIN_MS <= o.clock.now())) {
          token = (await refresh(item.bot, call.memberId)) ?? token;
        }
        const post = (auth: string | null) =>
          callPlatform(`${install.clientEndpoint}${item.kind}`, {
            body: { ...call.params, auth: auth ?? undefined },
            timeoutMs: o.timeoutMs,
          });
        let r = await post(token);
        if (r.status === 401 && ['expired_token', 'invalid_token'].includes(errorOf(r) ?? '')) {
          const renewed = await refresh(item.bot, call.memberId);
          if (!renewed) return { status: 'retry', error: `${name}: token expired and could not be renewed` };
          r = await post(renewed);
        }
        // QUERY_LIMIT_EXCEEDED comes as 503: retried like any 5xx.
        const outcome = outcomeOfStatus(name, r, errorOf(r));
        const result = (r.json as { result?: unknown } | undefined)?.result;
        return outcome.status === 'sent' ? { status: 'sent', externalId: result?.toString() } : outcome;
      });
    },
  };
}

/**
 * The imbot.register call that makes the bot known on a freshly installed portal, with
 * this gateway's webhook as the handler of its events
 * (https://apidocs.bitrix24.com/api-reference/chat-bots/imbot-register.html). The bot's
 * type (`B` standard, `O` Open Lines, `H` human-like, `S` supervisor) and its Open Lines
 * mode come from the bot file.
 */
export function registerBotCall(
  memberId: string,
  settings: Pick<Bitrix24Settings, 'botCode' | 'botType' | 'openLines'>,
  name: string,
  handlerUrl: string,
): PlannedSend {
  return {
    kind: 'imbot.register',
    payload: {
      memberId,
      params: {
        CODE: settings.botCode,
        TYPE: settings.botType,
        OPENLINE: settings.openLines ? 'Y' : 'N',
        EVENT_MESSAGE_ADD: handlerUrl,
        EVENT_WELCOME_MESSAGE: handlerUrl,
        EVENT_BOT_DELETE: handlerUrl,
        PROPERTIES: { NAME: name, WORK_POSITION: 'neurodesk' },
      },
    } satisfies Bitrix24Call,
  };
}
