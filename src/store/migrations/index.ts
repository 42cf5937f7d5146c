import { sql as initial } from './001-initial.js';
import { sql as gateway } from './002-gateway.js';
import { sql as operators } from './003-operators.js';
import { sql as shop } from './004-shop.js';
import { sql as knowledgeBase } from './005-knowledge-base.js';
import { sql as trainingRuns } from './006-training-runs.js';
import { sql as consoleTeam } from './007-console-team.js';
import { sql as cluster } from './008-cluster.js';
import { sql as kbUsage } from './009-kb-usage.js';

/** One forward-only schema step; `version` is its position in {@link MIGRATIONS}, from 1. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every migration, oldest first. Append only: a released migration is never edited. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001-initial', sql: initial },
  { version: 2, name: '002-gateway', sql: gateway },
  { version: 3, name: '003-operators', sql: operators },
  { version: 4, name: '004-shop', sql: shop },
  { version: 5, name: '005-knowledge-base', sql: knowledgeBase },
  { version: 6, name: '006-training-runs', sql: trainingRuns },
  { version: 7, name: '007-console-team', sql: consoleTeam },
  { version: 8, name: '008-cluster', sql: cluster },
  { version: 9, name: '009-kb-usage', sql: kbUsage },
];
