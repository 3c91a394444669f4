import { createApiKeyCheck } from '../serve/auth.ts';

/**
 * AuthResult is whether a bearer token may read the console, and why not:
 * 401 no or a wrong token, 403 a user without access, 503 the token could not be checked.
 */
export type AuthResult = { ok: true; user?: string } | { ok: false; status: 401 | 403 | 503; message: string };

/** ConsoleAuth decides whether a request's bearer token (undefined: none sent) may read the console. */
export interface ConsoleAuth {
  authenticate(token: string | undefined): Promise<AuthResult>;
}

/**
 * apiKeyAuth accepts the same API keys as the inference servers (compared as
 * the inference servers compare them: SHA-256 digests, timing-safe, every key).
 */
export class ApiKeyAuth implements ConsoleAuth {
  #check: ReturnType<typeof createApiKeyCheck>;
  readonly #keys: string[];

  constructor(keys: string[]) {
    this.#keys = [...keys];
    this.#check = createApiKeyCheck({ apiKeys: this.#keys });
  }

  /** add accepts one more key from now on (a deployment's key, known once it is served). */
  add(key: string): void {
    if (this.#keys.includes(key)) return;
    this.#keys.push(key);
    this.#check = createApiKeyCheck({ apiKeys: this.#keys });
  }

  async authenticate(token: string | undefined): Promise<AuthResult> {
    if (token === undefined) return { ok: false, status: 401, message: 'Missing token: send authorization: Bearer TOKEN (the console token, or an API key of a deployment)' };
    try {
      this.#check.check({ authorization: `Bearer ${token}` });
      return { ok: true };
    } catch {
      return { ok: false, status: 401, message: 'Invalid token' };
    }
  }
}
