/** What the Bitrix24 channel needs from the store: the portals' installations of a bot's application. */

/** One portal's installation of a bot's application. Holds secrets: never log it. */
export interface Bitrix24Install {
  bot: string;
  memberId: string;
  domain: string;
  clientEndpoint: string;
  applicationToken: string;
  accessToken: string | null;
  refreshToken: string | null;
  expiresAt: number | null;
}

/**
 * Bitrix24 installations: the `application_token` given at ONAPPINSTALL (every later event
 * must carry it, https://apidocs.bitrix24.com/api-reference/events/safe-event-handlers.html)
 * and the freshest OAuth tokens seen, which replies are sent with.
 */
export interface Bitrix24InstallStore {
  get(bot: string, memberId: string): Promise<Bitrix24Install | undefined>;
  /** Stores (or replaces) a portal's installation. */
  install(i: Bitrix24Install): Promise<void>;
  /** Keeps the freshest OAuth tokens (an older event never overwrites newer ones). */
  saveTokens(
    bot: string,
    memberId: string,
    t: { accessToken: string; refreshToken?: string; expiresAt: number },
  ): Promise<void>;
}
