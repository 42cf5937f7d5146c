import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Provenance, ProvenanceFile } from '../src/nets/provenance.js';

const ROOT = resolve(import.meta.dirname, '..');

/** The commit of the code at hand, `-dirty` when the work tree has changes; `unknown` outside git. */
export function gitCommit(cwd = ROOT): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}

/** One file's entry: its hash, rows and path relative to the project when it lies inside it. */
export function provenanceFile(
  role: ProvenanceFile['role'],
  file: string,
  rows: number,
  licence?: string,
): ProvenanceFile {
  const abs = resolve(file);
  const rel = relative(ROOT, abs);
  return {
    role,
    file: rel.startsWith('..') ? abs : rel,
    sha256: createHash('sha256').update(readFileSync(abs)).digest('hex'),
    rows,
    ...(licence ? { licence } : {}),
  };
}

/** A provenance record for files used now, by the code at hand. */
export function makeProvenance(recipe: string, files: ProvenanceFile[]): Provenance {
  return { commit: gitCommit(), recipe, files };
}

/** A provenance entry's file as a path to open: relative entries are relative to the project root. */
export function provenancePath(file: string): string {
  return resolve(ROOT, file);
}

/**
 * The licence of a data file as its folder's README states it: the first sentence after
 * `**Licence:**` (e.g. "Creative Commons Attribution 4.0 International (`LICENSE.txt`),
 * BANKING77 by PolyAI (Casanueva et al. 2020)."), or undefined when there is none.
 */
export function dataLicence(file: string): string | undefined {
  const readme = join(dirname(resolve(file)), 'README.md');
  if (!existsSync(readme)) return undefined;
  const text = readFileSync(readme, 'utf8');
  const at = text.search(/\*\*Licen[cs]e:\*\*/);
  if (at < 0) return undefined;
  const rest = text
    .slice(at)
    .replace(/^\*\*Licen[cs]e:\*\*\s*/, '')
    .replace(/\s+/g, ' ');
  const end = rest.search(/(?<!\b(?:al|e\.g|i\.e))\.(\s|$)/);
  return (end < 0 ? rest : rest.slice(0, end + 1)).slice(0, 400).trim();
}
