/**
 * Password redaction for connection strings and free text (error messages, logs):
 * the database password must never reach a log line or an error message.
 */

const MASK = '***';

/** A `scheme://user:password@` authority inside any text; greedy to the last `@` of the token. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s]*@/gi;
/** `password=...` in a URL query or a libpq keyword/value string (quoted or bare). */
const PASSWORD_PARAM = /(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]+)/gi;

/**
 * redact returns `text` with every password masked as `***`: the password of a
 * connection URL (`postgres://user:secret@host/db` -> `postgres://user:***@host/db`),
 * `password=` query parameters and libpq `password=...` keywords. It accepts a bare
 * URL or any text containing URLs (an error message), and never throws.
 */
export function redact(text: string): string {
  if (typeof text !== 'string') return text;
  try {
    // A whole URL: let the WHATWG parser find the credentials (handles '@' in passwords).
    if (/^[a-z][a-z0-9+.-]*:\/\/\S*$/i.test(text)) {
      const url = new URL(text);
      let changed = false;
      if (url.password) {
        url.password = MASK;
        changed = true;
      }
      for (const key of [...url.searchParams.keys()]) {
        if (key.toLowerCase() === 'password') {
          url.searchParams.set(key, MASK);
          changed = true;
        }
      }
      return changed ? decodeMask(url.toString()) : text;
    }
  } catch {
    // Not a parseable URL: fall through to the text patterns.
  }
  return text.replace(URL_CREDENTIALS, `$1${MASK}@`).replace(PASSWORD_PARAM, `$1${MASK}`);
}

/** redactError returns the message of `err` (any thrown value) with passwords masked. */
export function redactError(err: unknown): string {
  if (err instanceof Error) return redact(err.message);
  return redact(String(err));
}

function decodeMask(s: string): string {
  return s.replaceAll('%2A%2A%2A', MASK);
}
