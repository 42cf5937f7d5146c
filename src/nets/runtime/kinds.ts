import { classifierKind } from '../classifier/classifier-kind.js';
import { NetFolderError } from '../net-folder.js';
import { qaKind } from '../qa/qa-kind.js';
import type { NetKind } from './net-kind.js';

/** Every kind of net the runtime can load, by the `kind` field of its meta.json. */
export const NET_KINDS: Readonly<Record<string, NetKind>> = {
  [classifierKind.kind]: classifierKind,
  [qaKind.kind]: qaKind,
};

/** The loader for a version folder's files, chosen by meta.json's `kind`. */
export function kindOf(dir: string, files: ReadonlyMap<string, Buffer>, kinds = NET_KINDS): NetKind {
  const meta = files.get('meta.json');
  if (!meta) throw new NetFolderError(dir, 'meta.json is not in the manifest');
  let kind: unknown;
  try {
    kind = (JSON.parse(meta.toString('utf8')) as { kind?: unknown }).kind;
  } catch (err) {
    throw new NetFolderError(dir, `meta.json is not valid JSON (${(err as Error).message})`);
  }
  const loader = typeof kind === 'string' ? kinds[kind] : undefined;
  if (!loader) {
    throw new NetFolderError(
      dir,
      `meta.json kind ${JSON.stringify(kind)} is not one of ${Object.keys(kinds).join(', ')}`,
    );
  }
  return loader;
}
