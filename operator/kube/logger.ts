import { pino } from 'pino';

/**
 * KubeLogger is the structured logger the controller core writes to: a fields
 * object (kind, name, namespace, controller, ...) then a fixed, capitalised
 * message. A pino logger or child logger satisfies it.
 */
export interface KubeLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

let fallback: KubeLogger | undefined;

/**
 * defaultKubeLogger returns the process-wide pino logger named
 * `fluxora.operator` (level from `FLUXORA_LOG_LEVEL`, default `info`),
 * created on first use.
 */
export function defaultKubeLogger(): KubeLogger {
  fallback ??= pino({ name: 'fluxora.operator', level: process.env.FLUXORA_LOG_LEVEL ?? 'info' });
  return fallback;
}

/** silentKubeLogger discards everything (tests). */
export const silentKubeLogger: KubeLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** errorMessage renders any thrown value as a one-line message for a log field. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
