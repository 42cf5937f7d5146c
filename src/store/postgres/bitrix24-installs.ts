import type { Bitrix24Install, Bitrix24InstallStore } from '../../channels/bitrix24/installs-port.js';
import type { Clock } from '../../core/ports.js';
import { execute, type PgPool, queryOne } from './db.js';

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
 * Bitrix24 installations in PostgreSQL: the `application_token` given at ONAPPINSTALL (every
 * later event must carry it) and the freshest OAuth tokens seen, which replies are sent with.
 */
export class PgBitrix24Installs implements Bitrix24InstallStore {
  constructor(
    private readonly pool: PgPool,
    private readonly clock: Clock,
  ) {}

  /** The installation of `bot` on the portal `memberId`. */
  async get(bot: string, memberId: string): Promise<Bitrix24Install | undefined> {
    const r = await queryOne<Row>(
      this.pool,
      'SELECT * FROM bitrix24_installs WHERE bot = $1 AND member_id = $2',
      [bot, memberId],
    );
    return r && toInstall(r);
  }

  /** Records (or renews, on a reinstall or update) an installation. */
  async install(i: Bitrix24Install): Promise<void> {
    await execute(
      this.pool,
      `INSERT INTO bitrix24_installs (bot, member_id, domain, client_endpoint, application_token, access_token,
         refresh_token, expires_at, installed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
       ON CONFLICT (bot, member_id) DO UPDATE SET domain = excluded.domain, client_endpoint = excluded.client_endpoint,
         application_token = excluded.application_token, access_token = excluded.access_token,
         refresh_token = excluded.refresh_token, expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
      [
        i.bot,
        i.memberId,
        i.domain,
        i.clientEndpoint,
        i.applicationToken,
        i.accessToken,
        i.refreshToken,
        i.expiresAt,
        this.clock.now(),
      ],
    );
  }

  /** Keeps the freshest OAuth tokens (an older event never overwrites newer ones). */
  async saveTokens(
    bot: string,
    memberId: string,
    t: { accessToken: string; refreshToken?: string; expiresAt: number },
  ): Promise<void> {
    await execute(
      this.pool,
      `UPDATE bitrix24_installs SET access_token = $3, refresh_token = COALESCE($4, refresh_token),
         expires_at = $5, updated_at = $6
       WHERE bot = $1 AND member_id = $2 AND (expires_at IS NULL OR expires_at <= $5)`,
      [bot, memberId, t.accessToken, t.refreshToken ?? null, t.expiresAt, this.clock.now()],
    );
  }
}
