import { existsSync } from 'node:fs';

/** Where a system Chromium may be: CHROME_PATH first, then Debian's and others' usual paths. */
const CANDIDATES = [process.env.CHROME_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** chromium is the system browser's path; without one it throws, saying how to install it (never downloads one). */
export function chromium(): string {
  const found = CANDIDATES.find((p) => p && existsSync(p));
  if (!found) {
    throw new Error(
      `No Chromium for the browser tests (looked at ${CANDIDATES.filter(Boolean).join(', ')}): install it with \`apt-get install -y chromium\`, or set CHROME_PATH`,
    );
  }
  return found;
}
