/**
 * The load-generator process: started by the benchmark (pinned to its own core when possible) and
 * driven over IPC. It holds the publishers, the consumers and the idle fleet, runs the timed steps
 * and reports counts, latencies and the CPU and memory of the processes under test.
 */
import { serveRpc } from '../proc/rpc.js';
import { E2eWorkload } from './e2e-workload.js';
import { IdleFleet } from './idle-fleet.js';
import type { E2eConnectArgs, IdleConnectArgs, RelayConnectArgs, StepArgs } from './protocol.js';
import { RelayWorkload } from './relay-workload.js';
import { runStep, settle } from './step-runner.js';

interface SettleArgs {
  readonly quietMs: number;
  readonly timeoutMs: number;
}

let relay: RelayWorkload | undefined;
let e2e: E2eWorkload | undefined;
const idle = new IdleFleet();

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is not connected`);
  return value;
}

serveRpc({
  start: async () => ({ pid: process.pid }),
  handlers: {
    'relay.connect': async (args) => {
      await relay?.disconnect();
      const connected = await RelayWorkload.connect(args as RelayConnectArgs);
      relay = connected.workload;
      return connected.result;
    },
    'relay.step': (args) => runStep(args as StepArgs, required(relay, 'the relay load')),
    'relay.settle': (args) => {
      const { quietMs, timeoutMs } = args as SettleArgs;
      return settle(required(relay, 'the relay load').tracker, quietMs, timeoutMs);
    },
    'relay.status': () => ({ closedConnections: required(relay, 'the relay load').closed }),
    'relay.disconnect': async () => {
      await relay?.disconnect();
      relay = undefined;
    },
    'e2e.connect': async (args) => {
      await e2e?.disconnect();
      const typed = args as E2eConnectArgs;
      e2e = new E2eWorkload(typed, typed.targetPids);
      return e2e.connect();
    },
    'e2e.step': (args) => runStep(args as StepArgs, required(e2e, 'the end-to-end load')),
    'e2e.settle': (args) => {
      const { quietMs, timeoutMs } = args as SettleArgs;
      return settle(required(e2e, 'the end-to-end load').tracker, quietMs, timeoutMs);
    },
    'e2e.status': () => ({ foreign: required(e2e, 'the end-to-end load').foreign }),
    'e2e.disconnect': async () => {
      await e2e?.disconnect();
      e2e = undefined;
    },
    'idle.connect': (args) => idle.connect(args as IdleConnectArgs),
    'idle.status': () => ({ connected: idle.connected }),
    'idle.disconnect': () => idle.disconnect(),
  },
  shutdown: async () => {
    await Promise.all([relay?.disconnect(), e2e?.disconnect(), idle.disconnect()]);
  },
});
