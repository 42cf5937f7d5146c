import { existsSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type Csr, csrFromRows } from '../model/csr.js';
import { type ImportProblem, ImportRejected } from './importer.js';
import { readRecordBatches } from './read-records.js';

/**
 * Item-to-item lists computed elsewhere (a distributed engine, for catalogues past the dense
 * bound): rows of `itemId, neighbourId, score`, best first per item after sorting by score.
 * They are checked like every import, then kept beside the database; while the file is there,
 * builds serve these lists instead of computing EASE (personal, "buy again", cold start and
 * live events work on them as they do on the built ones).
 */
export const NEIGHBOURS_FILE = 'shop-neighbours.json.gz';

/** At most this many neighbours per item are kept (more say nothing a page of 100 can show). */
export const MAX_IMPORTED_NEIGHBOURS = 500;

const PROBLEMS = 20;

/** The neighbours file of the database at `dbPath`. */
export function neighboursPath(dbPath: string): string {
  return join(dirname(dbPath), NEIGHBOURS_FILE);
}

/** item id → [neighbour id, score][] best first. */
export type NeighbourLists = Map<string, [string, number][]>;

/**
 * Reads and checks a neighbours file (CSV with columns `item_id,neighbour_id,score` — or
 * `itemId,neighbourId,score` — or JSONL with those fields; optionally .gz). Every id must
 * name a catalogue product (`known`); a score is a finite number; an item is not its own
 * neighbour; a pair appears once. Any bad row refuses the whole file.
 */
export async function readNeighbours(path: string, known: ReadonlySet<string>): Promise<NeighbourLists> {
  const problems: ImportProblem[] = [];
  const lists: NeighbourLists = new Map();
  const seen = new Set<string>();
  for await (const batch of readRecordBatches(path)) {
    for (const rec of batch) {
      if (problems.length >= PROBLEMS) break;
      const bad = (message: string) => problems.push({ file: path, line: rec.line, message });
      if (rec.error) {
        bad(rec.error);
        continue;
      }
      const row = (rec.csv ?? rec.value) as Record<string, unknown> | undefined;
      if (!row || typeof row !== 'object') {
        bad('expected an object with itemId, neighbourId, score');
        continue;
      }
      const item = row.itemId ?? row.item_id;
      const neighbour = row.neighbourId ?? row.neighbour_id;
      const rawScore = row.score;
      const score = typeof rawScore === 'string' && rawScore.trim() !== '' ? Number(rawScore) : rawScore;
      if (typeof item !== 'string' || item === '') bad('itemId: required');
      else if (typeof neighbour !== 'string' || neighbour === '') bad('neighbourId: required');
      else if (typeof score !== 'number' || !Number.isFinite(score))
        bad(`score: expected a number, got ${JSON.stringify(rawScore ?? null)}`);
      else if (!known.has(item)) bad(`itemId: unknown product "${item}"`);
      else if (!known.has(neighbour)) bad(`neighbourId: unknown product "${neighbour}"`);
      else if (item === neighbour) bad(`neighbourId: "${item}" cannot be its own neighbour`);
      else if (seen.has(`${item}\u0000${neighbour}`)) bad(`pair "${item}" → "${neighbour}" given twice`);
      else {
        seen.add(`${item}\u0000${neighbour}`);
        const list = lists.get(item) ?? [];
        if (list.length === 0) lists.set(item, list);
        list.push([neighbour, score]);
      }
    }
  }
  if (problems.length > 0) throw new ImportRejected(problems);
  for (const [item, list] of lists) {
    list.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    if (list.length > MAX_IMPORTED_NEIGHBOURS) lists.set(item, list.slice(0, MAX_IMPORTED_NEIGHBOURS));
  }
  return lists;
}

/** Replaces the stored lists (written to a temporary file, then renamed: readers see old or new). */
export function storeNeighbours(dbPath: string, lists: NeighbourLists): number {
  const path = neighboursPath(dbPath);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, gzipSync(JSON.stringify(Object.fromEntries(lists))));
  renameSync(tmp, path);
  let pairs = 0;
  for (const list of lists.values()) pairs += list.length;
  return pairs;
}

/** Removes the stored lists: builds compute their own again. */
export function removeNeighbours(dbPath: string): boolean {
  const path = neighboursPath(dbPath);
  if (!existsSync(path)) return false;
  unlinkSync(path);
  return true;
}

/** When the stored lists last changed (ms), or 0 when there are none. */
export function neighboursStamp(dbPath: string): number {
  const path = neighboursPath(dbPath);
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

/** The stored lists as rows over `items` (ids no longer in the catalogue are dropped), or undefined. */
export function loadNeighbours(dbPath: string, items: readonly string[]): Csr | undefined {
  const path = neighboursPath(dbPath);
  if (!existsSync(path)) return undefined;
  const lists = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as Record<
    string,
    [string, number][]
  >;
  const index = new Map(items.map((id, i) => [id, i]));
  return csrFromRows(
    items.map((id) => {
      const list = (lists[id] ?? []).filter(([n]) => index.has(n));
      return {
        index: Int32Array.from(list, ([n]) => index.get(n)!),
        values: Float32Array.from(list, ([, s]) => s),
      };
    }),
  );
}
