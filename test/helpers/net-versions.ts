import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassifierNet } from '../../src/nets/classifier/classifier-net.js';
import type { ClassifierMeta } from '../../src/nets/classifier/meta.js';
import { publishNet, setCurrentVersion } from '../../src/nets/net-folder.js';
import { trainClassifier } from '../../training/classifier/train-classifier.js';
import { tempDir } from './config.js';
import { tinyOptions, toyData, writeToyCsv } from './toy-classifier.js';

/** Ways a version on disk can be broken. */
export const DAMAGES = [
  'truncated weights',
  'flipped byte',
  'wrong-shape topology',
  'checksum mismatch',
  'changed golden label',
  'NaN weight',
] as const;

/** One way a version on disk can be broken. */
export type Damage = (typeof DAMAGES)[number];

/** What a reload of each damaged version must say (the reason, in the log and the 422). */
export const DAMAGE_REASON: Record<Damage, RegExp> = {
  'truncated weights': /weights\.bin is \d+ bytes, the manifest says \d+ \(truncated\?\)/,
  'flipped byte': /weights\.bin does not match its SHA-256/,
  'wrong-shape topology': /weight conv\/kernel2 has shape .*, expected/,
  'checksum mismatch': /meta\.json does not match its SHA-256/,
  'changed golden label': /canary: 1 of \d+ golden inputs changed label/,
  'NaN weight': /classify: output \d+ is NaN \(not finite\)/,
};

/** A tiny seeded classifier (trained in well under a second). */
export function trainToyClassifier(seed = 7): ClassifierNet {
  const dir = tempDir('neurodesk-toy-');
  const data = toyData(240, 1);
  return trainClassifier(tinyOptions(data, writeToyCsv(dir, data), seed)).net;
}

const json = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);

/** Publishes a good version of `net` as `<root>/<name>/<version>`, optionally making it CURRENT. */
export function publishGood(
  root: string,
  name: string,
  version: string,
  net: ClassifierNet,
  current = false,
) {
  return publishNet(join(root, name), version, net.toFiles(), current);
}

/**
 * Publishes a version of `net` (or of a version's files, as `readNetFiles` reads them) broken
 * in one way. Damage in the files themselves leaves the manifest as published (the checksums
 * catch it); damage in the content rewrites the manifest to match, so only loading or the
 * canary can catch it.
 */
export function publishDamaged(
  root: string,
  name: string,
  version: string,
  source: ClassifierNet | ReadonlyMap<string, Uint8Array>,
  damage: Damage,
) {
  const files =
    source instanceof Map ? new Map<string, Uint8Array>(source) : (source as ClassifierNet).toFiles();
  const meta = JSON.parse(new TextDecoder().decode(files.get('meta.json'))) as ClassifierMeta;
  if (damage === 'wrong-shape topology') {
    const topology = JSON.parse(new TextDecoder().decode(files.get('topology.json')));
    topology.conv.filters += 1;
    files.set('topology.json', json(topology));
  } else if (damage === 'changed golden label') {
    const golden = meta.canary![0]!;
    golden.label = meta.labels.find((l) => l !== golden.label)!;
    files.set('meta.json', json(meta));
  } else if (damage === 'NaN weight') {
    const bias = meta.weights.find((w) => w.name === 'output/bias')!;
    const bin = new Uint8Array(files.get('weights.bin')!);
    new DataView(bin.buffer).setFloat32(bias.offset, Number.NaN, true);
    files.set('weights.bin', bin);
  }
  const location = publishNet(join(root, name), version, files, false);
  const weights = join(location.dir, 'weights.bin');
  if (damage === 'truncated weights') truncateSync(weights, Math.floor(readFileSync(weights).length / 2));
  else if (damage === 'flipped byte') {
    const bin = readFileSync(weights);
    bin[Math.floor(bin.length / 3)]! ^= 0x01;
    writeFileSync(weights, bin);
  } else if (damage === 'checksum mismatch') {
    const manifestPath = join(location.dir, 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    manifest.files['meta.json'].sha256 = '0'.repeat(64);
    writeFileSync(manifestPath, JSON.stringify(manifest));
  }
  return location;
}

/** Points `<root>/<name>/CURRENT` at a version by an atomic rename, as a promotion does. */
export function promote(root: string, name: string, version: string): void {
  setCurrentVersion(join(root, name), version);
}
