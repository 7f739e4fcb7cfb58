import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level to print (pino level name). */
  level?: LevelWithSilent;
  /** Pretty, human-readable lines; defaults to whether stdout is a TTY. */
  pretty?: boolean;
}

/**
 * The process logger: pretty lines on a terminal, JSON lines otherwise (for log shippers).
 * Secrets never reach it: `authorization` headers and token fields are redacted wherever they appear.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  return pino({
    level: options.level ?? 'info',
    redact: {
      paths: ['token', '*.token', 'accessToken', '*.accessToken', 'authorization', '*.authorization', '*.headers.authorization'],
      censor: '[redacted]',
    },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' } } }
      : {}),
  });
}

/** A logger that prints nothing, for tests and embedding. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
