/**
 * A cluster for the tests and the bench: gateway processes (the keyword fixture, as the
 * reliability suite runs them) on one throwaway PostgreSQL database and one shared nets
 * folder, nginx in front with deploy/nginx/neurodesk.conf, and a fake platform that answers
 * every call and keeps it (the replies are counted from it).
 */
import pg from 'pg';
import { tempDir } from './config.js';
import { operatorsConfig } from './console-client.js';
import { type Nginx, startNginx } from './nginx.js';
import { type GatewayProcess, spawnGateway } from './process.js';
import { gatewayEnv } from './reliability.js';
import { PlatformStandIn } from './stand-in.js';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** The database every instance uses (a throwaway one per test file). */
  databaseUrl: string;
  instances: number;
  nginx?: string;
  /** Extra environment of every instance. */
  env?: Record<string, string>;
}

/** A running cluster. */
export interface Cluster {
  api: PlatformStandIn;
  gateways: Array<GatewayProcess | undefined>;
  lb: Nginx | undefined;
  db: pg.Pool;
  netsDir: string;
  /** The environment instance `i` was started with (to start it again on its port). */
  envOf(i: number): Record<string, string>;
  /** Starts instance `i` again (after a kill) on the port it had. */
  restart(i: number): Promise<GatewayProcess>;
  close(): Promise<void>;
}

/** Starts `instances` gateways one after another (the first one migrates), then nginx. */
export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const api = await PlatformStandIn.start(() => ({ body: { ok: true, result: { message_id: 1 } } }));
  const netsDir = tempDir('neurodesk-shared-nets-');
  const operators = await operatorsConfig();
  const envs: Array<Record<string, string>> = [];
  const gateways: Array<GatewayProcess | undefined> = [];
  for (let i = 0; i < o.instances; i++) {
    envs.push(
      gatewayEnv(tempDir(`neurodesk-instance-${i}-`), api.url, {
        NEURODESK_DATABASE_URL: o.databaseUrl,
        NEURODESK_NETS_DIR: netsDir,
        NEURODESK_TRUST_PROXY: 'loopback',
        NEURODESK_CONSOLE_OPERATORS: operators,
        NEURODESK_SHOP_DEMO: 'off',
        NEURODESK_DEMO_PAGE: 'off',
        ...o.env,
      }),
    );
    gateways.push(await spawnGateway('test/fixtures/keyword-gateway.ts', envs[i]!, 120_000));
    // Later starts take the port the first run got, so nginx's upstream stays right.
    envs[i]!.PORT = new URL(gateways[i]!.url).port;
  }
  const lb = o.nginx
    ? await startNginx(
        o.nginx,
        gateways.map((g) => Number(new URL(g!.url).port)),
      )
    : undefined;
  const db = new pg.Pool({ connectionString: o.databaseUrl, max: 4 });
  db.on('error', () => {});
  return {
    api,
    gateways,
    lb,
    db,
    netsDir,
    envOf: (i) => envs[i]!,
    async restart(i) {
      gateways[i] = await spawnGateway('test/fixtures/keyword-gateway.ts', envs[i]!, 120_000);
      return gateways[i]!;
    },
    async close() {
      await lb?.close();
      await Promise.all(
        gateways.map(async (g) => {
          if (!g || g.child.exitCode !== null || g.child.signalCode !== null) return;
          g.child.kill('SIGTERM');
          await Promise.race([g.exited, new Promise((r) => setTimeout(r, 15_000))]);
          g.child.kill('SIGKILL');
        }),
      );
      await db.end();
      await api.close();
    },
  };
}

/** One number from a query. */
export async function count(db: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const r = await db.query(sql, params);
  return Number(Object.values(r.rows[0] ?? { n: 0 })[0] ?? 0);
}

/** Waits until no job or reply is left to do (pending, running or sending), up to `timeoutMs`. */
export async function drained(db: pg.Pool, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const open =
      (await count(db, "SELECT count(*) FROM jobs WHERE status IN ('pending', 'running')")) +
      (await count(db, "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')"));
    if (open === 0) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`${open} jobs and replies still open after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
