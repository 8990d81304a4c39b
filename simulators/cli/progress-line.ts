/**
 * A one-line live status of the simulator for people at a terminal (stderr, redrawn in place):
 * messages per second, totals, errors and connected devices. Only started when stderr is a TTY,
 * so logs piped to files stay clean.
 */
import type { Component } from '../../platform/lifecycle.js';
import type { SimulatorStats } from '../demo-simulator.js';

export interface ProgressLineOptions {
  readonly stats: () => SimulatorStats;
  /** Where to draw, e.g. `process.stderr`. */
  readonly stream: NodeJS.WritableStream;
  /** Redraw period, ms; default 1000. */
  readonly periodMs?: number;
}

/** Formats one progress line from two samples `elapsedMs` apart. */
export function formatProgress(previous: SimulatorStats, current: SimulatorStats, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? ((current.published - previous.published) * 1000) / elapsedMs : 0;
  return `sim: ${rate.toFixed(1)} msg/s · ${current.published} published · ${current.errors} errors · ${current.connected}/${current.devices} connected`;
}

export class ProgressLine implements Component {
  readonly name = 'progress-line';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProgressLineOptions) {}

  async start(): Promise<void> {
    if (this.timer) return;
    let previous = this.options.stats();
    let previousAt = Date.now();
    this.timer = setInterval(() => {
      const current = this.options.stats();
      const now = Date.now();
      // \r and "erase line" so the line is redrawn in place.
      this.options.stream.write(`\r\x1b[2K${formatProgress(previous, current, now - previousAt)}`);
      previous = current;
      previousAt = now;
    }, this.options.periodMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.options.stream.write('\r\x1b[2K');
  }
}
