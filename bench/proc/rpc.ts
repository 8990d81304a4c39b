/**
 * Request/response over the Node IPC channel between the benchmark and its child processes
 * (targets under test and the load generator). A child serves named methods; the built-in `stop`
 * method runs its shutdown and exits 0 (so `--cpu-prof` profiles are written). A child also shuts
 * down when the channel closes (the benchmark died) or on SIGINT/SIGTERM, so nothing outlives a run.
 */

import { PROFILE_METHODS, startProfiling, stopProfiling } from './profiler.js';

export interface RpcCall {
  readonly kind: 'call';
  readonly id: number;
  readonly method: string;
  readonly args: unknown;
}

export type RpcResult =
  | { readonly kind: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'result'; readonly id: number; readonly ok: false; readonly error: string };

/** Sent once by a child when it is ready to serve, with what the parent needs to know (ports, pids). */
export interface RpcReady {
  readonly kind: 'ready';
  readonly info: unknown;
}

/** Sent by a child when its start-up failed, before it exits. */
export interface RpcFailed {
  readonly kind: 'failed';
  readonly error: string;
}

export type ChildMessage = RpcResult | RpcReady | RpcFailed;

export function isRpcCall(message: unknown): message is RpcCall {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'call';
}

export function isChildMessage(message: unknown): message is ChildMessage {
  const kind = typeof message === 'object' && message !== null ? (message as { kind?: unknown }).kind : undefined;
  return kind === 'result' || kind === 'ready' || kind === 'failed';
}

export type RpcHandlers = Readonly<Record<string, (args: unknown) => unknown>>;

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) {
      resolve();
      return;
    }
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Profiling methods every child serves (see profiler.ts): `profile.start`, `profile.stop` {file}. */
const PROFILE_HANDLERS: RpcHandlers = {
  [PROFILE_METHODS.start]: () => startProfiling(),
  [PROFILE_METHODS.stop]: (args) => stopProfiling((args as { file: string }).file),
};

/**
 * Serves `handlers` (and the profiling methods) to the parent. `start` runs first; its result is sent as the ready info, or its
 * failure reported before exiting 1. `shutdown` runs once, whatever ends the child.
 */
export function serveRpc(options: {
  readonly start: () => Promise<unknown>;
  readonly handlers: RpcHandlers;
  readonly shutdown: () => Promise<void>;
}): void {
  let stopping: Promise<void> | undefined;
  const shutdown = (exitCode: number) => {
    stopping ??= options
      .shutdown()
      .catch((error: unknown) => {
        process.stderr.write(`shutdown failed: ${describe(error)}\n`);
      })
      .finally(() => process.exit(exitCode));
    return stopping;
  };
  process.on('disconnect', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(130));
  process.on('SIGTERM', () => void shutdown(143));
  process.on('message', (message: unknown) => {
    if (!isRpcCall(message)) return;
    if (message.method === 'stop') {
      stopping ??= options
        .shutdown()
        .catch((error: unknown) => {
          process.stderr.write(`shutdown failed: ${describe(error)}\n`);
        })
        .then(() => send({ kind: 'result', id: message.id, ok: true, value: null }))
        .finally(() => process.exit(0));
      return;
    }
    const handler = options.handlers[message.method] ?? PROFILE_HANDLERS[message.method];
    if (!handler) {
      void send({ kind: 'result', id: message.id, ok: false, error: `unknown method ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (value) => send({ kind: 'result', id: message.id, ok: true, value: value ?? null }),
        (error: unknown) => send({ kind: 'result', id: message.id, ok: false, error: describe(error) }),
      );
  });
  options.start().then(
    (info) => send({ kind: 'ready', info: info ?? null }),
    async (error: unknown) => {
      await send({ kind: 'failed', error: describe(error) });
      await shutdown(1);
    },
  );
}
