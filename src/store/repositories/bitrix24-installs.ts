import type Database from 'better-sqlite3';
import type { Bitrix24Install, Bitrix24InstallStore } from '../../channels/bitrix24/installs-port.js';
import type { Clock } from '../../core/ports.js';

export type { Bitrix24Install };

interface Row {
  bot: string;
  member_id: string;
  domain: string;
  client_endpoint: string;
  application_token: string;
  access_token: string | null;
  refresh_token: string | null;
  expires_at: number | null;
}

const toInstall = (r: Row): Bitrix24Install => ({
  bot: r.bot,
  memberId: r.member_id,
  domain: r.domain,
  clientEndpoint: r.client_endpoint,
  applicationToken: r.application_token,
  accessToken: r.access_token,
  refreshToken: r.refresh_token,
  expiresAt: r.expires_at,
});

/**
 * Bitrix24 installations: the `application_token` given at ONAPPINSTALL (every later event
 * must carry it, https://apidocs.bitrix24.com/api-reference/events/safe-event-handlers.html)
 * and the freshest OAuth tokens seen, which replies are sent with.
 */
export class SqliteBitrix24Installs implements Bitrix24InstallStore {
  private readonly getStmt;
  private readonly installStmt;
  private readonly tokensStmt;

  constructor(
    db: Database.Database,
    private readonly clock: Clock,
  ) {
    this.getStmt = db.prepare<[string, string], Row>(
      'SELECT * FROM bitrix24_installs WHERE bot = ? AND member_id = ?',
    );
    this.installStmt = db.prepare(
      `INSERT INTO bitrix24_installs (bot, member_id, domain, client_endpoint, application_token, access_token,
         refresh_token, expires_at, installed_at, updated_at)
       VALUES (@bot, @memberId, @domain, @clientEndpoint, @applicationToken, @accessToken, @refreshToken, @expiresAt,
         @now, @now)
       ON CONFLICT (bot, member_id) DO UPDATE SET domain = excluded.domain, client_endpoint = excluded.client_endpoint,
         application_token = excluded.application_token, access_token = excluded.access_token,
         refresh_token = excluded.refresh_token, expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
    );
    this.tokensStmt = db.prepare(
      `UPDATE bitrix24_installs SET access_token = @accessToken, refresh_token = COALESCE(@refreshToken, refresh_token),
         expires_at = @expiresAt, updated_at = @now
       WHERE bot = @bot AND member_id = @memberId AND (expires_at IS NULL OR expires_at <= @expiresAt)`,
    );
  }

  /** The installation of `bot` on the portal `memberId`. */
  async get(bot: string, memberId: string): Promise<Bitrix24Install | undefined> {
    const r = this.getStmt.get(bot, memberId);
    return r && toInstall(r);
  }

  /** Records (or renews, on a reinstall or update) an installation. */
  async install(i: Bitrix24Install): Promise<void> {
    this.installStmt.run({ ...i, now: this.clock.now() });
  }

  /** Keeps the freshest OAuth tokens (an older event never overwrites newer ones). */
  async saveTokens(
    bot: string,
    memberId: string,
    t: { accessToken: string; refreshToken?: string; expiresAt: number },
  ): Promise<void> {
    this.tokensStmt.run({
      bot,
      memberId,
      accessToken: t.accessToken,
      refreshToken: t.refreshToken ?? null,
      expiresAt: t.expiresAt,
      now: this.clock.now(),
    });
  }
}
