import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OperatorActionKind } from '../src/core/conversation-port.js';
import { locateNet, type NetLocation } from '../src/nets/net-folder.js';
import { seededRandom, shuffle } from '../src/nets/random.js';
import type { Store } from '../src/store/index.js';
import { readLabelled } from '../training/data.js';

/** A scratch workplace for a retraining bench, and the BANKING77 test split it simulates. */
export interface RetrainBench {
  root: string;
  dirs: { data: string; nets: string; bots: string };
  /** The committed net, copied in as the version in service. */
  served: NetLocation;
  test: { texts: string[]; labels: string[] };
  /** BANKING77 test indices: the first half becomes operators' actions, the rest the regression set. */
  operatorRows: number[];
  regressionFile: string;
  /** Points CURRENT back at the version in service (between runs). */
  resetCurrent(): void;
}

/**
 * Builds `bench/tmp/NAME` afresh: the committed net as the version in service, the default bot
 * naming it for `role`, and BANKING77 test split in two by a seeded shuffle (seed 77, the same
 * for every retraining bench), the second half written as the regression set (text, category).
 */
export function prepareRetrainBench(name: string, netPath: string, role: 'classifier' | 'qa'): RetrainBench {
  const root = join('bench', 'tmp', name);
  const dirs = { data: join(root, 'data'), nets: join(root, 'nets'), bots: join(root, 'bots') };
  rmSync(root, { recursive: true, force: true });
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const served = locateNet(netPath);
  cpSync(served.dir, join(dirs.nets, served.name, served.version), { recursive: true });
  const resetCurrent = () => writeFileSync(join(dirs.nets, served.name, 'CURRENT'), `${served.version}\n`);
  resetCurrent();
  const bot = JSON.parse(readFileSync('bots/bank-support.json', 'utf8'));
  bot.nets[role] = served.name;
  writeFileSync(join(dirs.bots, 'bank-support.json'), JSON.stringify(bot));

  const test = readLabelled('training/data/banking77/test.csv', { textCol: 'text', labelCol: 'category' });
  const order = shuffle(
    test.texts.map((_, i) => i),
    seededRandom(77),
  );
  const half = Math.floor(order.length / 2);
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const regressionFile = join(root, 'regression.csv');
  writeFileSync(
    regressionFile,
    `text,category\n${order
      .slice(half)
      .map((i) => `${q(test.texts[i]!)},${test.labels[i]}`)
      .join('\n')}\n`,
  );
  return { root, dirs, served, test, operatorRows: order.slice(0, half), regressionFile, resetCurrent };
}

/**
 * Stores one operator action on a customer's message, as the gateway and the console would,
 * through the store's ports: the customer's message (its conversation with it), then the
 * action (with its category and the text the operator sent, if any). `clock` must read `at`.
 */
export async function storeOperatorAction(
  store: Pick<Store, 'inbox' | 'console'>,
  at: number,
  text: string,
  action: { action: OperatorActionKind; category: string; text: string | null },
): Promise<void> {
  const { conversationId, messageId } = await store.inbox.accept({
    bot: 'bank-support',
    channel: 'rest',
    deliveryId: `bench-${at}`,
    chatId: `bench-${at}`,
    text,
  });
  await store.console.recordAction({
    conversationId,
    messageId,
    operator: 'bench',
    action: action.action,
    category: action.category,
    answerId: null,
    text: action.text,
    predictionIds: [],
    netVersions: {},
  });
}
