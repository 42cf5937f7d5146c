import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Provenance, ProvenanceFile } from '../../src/nets/provenance.js';
import { formatRows } from '../export/cli.js';
import { makeProvenance, provenanceFile, provenancePath } from '../provenance.js';

/**
 * The evaluation file a net's provenance names (role `regression`, else `test`) that still
 * exists, or null (older nets record none: the caller falls back to its other fields). A file
 * whose hash changed since is still used, with a warning: the comparison is then on other texts.
 */
export function evaluationFileOf(
  provenance: Provenance | undefined,
  warn: (line: string) => void,
): { file: string; entry: ProvenanceFile } | null {
  return evaluationFilesOf(provenance, warn)[0] ?? null;
}

/**
 * Every evaluation file of the first role (`regression`, else `test`) the provenance names
 * that still exists: a bilingual net records one test file per language, and the regression
 * set is all of them.
 */
export function evaluationFilesOf(
  provenance: Provenance | undefined,
  warn: (line: string) => void,
): Array<{ file: string; entry: ProvenanceFile }> {
  for (const role of ['regression', 'test'] as const) {
    const found: Array<{ file: string; entry: ProvenanceFile }> = [];
    for (const entry of provenance?.files.filter((f) => f.role === role) ?? []) {
      const file = provenancePath(entry.file);
      if (!existsSync(file)) {
        warn(`the ${role} file ${entry.file} recorded with the version in service is missing`);
        continue;
      }
      const now = provenanceFile(role, file, entry.rows);
      if (now.sha256 !== entry.sha256)
        warn(
          `the ${role} file ${entry.file} changed since the version in service recorded it (SHA-256 differs)`,
        );
      found.push({ file, entry });
    }
    if (found.length > 0) return found;
  }
  return [];
}

/**
 * Writes what a run learned from the database (operators' labels or pairs, the knowledge base)
 * as a CSV beside the run's reports, in the data folder (customers' texts stay there, never in
 * a net folder), and returns its provenance entry.
 */
export function writeRunExport(
  reportsDir: string,
  runId: number,
  role: 'labels' | 'kb',
  columns: string[],
  rows: Array<Record<string, string | number | null>>,
): ProvenanceFile {
  const dir = join(dirname(reportsDir), 'training-inputs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `run-${runId}-${role}.csv`);
  writeFileSync(file, formatRows(rows, columns, 'csv'));
  return provenanceFile(role, file, rows.length);
}

export { makeProvenance, provenanceFile };
