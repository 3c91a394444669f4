import { pino } from 'pino';

/**
 * StoreLogger is the structured logger the store and registry write to: the subset
 * of a pino logger they use (a pino logger or child logger satisfies it).
 */
export interface StoreLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

let fallback: StoreLogger | undefined;

/**
 * defaultStoreLogger returns the process-wide pino logger named `fluxora.store`
 * (level from `FLUXORA_LOG_LEVEL`, default `info`), created on first use.
 */
export function defaultStoreLogger(): StoreLogger {
  fallback ??= pino({ name: 'fluxora.store', level: process.env.FLUXORA_LOG_LEVEL ?? 'info' });
  return fallback;
}

/** silentLogger is a StoreLogger that discards everything (tests, tools). */
export const silentLogger: StoreLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
