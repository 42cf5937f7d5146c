import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The Chromium to drive, from NEURODESK_CHROMIUM or the usual Debian paths; undefined if none. */
export function findChromium(): string | undefined {
  const configured = process.env.NEURODESK_CHROMIUM;
  if (configured) return existsSync(configured) ? configured : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

/**
 * Whether browser tests can run. Without Chromium they are skipped with a plain message on a
 * developer's machine; in CI (CI set) a missing Chromium is an error, never a silent skip.
 */
export function chromiumOrExplain(): string | undefined {
  const path = findChromium();
  if (path) return path;
  const message = 'browser tests need Chromium (apt-get install chromium, or set NEURODESK_CHROMIUM)';
  if (process.env.CI) throw new Error(`${message}: not found, and CI must run them`);
  process.stderr.write(`SKIPPED: ${message}; it is not installed here.\n`);
  return undefined;
}

/** Launches headless Chromium with the flags this sandbox needs. */
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
