import pino from 'pino';

/** RoleLogger is the structured logger every role writes progress to (pino's shape). */
export interface RoleLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** roleLogger returns a pino JSON logger on stderr for a role, so stdout stays for results. */
export function roleLogger(role: string, level = process.env.FLUXORA_LOG_LEVEL ?? 'info'): RoleLogger {
  return pino({ name: `fluxora-${role}`, level, base: { role } }, pino.destination(2));
}

/** silentLogger drops everything (tests and quiet runs). */
export const silentLogger: RoleLogger = { debug() {}, info() {}, warn() {}, error() {} };
