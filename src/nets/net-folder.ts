import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * A net on disk is a folder `nets/<name>/<version>/` of files plus `manifest.json` with each
 * file's size and SHA-256, and `nets/<name>/CURRENT` holds the version in service. Versions
 * are written to a temporary folder and renamed into place, and CURRENT is replaced by a
 * rename too: a reader sees a complete net or none, never a half-written one.
 */

/** The checksum manifest of a version folder. */
export interface Manifest {
  files: Record<string, { bytes: number; sha256: string }>;
}

/** A version folder located from a name or version path. */
export interface NetLocation {
  dir: string;
  name: string;
  version: string;
}

/** A net folder that is missing, incomplete or altered. */
export class NetFolderError extends Error {
  constructor(
    readonly dir: string,
    detail: string,
  ) {
    super(`net folder ${dir}: ${detail}`);
    this.name = 'NetFolderError';
  }
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Writes a file and flushes it to disk, so a rename that follows never exposes a torn file. */
function writeDurable(path: string, data: Uint8Array | string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a folder's entries (the renames in it) to disk. */
function syncDir(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Resolves `nets/NAME` (its CURRENT version) or `nets/NAME/VERSION` to a version folder.
 */
export function locateNet(path: string): NetLocation {
  const dir = resolve(path);
  if (existsSync(join(dir, 'manifest.json')))
    return { dir, name: basename(dirname(dir)), version: basename(dir) };
  const current = join(dir, 'CURRENT');
  if (existsSync(current)) {
    const version = readFileSync(current, 'utf8').trim();
    if (!/^[\w.-]+$/.test(version))
      throw new NetFolderError(dir, `CURRENT names an invalid version "${version}"`);
    const vdir = join(dir, version);
    if (!existsSync(join(vdir, 'manifest.json'))) {
      throw new NetFolderError(dir, `CURRENT names version "${version}", which has no manifest.json`);
    }
    return { dir: vdir, name: basename(dir), version };
  }
  throw new NetFolderError(dir, 'neither a version folder (manifest.json) nor a net name folder (CURRENT)');
}

/** Reads every file of a version folder, checking each against the manifest. */
export function readNetFiles(dir: string): Map<string, Buffer> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch (err) {
    throw new NetFolderError(dir, `manifest.json is missing or unreadable (${(err as Error).message})`);
  }
  if (!manifest.files || typeof manifest.files !== 'object')
    throw new NetFolderError(dir, 'manifest.json lists no files');
  const files = new Map<string, Buffer>();
  for (const [file, expected] of Object.entries(manifest.files)) {
    if (file.includes('/') || file.includes('\\') || file.startsWith('.')) {
      throw new NetFolderError(dir, `manifest.json names an invalid file "${file}"`);
    }
    let data: Buffer;
    try {
      data = readFileSync(join(dir, file));
    } catch {
      throw new NetFolderError(dir, `${file} is missing`);
    }
    if (data.byteLength !== expected.bytes) {
      throw new NetFolderError(
        dir,
        `${file} is ${data.byteLength} bytes, the manifest says ${expected.bytes} (truncated?)`,
      );
    }
    if (sha256(data) !== expected.sha256)
      throw new NetFolderError(dir, `${file} does not match its SHA-256 (altered?)`);
    files.set(file, data);
  }
  return files;
}

/**
 * Writes a new version folder `<root>/<version>` atomically, then points `<root>/CURRENT` at
 * it (unless `setCurrent` is false). Fails if the version exists.
 */
export function publishNet(
  root: string,
  version: string,
  files: Map<string, Uint8Array>,
  setCurrent = true,
): NetLocation {
  if (!/^[\w.-]+$/.test(version)) throw new Error(`invalid version name "${version}"`);
  mkdirSync(root, { recursive: true });
  const dir = join(resolve(root), version);
  if (existsSync(dir)) throw new Error(`${dir} already exists`);
  const tmp = join(resolve(root), `.tmp-${version}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const manifest: Manifest = { files: {} };
  for (const [name, data] of files) {
    writeDurable(join(tmp, name), data);
    manifest.files[name] = { bytes: data.byteLength, sha256: sha256(data) };
  }
  writeDurable(join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  syncDir(tmp);
  renameSync(tmp, dir);
  syncDir(resolve(root));
  if (setCurrent) setCurrentVersion(root, version);
  return { dir, name: basename(resolve(root)), version };
}

/** Points `<root>/CURRENT` at a version by writing a temporary file and renaming it over. */
export function setCurrentVersion(root: string, version: string): void {
  if (!statSync(join(root, version, 'manifest.json')).isFile())
    throw new Error(`${version} is not a net version`);
  const tmp = join(root, `.CURRENT-${process.pid}`);
  writeDurable(tmp, `${version}\n`);
  renameSync(tmp, join(root, 'CURRENT'));
  syncDir(root);
}
