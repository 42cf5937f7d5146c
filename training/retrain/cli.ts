import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type Config, loadConfig, readEnvFile } from '../../src/config.js';
import { systemClock } from '../../src/core/ports.js';
import { initBackend } from '../../src/nets/backend.js';
import { openCommandLock, openCommandStore } from '../../src/store/open-store.js';
import type { CliIo } from '../commands.js';
import { parseSince } from '../labels/since.js';
import { botNets } from './bot-nets.js';
import { LockHeldError, RunLock } from './lock.js';
import { type RetrainOutcome, retrainClassifier } from './retrain-classifier.js';
import { retrainQa } from './retrain-qa.js';

/** Exit codes of `npm run retrain`, for cron jobs and the scheduler. */
/** The cluster lock one retraining run holds (a scheduled tick holds its own, `retrain`, around its runs). */
export const RETRAIN_RUN_LOCK = 'retrain-run';

export const RETRAIN_EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, locked: 4 } as const;

const USAGE = `usage: npm run retrain -- classifier --bot NAME [--since DATE|DURATION] [--dry-run] [--force REASON]
         [--max-epochs N] [--replay N|all] [--seed N] [--held-out FRACTION] [--regression FILE] [--base-data FILE]
         [--from-scratch] [--shuffle-labels] [--swap-categories A,B] [--train-fraction F] [--backend auto|wasm|cpu] [--data-dir DIR] [--nets-dir DIR] [--bots-dir DIR]
       npm run retrain -- qa --bot NAME [--since DATE|DURATION] [--dry-run] [--force REASON]
         [--max-epochs N] [--seed N] [--held-out FRACTION] [--regression FILE] [--from-scratch] [--shuffle-labels] ...
exit codes: 0 promoted, forced, dry run or skipped; 1 failed; 2 usage; 3 refused by the gate; 4 another run holds the lock
`;

const OPTIONS = {
  bot: { type: 'string' },
  since: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  force: { type: 'string' },
  'max-epochs': { type: 'string' },
  replay: { type: 'string' },
  seed: { type: 'string' },
  'held-out': { type: 'string' },
  regression: { type: 'string' },
  'base-data': { type: 'string' },
  'shuffle-labels': { type: 'boolean', default: false },
  'from-scratch': { type: 'boolean', default: false },
  'swap-categories': { type: 'string' },
  'train-fraction': { type: 'string' },
  backend: { type: 'string', default: 'auto' },
  'data-dir': { type: 'string' },
  'nets-dir': { type: 'string' },
  'bots-dir': { type: 'string' },
} as const;

class UsageError extends Error {}

