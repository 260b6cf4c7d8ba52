import pino, { type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * Structured JSON logs on stdout, one object per line, with the service name on every line and
 * the `fields` of the moment (the services pass the active trace_id and span_id). Log
 * collectors parse them as they are; the dev supervisor prefixes them by service.
 */
export function createLogger(service: string, level: LevelWithSilent = 'info', fields?: () => Record<string, unknown>): Logger {
  return pino({
    level,
    base: { service },
    ...(fields ? { mixin: fields } : {}),
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
