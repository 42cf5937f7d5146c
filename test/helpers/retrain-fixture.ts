import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { initBackend } from '../../src/nets/backend.js';
import { trainClassifier } from '../../training/classifier/train-classifier.js';
import { type LabelledData, readLabelled } from '../../training/data.js';
import { tempDir } from './config.js';
import { tinyOptions } from './toy-classifier.js';

/** The categories the small base net knows (real BANKING77 texts). */
export const BASE_CATEGORIES = [
  'apple_pay_or_google_pay',
  'card_arrival',
  'exchange_rate',
  'pin_blocked',
  'top_up_failed',
];

/** The category operators introduce in the tests: the base net has never seen it. */
export const NEW_CATEGORY = 'terminate_account';

const BANKING77 = 'training/data/banking77';
const cols = { textCol: 'text', labelCol: 'category' };

/** The first `perCategory` rows of each category of a BANKING77 file. */
export function bankingSubset(
  file: 'train' | 'test',
  categories: readonly string[],
  perCategory: number,
  skip = 0,
): LabelledData {
  const all = readLabelled(join(BANKING77, `${file}.csv`), cols);
  const out: LabelledData = { texts: [], labels: [] };
  for (const c of categories) {
    const idx = all.labels.flatMap((l, i) => (l === c ? [i] : [])).slice(skip, skip + perCategory);
    for (const i of idx) {
      out.texts.push(all.texts[i]!);
      out.labels.push(c);
    }
  }
  return out;
}

/** Writes labelled data as a text,category CSV. */
export function writeCsv(path: string, data: LabelledData): string {
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  writeFileSync(
    path,
    `text,category\n${data.texts.map((t, i) => `${q(t)},${q(data.labels[i]!)}`).join('\n')}\n`,
  );
  return path;
}

/** A deployment in miniature: data dir, nets dir with a small trained classifier, bots dir with bot `desk`. */
export interface RetrainFixture {
  root: string;
  dataDir: string;
  netsDir: string;
  botsDir: string;
  netName: string;
  baseFile: string;
  regressionFile: string;
  /** Texts of the new category for operators to label (from BANKING77 train). */
  newTexts: string[];
  /** Other texts of the new category, never labelled (from BANKING77 test): probes. */
  probeTexts: string[];
}

/**
 * Builds the fixture: 60 texts per base category to train on, their 40 texts each of BANKING77
 * test as the regression set, a net trained on them in a second or two (version `v1`, CURRENT),
 * and a bot `desk` that uses it.
 */
export async function makeRetrainFixture(o: { maxEpochs?: number } = {}): Promise<RetrainFixture> {
  await initBackend('wasm');
  const root = tempDir('neurodesk-retrain-');
  const dataDir = join(root, 'data');
  const netsDir = join(root, 'nets');
  const botsDir = join(root, 'bots');
  for (const d of [dataDir, netsDir, botsDir, join(root, 'corpus')]) mkdirSync(d, { recursive: true });
  const baseFile = writeCsv(join(root, 'corpus', 'train.csv'), bankingSubset('train', BASE_CATEGORIES, 60));
  const regressionFile = writeCsv(
    join(root, 'corpus', 'test.csv'),
    bankingSubset('test', BASE_CATEGORIES, 40),
  );
  const netName = 'desk-classifier';
  const data = readLabelled(baseFile, cols);
  const options = tinyOptions(data, baseFile, 3);
  const { net } = trainClassifier({
    ...options,
    name: netName,
    train: { ...options.train, maxEpochs: o.maxEpochs ?? 6 },
  });
  net.save(join(netsDir, netName), 'v1');
  net.dispose();
  const bot = JSON.parse(readFileSync('bots/bank-support.json', 'utf8'));
  bot.name = 'desk';
  bot.nets.classifier = netName;
  writeFileSync(join(botsDir, 'desk.json'), JSON.stringify(bot, null, 2));
  return {
    root,
    dataDir,
    netsDir,
    botsDir,
    netName,
    baseFile,
    regressionFile,
    newTexts: bankingSubset('train', [NEW_CATEGORY], 40).texts,
    probeTexts: bankingSubset('test', [NEW_CATEGORY], 20).texts,
  };
}

/** Stores one operator action on a new customer message of bot `bot`, as the console would. */
export function storeAction(
  db: Database.Database,
  a: {
    bot?: string;
    text: string;
    category: string | null;
    action?: string;
    at: number;
    operator?: string;
    answer?: string;
  },
): number {
  const conv = db
    .prepare(
      `INSERT INTO conversations (bot, channel, external_chat_id, created_at, updated_at) VALUES (?, 'rest', ?, ?, ?)`,
    )
    .run(a.bot ?? 'desk', `chat-${Math.random().toString(36).slice(2)}`, a.at, a.at).lastInsertRowid;
  const msg = db
    .prepare(
      `INSERT INTO messages (conversation_id, direction, author, channel, text, created_at) VALUES (?, 'in', 'customer', 'rest', ?, ?)`,
    )
    .run(conv, a.text, a.at).lastInsertRowid;
  db.prepare(
    `INSERT INTO operator_actions (conversation_id, message_id, operator, action, category, text, prediction_ids, net_versions, created_at)
     VALUES (?, ?, ?, ?, ?, ?, '[]', '{}', ?)`,
  ).run(conv, msg, a.operator ?? 'ann', a.action ?? 'correct_category', a.category, a.answer ?? null, a.at);
  return Number(msg);
}
