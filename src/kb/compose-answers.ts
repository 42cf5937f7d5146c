import type { Config } from '../config.js';
import type { BotRegistry } from '../core/bots/bot.js';
import type { AnswerSuggester } from '../core/ports.js';
import type { Feature } from '../feature.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { netsReadiness } from '../nets/feature.js';
import type { NetRegistry } from '../nets/runtime/net-registry.js';
import type { Store } from '../store/index.js';
import { AnswerIndexes } from './answer-indexes.js';
import { answersRoutes } from './answers-routes.js';
import { DEFAULT_KB, KnowledgeBase } from './knowledge-base.js';
import { suggestRoute } from './suggest-route.js';
import { QaSuggester } from './suggester.js';

/** What the answers feature is built from. */
export interface AnswersParts {
  config: Config;
  store: Store;
  bots: BotRegistry;
  nets: NetRegistry;
  logger: Logger;
  metrics: Metrics;
  /** A suggester injected by a test: no two-tower net is loaded then. */
  suggester?: AnswerSuggester;
}

/** The knowledge bases, their answer vectors and suggestions, as the composition root mounts them. */
export interface AnswersFeature extends Feature {
  knowledgeBase: KnowledgeBase;
  indexes: AnswerIndexes;
  suggester: AnswerSuggester;
  /** The two-tower nets to load at start: the default one and every one a bot names. */
  netNames: string[];
  /** Embeds the answers of every knowledge base the served nets answer for, then keeps them current. */
  start(): Promise<void>;
}

/**
 * Builds the answer suggestion feature: seeds an empty default knowledge base, keeps the
 * answer vectors in step with the answers and with the two-tower net version in service,
 * and serves `/api/v1/answers` and `/api/v1/suggest`.
 */
export function composeAnswers(p: AnswersParts): AnswersFeature {
  const { config, bots, nets, logger } = p;
  const knowledgeBase = new KnowledgeBase(p.store.knowledgeBase);
  const seed = async () => {
    if (!config.kb.seedFile) return;
    try {
      const added = await knowledgeBase.seedIfEmpty(DEFAULT_KB, config.kb.seedFile);
      if (added > 0) logger.info({ answers: added, file: config.kb.seedFile }, 'knowledge base seeded');
    } catch (err) {
      logger.error(
        { err, file: config.kb.seedFile },
        'knowledge base seed failed: starting with an empty knowledge base',
      );
    }
  };
  const indexes = new AnswerIndexes(knowledgeBase, nets, logger.child({ module: 'answers' }));
  const netNames = p.suggester
    ? []
    : [...new Set([config.kb.qaNet, ...bots.all().map((b) => b.config.nets.qa)])];
  const kbsOf = (net: string) => [
    ...new Set([
      DEFAULT_KB,
      ...bots
        .all()
        .filter((b) => b.config.nets.qa === net)
        .map((b) => b.config.nets.kb ?? DEFAULT_KB),
    ]),
  ];
  const suggester = p.suggester ?? new QaSuggester(indexes, knowledgeBase, nets);
  let syncTimer: NodeJS.Timeout | undefined;

  return {
    name: 'kb',
    knowledgeBase,
    indexes,
    suggester,
    netNames,
    readiness: netsReadiness('answers', nets, netNames),
    mounts: [
      answersRoutes({
        kb: knowledgeBase,
        bodyLimitBytes: config.bodyLimitBytes,
        importLimitBytes: config.kb.importLimitBytes,
      }),
      suggestRoute({
        suggester,
        netName: config.kb.qaNet,
        bodyLimitBytes: config.bodyLimitBytes,
        metrics: p.metrics,
      }),
    ],
    async start() {
      // Seeded before the answer vectors are built, so they include the seed.
      await seed();
      for (const name of netNames) {
        if (!nets.served(name)) continue;
        for (const kb of kbsOf(name)) await indexes.sync(name, kb);
      }
      syncTimer = setInterval(() => void indexes.syncAll(), config.kb.syncIntervalMs);
      syncTimer.unref();
    },
    async close() {
      clearInterval(syncTimer);
      await indexes.idle();
      indexes.dispose();
    },
  };
}
