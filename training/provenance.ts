import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
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

/**
 * The licence line of a data file's folder, when its README states one (`**Licence:** …`):
 * its first two sentences, so a net records the terms of what it learned from.
 */
export function licenceNear(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(resolve(dirname(resolve(file)), 'README.md'), 'utf8');
  } catch {
    return undefined;
  }
  const m =
    /^[\s>*-]*\*\*Licen[cs]e:\*\*\s*(.+(?:\n[ \t]+\S.*)*)/im.exec(text) ??
    /^Licen[cs]e:\s*(.+)$/im.exec(text);
  if (!m?.[1]) return undefined;
  // A README's item runs over several indented lines: one line of text, up to two sentences.
  const line = m[1].replace(/\s+/g, ' ').trim();
  const sentence = line
    .split(/(?<=\.)\s+(?=[A-Z`])/)
    .slice(0, 2)
    .join(' ');
  return sentence.replaceAll('`', '').slice(0, 400);
}
