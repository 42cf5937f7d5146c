import { pathToFileURL } from 'node:url';
import { BotConfigError } from './channels/bot-files.js';
import { ConfigError, loadConfig, readEnvFile } from './config.js';
import { type StartOptions, startGateway } from './server.js';
import { PostgresStartError } from './store/index.js';

/**
 * Starts the gateway from the environment (plus `.env`), and stops it on SIGTERM/SIGINT.
 * The only place that reads `process.env` or exits the process.
 */
export async function runMain(
  options: Omit<StartOptions, 'onGeneratedKey' | 'onGeneratedAdmin'> = {},
): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  const env = { ...readEnvFile('.env'), ...process.env };
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`neurodesk: refusing to start, ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway(config, {
      ...options,
      env,
      onGeneratedKey: (key) =>
        process.stdout.write(
          `No NEURODESK_API_KEYS set: generated an API key for this data dir (shown once, kept in ${config.dataDir}/api-key):\n  ${key}\n`,
        ),
      onGeneratedAdmin: (login, password) =>
        process.stdout.write(
          `No console operators yet: created "${login}" with password ${password} (shown once; add operators with npm run operators -- add)\n`,
        ),
    });
  } catch (err) {
    if (err instanceof BotConfigError || err instanceof PostgresStartError) {
      process.stderr.write(`neurodesk: refusing to start, ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  process.stdout.write(`neurodesk listening on ${gateway.url}\n`);
  if (config.demoPage.enabled) process.stdout.write(`demo shop with the chat widget: ${gateway.url}/demo\n`);

  let signalled = false;
  const stop = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    gateway.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      gateway.logger.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 1000);
    force.unref();
    gateway.close().then(
      (ok) => process.exit(ok ? 0 : 1),
      (err) => {
        gateway.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runMain().catch((err) => {
    process.stderr.write(`neurodesk: failed to start: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