function since(text: string, now: Date): Date {
  try {
    return parseSince(text, now);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function integer(name: string, text: string | undefined, min: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`--${name}: expected an integer ≥ ${min}, got "${text}"`);
  return n;
}

/** Runs `retrain KIND ...`; returns the exit code. `env` supplies the config (the gateway's keys). */
export async function runRetrainCli(
  argv: string[],
  io: CliIo,
  env: Record<string, string | undefined>,
  now: () => Date = () => new Date(),
): Promise<number> {
  const [kind, ...rest] = argv;
  let values: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof OPTIONS; strict: true }>
  >['values'];
  let config: Config;
  try {
    if (kind !== 'classifier' && kind !== 'qa')
      throw new UsageError(kind ? `unknown kind "${kind}"` : 'which net? classifier or qa');
    ({ values } = parseArgs({ args: rest, options: OPTIONS, strict: true }));
    if (!values.bot) throw new UsageError('--bot NAME is required');
    if (kind === 'qa') {
      for (const flag of ['base-data', 'swap-categories', 'train-fraction', 'replay'] as const)
        if (values[flag] !== undefined) throw new UsageError(`--${flag} is for the classifier only`);
    }
    if (
      values['swap-categories'] !== undefined &&
      values['swap-categories'].split(',').filter(Boolean).length !== 2
    )
      throw new UsageError('--swap-categories: expected two categories, A,B');
    if (
      values['train-fraction'] !== undefined &&
      !(Number(values['train-fraction']) > 0 && Number(values['train-fraction']) <= 1)
    )
      throw new UsageError('--train-fraction: expected a fraction above 0, at most 1');
    if (values.replay !== undefined) {
      if (values.replay !== 'all' && !/^\d+$/.test(values.replay))
        throw new UsageError(
          `--replay: expected a number of base rows per epoch or "all", got "${values.replay}"`,
        );
      if (
        values['from-scratch'] ||
        values['shuffle-labels'] ||
        values['swap-categories'] !== undefined ||
        values['train-fraction'] !== undefined
      )
        throw new UsageError('--replay is for fine-tunes: a run from scratch trains on all the base data');
    }
    if (values.force !== undefined && values.force.trim() === '')
      throw new UsageError('--force needs a reason');
    config = loadConfig(env);
  } catch (err) {
    io.err.write(`retrain: ${(err as Error).message}\n${USAGE}`);
    return RETRAIN_EXIT.usage;
  }
  const dataDir = values['data-dir'] ?? config.dataDir;
  const netsDir = values['nets-dir'] ?? config.netsDir;
  const botsDir = values['bots-dir'] ?? config.botsDir;
  let lock: RunLock;
  try {
    lock = RunLock.acquire(join(dataDir, 'retrain.lock'), `retrain ${kind} --bot ${values.bot}`, { now });
  } catch (err) {
    if (!(err instanceof LockHeldError)) throw err;
    io.err.write(`retrain: ${err.message}\n`);
    return RETRAIN_EXIT.locked;
  }
  let store: Awaited<ReturnType<typeof openCommandStore>>;
  try {
    store = await openCommandStore(config, { clock: systemClock, dataDir, command: 'retrain' });
  } catch (err) {
    lock.release();
    io.err.write(`retrain ${kind}: failed: ${(err as Error).message}\n`);
    return RETRAIN_EXIT.failed;
  }
  // On PostgreSQL the gateways' machines share one database: a run here and one on another
  // machine (manual or scheduled) take turns on a cluster lock, beside this machine's lock file.
  const cluster = openCommandLock(config);
  const bot = values.bot as string; // required: checked with the other arguments above
  const work = async (): Promise<number> => {
    try {
      const heldOut =
        values['held-out'] === undefined ? config.retrain.heldOutFraction : Number(values['held-out']);
      if (!(heldOut >= 0 && heldOut <= 0.5))
        throw new UsageError('--held-out: expected a fraction from 0 to 0.5');
      const options = {
        bot,
        since: values.since === undefined ? undefined : since(values.since, now()),
        dryRun: values['dry-run'],
        force: values.force,
        seed: integer('seed', values.seed, 0),
        maxEpochs: integer('max-epochs', values['max-epochs'], 1),
        replayRows: values.replay === 'all' ? 0 : integer('replay', values.replay, 1),
        heldOutFraction: heldOut,
        gate: config.retrain.gate,
        regressionFile: values.regression,
        baseDataFile: values['base-data'],
        shuffleLabels: values['shuffle-labels'],
        fromScratch: values['from-scratch'],
        swapCategories: values['swap-categories']?.split(',').map((c) => c.trim()) as
          | [string, string]
          | undefined,
        trainFraction: values['train-fraction'] === undefined ? undefined : Number(values['train-fraction']),
      };
      const backend = await initBackend(values.backend as 'auto');
      const shared = {
        runs: store.trainingRuns,
        netsDir,
        netsCacheBytes: config.nets.cacheBytes,
        reportsDir: join(dataDir, 'training-reports'),
        now,
        io,
        backend: backend.name,
      };
      const outcome: RetrainOutcome =
        kind === 'qa'
          ? await retrainQa(
              {
                ...shared,
                labels: store.labels,
                qaOf: (bot) => {
                  const nets = botNets(botsDir, bot);
                  return { net: nets.qa, kb: nets.kb };
                },
                kbAnswers: async (kb) =>
                  (
                    await store.knowledgeBase.list({ kb, active: true, limit: 1_000_000, offset: 0 })
                  ).answers.map((a) => ({
                    id: a.id,
                    text: a.text,
                    category: a.category,
                    createdAt: a.createdAt,
                  })),
              },
              options,
            )
          : await retrainClassifier(
              { ...shared, labels: store.labels, netOf: (bot) => botNets(botsDir, bot).classifier },
              options,
            );
      return outcome.status === 'refused' ? RETRAIN_EXIT.refused : RETRAIN_EXIT.ok;
    } catch (err) {
      if (err instanceof UsageError) {
        io.err.write(`retrain: ${err.message}\n${USAGE}`);
        return RETRAIN_EXIT.usage;
      }
      io.err.write(`retrain ${kind}: failed: ${(err as Error).message}\n`);
      return RETRAIN_EXIT.failed;
    }
  };
  try {
    if (!cluster) return await work();
    const outcome = await cluster.lock.tryRun(RETRAIN_RUN_LOCK, work);
    if (outcome.ran) return outcome.value;
    io.err.write(
      'retrain: another retraining run holds the cluster lock (on another machine); try again when it ends\n',
    );
    return RETRAIN_EXIT.locked;
  } catch (err) {
    io.err.write(`retrain ${kind}: failed: ${(err as Error).message}\n`);
    return RETRAIN_EXIT.failed;
  } finally {
    await store.close();
    await cluster?.close();
    lock.release();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = { ...readEnvFile('.env'), ...process.env };
  let stopping = false;
  // Ctrl-C mid-training: the lock goes with the process (a dead holder's lock is taken over anyway).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(
        `\nretrain: ${signal}, stopping; the run is recorded as interrupted by the next run\n`,
      );
      process.exit(130);
    });
  }
  void runRetrainCli(process.argv.slice(2), { out: process.stdout, err: process.stderr }, env).then(
    (code) => {
      process.exitCode = code;
    },
  );
}
