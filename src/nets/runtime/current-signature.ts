import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What `<name>/CURRENT` names now, and a signature that changes when it or that version's manifest does. */
export interface CurrentSignature {
  version: string | null;
  signature: string;
}

const mtime = (path: string) => {
  try {
    return String(statSync(path).mtimeMs);
  } catch {
    return '-';
  }
};

/**
 * Reads `<nameDir>/CURRENT` cheaply (the poll calls this every few seconds for every net).
 * The signature lets a version that failed be skipped until someone changes CURRENT or
 * republishes the version's manifest.
 */
export function currentSignature(nameDir: string): CurrentSignature {
  let version: string | null = null;
  try {
    version = readFileSync(join(nameDir, 'CURRENT'), 'utf8').trim();
  } catch {
    return { version: null, signature: 'no CURRENT' };
  }
  const manifest = /^[\w.-]+$/.test(version) ? mtime(join(nameDir, version, 'manifest.json')) : '-';
  return { version, signature: `${version}|${mtime(join(nameDir, 'CURRENT'))}|${manifest}` };
}
