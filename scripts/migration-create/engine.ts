// The Prisma schema engine, as WebAssembly, loaded once per process; its panics and timers
// handled so that a caller neither waits forever nor is held open by them.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';

let enginePromise: Promise<typeof engineBindings> | undefined;

// Node has it; the project's lib (ES2023, no DOM) does not type it.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: Record<string, unknown> } }>;
};

/**
 * Timers the engine starts. It leaves one of 10 s behind after its work, which would hold the
 * process (and a test worker) open that long; finished sessions clear them.
 */
const engineTimers = new Set<NodeJS.Timeout>();
let activeSessions = 0;

export async function withEngine<T>(run: (bindings: typeof engineBindings) => Promise<T>): Promise<T> {
  activeSessions++;
  try {
    return await run(await loadEngine());
  } finally {
    if (--activeSessions === 0) {
      for (const timer of engineTimers) clearTimeout(timer);
      engineTimers.clear();
    }
  }
}

/** Set once the engine panics: a wasm instance is unusable after a panic, and the glue takes no second one. */
let enginePanic: Error | undefined;
const panicWaiters = new Set<(error: Error) => void>();

/** Whether the engine has panicked (its instance can no longer be freed or used). */
export const enginePanicked = (): boolean => enginePanic !== undefined;

function onPanic(message: string): void {
  enginePanic = new Error(`the Prisma schema engine panicked: ${message}`);
  for (const reject of panicWaiters) reject(enginePanic);
}

/** `work`, or a rejection when the engine panics: its promise would never settle. */
export function unlessPanic<R>(work: Promise<R>): Promise<R> {
  if (enginePanic) return Promise.reject(enginePanic);
  let reject: (error: Error) => void = () => {};
  const panicked = new Promise<never>((_, rejectPanicked) => (reject = rejectPanicked));
  panicWaiters.add(reject);
  return Promise.race([work, panicked]).finally(() => panicWaiters.delete(reject));
}

/**
 * The package's entry imports its .wasm file as an ES module, which Node 20 cannot do, so
 * instantiate it by hand next to the wasm-bindgen glue (once per process).
 */
function loadEngine(): Promise<typeof engineBindings> {
  enginePromise ??= (async () => {
    const glue = fileURLToPath(import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const bytes = await readFile(path.join(path.dirname(glue), 'schema_engine_bg.wasm'));
    const imports: Record<string, unknown> = { ...engineBindings };
    const setTimeoutImport = Object.keys(imports).find((key) => key.startsWith('__wbg_setTimeout_'));
    if (setTimeoutImport) {
      imports[setTimeoutImport] = (callback: () => void, ms: number) => {
        const timer = setTimeout(() => {
          engineTimers.delete(timer);
          callback();
        }, ms >>> 0);
        engineTimers.add(timer);
        return timer;
      };
    }
    // The glue reports panics to this global (Prisma's CLI installs it); keep any already there.
    const globals = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } };
    const previous = globals.PRISMA_WASM_PANIC_REGISTRY;
    globals.PRISMA_WASM_PANIC_REGISTRY = {
      set_message: (message) => {
        previous?.set_message(message);
        onPanic(message);
      },
    };
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': imports });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return engineBindings;
  })();
  return enginePromise;
}
