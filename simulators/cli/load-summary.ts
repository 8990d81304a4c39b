/** The table printed at the end of a load run. */
import type { LoadSummary } from '../load/load-run.js';

const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const seconds = (ms: number) => `${oneDecimal.format(ms / 1000)} s`;
const millis = (ms: number) => `${ms < 10 ? oneDecimal.format(ms) : whole.format(ms)} ms`;

/** Lines of the summary table (no trailing newline). */
export function formatLoadSummary(summary: LoadSummary): string {
  const t = summary.totals;
  const rows: [string, string][] = [
    ['devices', `${whole.format(summary.devices)} (${summary.shards} process${summary.shards === 1 ? '' : 'es'})`],
    ['registered in', seconds(summary.registerMs)],
    ['ramp-up', `${seconds(summary.rampUpMs)} — ${whole.format(summary.connectedAfterRampUp)}/${whole.format(summary.devices)} connected`],
    [
      'steady window',
      `${seconds(summary.steadyMs)} — ${whole.format(summary.connectedAtEnd)} connected at the end${summary.interrupted ? ' (interrupted)' : ''}`,
    ],
    ['reports/s', `${whole.format(summary.reportsPerSec)} (target ${whole.format(summary.targetRatePerSec)})`],
    ['sent/s · acked/s', `${whole.format(summary.sentPerSec)} · ${whole.format(summary.ackedPerSec)}`],
    [
      'totals',
      `sent ${whole.format(t.sent)} · acked ${whole.format(t.acked)} · failed ${whole.format(t.failed)} · dropped ${whole.format(t.dropped)} · connect failures ${whole.format(t.connectFailures)}`,
    ],
    ['turns missed', `${whole.format(t.missedDisconnected)} disconnected · ${whole.format(t.missedBackpressure)} back-pressure`],
    ['PUBACK latency', `p50 ${millis(t.ackLatencyMs.p50)} · p99 ${millis(t.ackLatencyMs.p99)} · max ${millis(t.ackLatencyMs.max)}`],
    ['load sites removed', summary.removed > 0 ? whole.format(summary.removed) : 'none (use --cleanup, or npm run sim -- --cleanup later)'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return ['Load run summary', ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)].join('\n');
}
