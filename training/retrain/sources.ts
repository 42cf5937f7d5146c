import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import { sha256Files, validationSplit, versionName } from '../classifier/train-classifier.js';
import { dataFileList, type LabelledData, readLabelledFiles } from '../data.js';
import { textKey } from '../labels/derive.js';
import type { ClassifierRetrainOptions } from './options.js';
import { evaluationFilesOf } from './provenance-files.js';

/** The columns of the data files a retraining reads (as `npm run train` reads them). */
export const COLS = { textCol: 'text', labelCol: 'category' };
/** SHA-256 of a file, hex. */
export const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** A hash of the resolved labels: equal hashes mean nothing new to learn. */
export function labelsHash(labels: ReadonlyArray<{ text: string; category: string }>): string {
  const lines = labels.map((l) => `${textKey(l.text)}\t${l.category}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/**
 * The fixed regression set: the one given, else the evaluation file the version in service's
 * provenance names (role `regression`, else `test`), else the one its retraining recorded, else
 * `test.csv` (or `.jsonl`) beside the base training file.
 */
export function regressionFileFor(
  o: ClassifierRetrainOptions,
  old: ClassifierNet,
  baseFile: string,
  warn: (line: string) => void = () => {},
): string {
  if (o.regressionFile) return o.regressionFile;
  const fromProvenance = evaluationFilesOf(old.meta.provenance, warn);
  if (fromProvenance.length > 0) return fromProvenance.map((f) => f.file).join(',');
  const recorded = old.meta.retraining?.regressionSet.file;
  if (recorded) return recorded;
  for (const ext of [extname(baseFile), '.csv', '.jsonl']) {
    const candidate = join(dirname(baseFile), `test${ext}`);
    if (existsSync(candidate) && basename(candidate) !== basename(baseFile)) return candidate;
  }
  throw new Error(
    `no regression set: none recorded with ${old.location!.version} and no test file beside ${baseFile}; pass --regression FILE`,
  );
}

/** The base training data of the version in service, checked against the hash it recorded. */
export function readBaseData(
  o: ClassifierRetrainOptions,
  old: ClassifierNet,
): { file: string; files: string[]; rows: number[]; sha256: string; data: LabelledData } {
  const served = `${old.location!.name}/${old.location!.version}`;
  // A net trained on several files (a bilingual one) records them as a comma list.
  const file = o.baseDataFile ?? old.meta.trainingData.file;
  const files = dataFileList([file]);
  const missing = files.find((f) => !existsSync(f));
  if (missing)
    throw new Error(`the base training data ${missing} of ${served} is missing; pass --base-data FILE`);
  const sha256 = sha256Files(file);
  if (!o.baseDataFile && sha256 !== old.meta.trainingData.sha256) {
    throw new Error(
      `${file} changed since ${served} was trained (SHA-256 differs); pass --base-data ${file} to train on it anyway`,
    );
  }
  const { texts, labels, rows } = readLabelledFiles(files, COLS);
  return { file, files, rows, sha256, data: { texts, labels } };
}

/**
 * The base rows the version in service validated on, as its training drew them (the same
 * split function, fraction and seed): they never trained it, so they can validate the next one.
 */
export function baseValidationRows(base: LabelledData, fraction: number, seed: number): Set<number> {
  const labels = [...new Set(base.labels)].sort();
  const y = Int32Array.from(base.labels, (l) => labels.indexOf(l));
  return new Set(validationSplit(y, fraction, seed).val);
}

/** A version name for now that no folder under `root` has yet. */
export function uniqueVersion(root: string, at: Date): string {
  const base = versionName(at);
  let v = base;
  for (let i = 2; existsSync(join(root, v)); i++) v = `${base}-${i}`;
  return v;
}
