import type { Store } from '../../store/index.js';
import { checkEvents, checkProducts, MAX_PROBLEMS } from '../batch.js';
import type { ImportCounts, ImportMark } from '../store-port.js';
import type { Product, ShopEvent } from '../types.js';
import { eventFromCsv, productFromCsv } from './coerce.js';
import { readRecordBatches } from './read-records.js';

/** Files to import; either may be left out. */
export interface ImportFiles {
  products?: string;
  events?: string;
}

/** A problem in an import file, by file and line. */
export interface ImportProblem {
  file: string;
  line: number;
  message: string;
}

/** An import that was refused: nothing was stored. */
export class ImportRejected extends Error {
  constructor(readonly problems: ImportProblem[]) {
    const first = problems[0]!;
    super(
      `${first.file} line ${first.line}: ${first.message} (${problems.length} problem(s); nothing was stored)`,
    );
    this.name = 'ImportRejected';
  }
}

/** Validated rows, ready to store. */
export interface ParsedImport {
  products: Product[];
  events: ShopEvent[];
}

/**
 * Reads and validates both files completely before anything is stored (so a bad row
 * anywhere refuses the whole import). Events must name a product of the file or of the
 * catalogue (`existing`). Up to {@link MAX_PROBLEMS} problems are collected.
 */
export async function readImport(
  files: ImportFiles,
  now: number,
  existing: ReadonlySet<string>,
): Promise<ParsedImport> {
  const problems: ImportProblem[] = [];
  const products: Product[] = [];
  const events: ShopEvent[] = [];
  const known = new Set(existing);
  if (files.products) {
    for await (const batch of readRecordBatches(files.products)) {
      for (const rec of batch) {
        if (problems.length >= MAX_PROBLEMS) break;
        if (rec.error) {
          problems.push({ file: files.products, line: rec.line, message: rec.error });
          continue;
        }
        const checked = checkProducts([rec.csv ? productFromCsv(rec.csv) : rec.value], () => rec.line);
        if (!checked.ok)
          problems.push({ file: files.products, line: rec.line, message: checked.problems[0]!.message });
        else {
          products.push(checked.values[0]!);
          known.add(checked.values[0]!.id);
        }
      }
    }
  }
  if (files.events) {
    for await (const batch of readRecordBatches(files.events)) {
      for (const rec of batch) {
        if (problems.length >= MAX_PROBLEMS) break;
        if (rec.error) {
          problems.push({ file: files.events, line: rec.line, message: rec.error });
          continue;
        }
        const checked = checkEvents([rec.csv ? eventFromCsv(rec.csv) : rec.value], now, (id) =>
          known.has(id),
        );
        if (!checked.ok)
          problems.push({ file: files.events, line: rec.line, message: checked.problems[0]!.message });
        else events.push(checked.values[0]!);
      }
    }
  }
  if (problems.length > 0) throw new ImportRejected(problems);
  return { products, events };
}

/** Stores validated rows in one transaction; `mark` (a shop state key and value) is set in the same one. */
export function storeImport(
  store: Pick<Store, 'shopImport'>,
  data: ParsedImport,
  mark?: ImportMark,
): Promise<ImportCounts> {
  return store.shopImport.storeImport(data, mark);
}
