import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishNet } from '../../src/nets/net-folder.js';
import { NetHost } from '../../src/nets/runtime/net-host.js';
import type { GateVerdict } from './gate.js';

/**
 * Loads a version's files exactly as the gateway's nets runtime will, from a scratch folder
 * published the same way: every file against the manifest, the kind from meta.json, the net
 * built, the output check on probe texts, the kind's canary, the cache bound. Returns why the
 * runtime refuses it, or null when it loads. A version the gateway would refuse is never made
 * CURRENT, not even by --force: the gateway would keep serving the old one while CURRENT
 * named the new.
 */
export function runtimeRefusal(
  files: Map<string, Uint8Array>,
  ref: { name: string; version: string },
  cacheBytes: number,
): string | null {
  const scratch = mkdtempSync(join(tmpdir(), 'neurodesk-check-'));
  const host = new NetHost({ maxBytes: cacheBytes });
  try {
    const location = publishNet(join(scratch, ref.name), ref.version, files, false);
    host.prepare({ name: ref.name, version: ref.version, dir: location.dir });
    return null;
  } catch (err) {
    return (err as Error).message;
  } finally {
    host.clear();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The gate's verdict with the runtime's refusal added as one more failed rule. */
export function withRuntimeRefusal(verdict: GateVerdict, version: string, reason: string): GateVerdict {
  return {
    ...verdict,
    pass: false,
    failures: [...verdict.failures, `the nets runtime cannot load ${version}: ${reason}`],
  };
}
