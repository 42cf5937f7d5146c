import * as tf from '@tensorflow/tfjs';
import { registerNetKernels } from './kernels/index.js';

/** The TF.js backends we know, best first. */
export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;

/** A backend name, or `auto` for the best one that loads. */
export type BackendChoice = (typeof BACKENDS)[number] | 'auto';

/** What {@link initBackend} settled on. */
export interface BackendInfo {
  /** The active TF.js backend (`tensorflow` is tfjs-node, `wasm`, `cpu`). */
  name: string;
  /** Backends tried before it, with why each did not load. */
  skipped: Array<{ name: string; reason: string }>;
}

/** Loads an optional package by name; a missing one resolves to null. */
async function importOptional(name: string): Promise<unknown> {
  try {
    return await import(name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return null;
    throw err;
  }
}

// How each backend is brought in: tfjs-node(-gpu) are optional dependencies that cannot
// install without internet access, so they are imported only if present.
const loaders: Record<(typeof BACKENDS)[number], () => Promise<boolean>> = {
  'tensorflow-gpu': async () => (await importOptional('@tensorflow/tfjs-node-gpu')) !== null,
  tensorflow: async () => (await importOptional('@tensorflow/tfjs-node')) !== null,
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    return true;
  },
  cpu: async () => true,
};

// tfjs-node-gpu registers itself as "tensorflow" too.
const registeredName = (choice: (typeof BACKENDS)[number]) =>
  choice === 'tensorflow-gpu' ? 'tensorflow' : choice;

let active: BackendInfo | undefined;

/**
 * Picks the TF.js backend once per process: the forced one, or the best that loads. Our
 * kernels are registered for wasm and cpu. A forced backend that does not load is an error.
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (active && (choice === 'auto' || registeredName(choice) === active.name)) return active;
  // Production mode: no debug checks, and no console advice to install tfjs-node.
  tf.env().set('PROD', true);
  const candidates = choice === 'auto' ? BACKENDS : [choice];
  const skipped: BackendInfo['skipped'] = [];
  for (const candidate of candidates) {
    try {
      if (!(await loaders[candidate]())) {
        skipped.push({ name: candidate, reason: 'package not installed' });
        continue;
      }
      const name = registeredName(candidate);
      if (!(await tf.setBackend(name))) {
        skipped.push({ name: candidate, reason: 'failed to initialise' });
        continue;
      }
      await tf.ready();
      registerNetKernels(name);
      active = { name, skipped };
      return active;
    } catch (err) {
      skipped.push({ name: candidate, reason: (err as Error).message });
    }
  }
  throw new Error(
    `no TF.js backend could start (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})`,
  );
}

/** The active backend's name, or undefined before {@link initBackend}. */
export function activeBackend(): string | undefined {
  return active?.name;
}
