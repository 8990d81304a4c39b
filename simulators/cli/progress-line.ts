/**
 * A live status of a simulator run for the person who started it: redrawn in place on a terminal
 * (stderr, once a second), or logged every 10 s when stderr is not a terminal, so piped logs stay
 * clean. Shows sent/s, acked/s, errors and connected devices.
 */
import type { Component } from '../../platform/lifecycle.js';
import type { Logger } from '../../platform/logger.js';
import type { FleetStatsSnapshot } from '../fleet/fleet-stats.js';

/** The counters a progress line needs. */
export type ProgressStats = Pick<FleetStatsSnapshot, 'sent' | 'acked' | 'errors' | 'connected' | 'devices'> &
  Partial<Pick<FleetStatsSnapshot, 'published'>>;

export interface ProgressLineOptions {
  /** Current counters, or undefined while there is nothing to show yet. */
  readonly stats: () => ProgressStats | undefined;
  /** Where to draw in place (a TTY), e.g. `process.stderr`; without it, `logger` gets a line every `periodMs`. */
  readonly stream?: NodeJS.WritableStream;
  readonly logger?: Logger;
  /** Redraw period, ms; default 1000 on a terminal, 10,000 in logs. */
  readonly periodMs?: number;
  /** Prefix, e.g. `sim` or `load`. */
  readonly label?: string;
  /** Extra text after the counters (e.g. the phase of a load run). */
  readonly suffix?: () => string;
}

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** The per-second rates between two samples `elapsedMs` apart. */
export function progressRates(
  previous: ProgressStats,
  current: ProgressStats,
  elapsedMs: number,
): { sentPerSec: number; ackedPerSec: number } {
  const perSec = (a: number, b: number) => (elapsedMs > 0 ? ((b - a) * 1000) / elapsedMs : 0);
  return { sentPerSec: perSec(previous.sent, current.sent), ackedPerSec: perSec(previous.acked, current.acked) };
}

/** Formats one progress line from two samples `elapsedMs` apart. */
export function formatProgress(previous: ProgressStats, current: ProgressStats, elapsedMs: number, label = 'sim'): string {
  const { sentPerSec, ackedPerSec } = progressRates(previous, current, elapsedMs);
  return `${label}: ${number.format(sentPerSec)} sent/s · ${number.format(ackedPerSec)} acked/s · ${number.format(current.errors)} errors · ${number.format(current.connected)}/${number.format(current.devices)} connected · ${number.format(current.acked)} acked`;
}

export class ProgressLine implements Component {
  readonly name = 'progress-line';
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProgressLineOptions) {}

  async start(): Promise<void> {
    if (this.timer) return;
    const { stream, logger } = this.options;
    let previous = this.options.stats();
    let previousAt = Date.now();
    this.timer = setInterval(
      () => {
        const current = this.options.stats();
        const now = Date.now();
        if (current && previous) {
          const line = `${formatProgress(previous, current, now - previousAt, this.options.label)}${this.options.suffix?.() ?? ''}`;
          // \r and "erase line" so the line is redrawn in place.
          if (stream) stream.write(`\r\x1b[2K${line}`);
          else
            logger?.info(
              { ...progressRates(previous, current, now - previousAt), connected: current.connected, errors: current.errors },
              line,
            );
        }
        previous = current;
        previousAt = now;
      },
      this.options.periodMs ?? (stream ? 1000 : 10_000),
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.options.stream?.write('\r\x1b[2K');
  }
}
