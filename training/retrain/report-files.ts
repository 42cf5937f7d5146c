import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Writes `NAME.html` and `NAME.txt` into `dir`, each complete or not at all. */
export function writeReportFiles(dir: string, name: string, html: string, text: string): void {
  writeAtomically(join(dir, `${name}.html`), html);
  writeAtomically(join(dir, `${name}.txt`), text);
}
