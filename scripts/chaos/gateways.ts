// Gateway processes (`serve`) for the chaos run: started, followed through their JSON logs
// (URL, whether each is the syncer), killed, paused, resumed, and started again when they die.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../bin/base-sync-gateway.js', import.meta.url));

export interface Gateway {
  readonly name: string;
  /** Its HTTP root, once it has said it is ready (undefined while down). */
  readonly url: string | undefined;
  /** Whether its log last said it is the syncer. */
  readonly syncer: boolean;
  readonly paused: boolean;
  readonly pid: number | undefined;
  kill(): void;
  pause(): void;
  resume(): void;
  /** Stops it for good (SIGTERM; SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/** Options for {@link startGateway}. */
export interface GatewayOptions {
  name: string;
  env: Record<string, string>;
  /** Told each log line that is a warning or worse, or says who syncs. */
  onLine?: (gateway: string, line: { level?: number; msg?: string }) => void;
  /** Wait before starting it again after it exited (default 1 s). */
  restartDelayMs?: number;
}

/** Runs `serve` and keeps it running (restarted after it exits) until stop(). */
export function startGateway(options: GatewayOptions): Gateway {
  let child: ChildProcess | undefined;
  let url: string | undefined;
  let syncer = false;
  let paused = false;
  let stopping = false;

  const launch = () => {
    url = undefined;
    syncer = false;
    paused = false;
    const proc = spawn(process.execPath, [CLI, 'serve'], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    createInterface({ input: proc.stdout! }).on('line', (text) => {
      let line: { level?: number; msg?: string; url?: string };
      try {
        line = JSON.parse(text) as typeof line;
      } catch {
        return;
      }
      const msg = String(line.msg ?? '');
      if (msg.startsWith('gateway ready') && line.url) url = line.url;
      if (msg === 'this process is the syncer') syncer = true;
      if (msg.startsWith('no longer the syncer') || msg.startsWith('another process is the syncer')) syncer = false;
      if ((line.level ?? 0) >= 40 || msg.includes('syncer')) options.onLine?.(options.name, line);
    });
    proc.stderr!.resume();
    proc.once('exit', () => {
      if (child === proc) {
        child = undefined;
        url = undefined;
        syncer = false;
      }
      if (!stopping) setTimeout(() => !stopping && !child && launch(), options.restartDelayMs ?? 1000).unref();
    });
  };
  launch();

  const signal = (name: NodeJS.Signals) => {
    try {
      child?.kill(name);
    } catch {
      // already gone
    }
  };
  return {
    name: options.name,
    get url() {
      return url;
    },
    get syncer() {
      return syncer;
    },
    get paused() {
      return paused;
    },
    get pid() {
      return child?.pid;
    },
    kill: () => signal('SIGKILL'),
    pause() {
      paused = true;
      signal('SIGSTOP');
    },
    resume() {
      paused = false;
      signal('SIGCONT');
    },
    async stop() {
      stopping = true;
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      if (paused) signal('SIGCONT');
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
