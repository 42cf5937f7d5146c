import type { z } from 'zod';
import { NetFolderError } from './net-folder.js';

/**
 * Parses one JSON file of a net folder with its schema, failing with a {@link NetFolderError}
 * that names the file and the first bad field.
 */
export function parseNetJson<T>(
  dir: string,
  files: ReadonlyMap<string, Buffer>,
  file: string,
  schema: z.ZodType<T>,
): T {
  const data = files.get(file);
  if (!data) throw new NetFolderError(dir, `${file} is not in the manifest`);
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new NetFolderError(dir, `${file} is not valid JSON (${(err as Error).message})`);
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new NetFolderError(dir, `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

/** A value as pretty-printed JSON bytes, for a net folder. */
export function jsonBytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}
