/**
 * Reads a Chromium trace (devtools.timeline categories) and says what each long task on the page's
 * main thread spent its time on — script, style, layout, paint, GC — because a CPU profile shows
 * that time only as "(program)".
 */

/** One trace event as Chromium writes it (times in µs). */
interface TraceEvent {
  readonly name: string;
  readonly ph: string;
  readonly ts: number;
  readonly dur?: number;
  readonly pid: number;
  readonly tid: number;
  readonly args?: { readonly name?: string; readonly data?: { readonly functionName?: string; readonly url?: string } };
}

/** A long task and its busiest kinds of work, longest first (ms). */
export interface LongTaskBreakdown {
  readonly durationMs: number;
  readonly work: ReadonlyArray<{ readonly name: string; readonly ms: number }>;
}

const TOP_LEVEL = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

/** The long tasks (over `thresholdMs`) of the renderer main threads in a trace, longest first. */
export function longTaskBreakdowns(trace: { traceEvents: readonly TraceEvent[] }, thresholdMs = 50): LongTaskBreakdown[] {
  const mainThreads = new Set(
    trace.traceEvents
      .filter((event) => event.name === 'thread_name' && event.args?.name === 'CrRendererMain')
      .map((event) => `${event.pid}:${event.tid}`),
  );
  const onMain = trace.traceEvents.filter((event) => event.ph === 'X' && mainThreads.has(`${event.pid}:${event.tid}`));
  const tasks = onMain.filter((event) => TOP_LEVEL.has(event.name) && (event.dur ?? 0) > thresholdMs * 1000);
  return tasks
    .sort((a, b) => (b.dur ?? 0) - (a.dur ?? 0))
    .map((task) => {
      const end = task.ts + (task.dur ?? 0);
      const totals = new Map<string, number>();
      for (const event of onMain) {
        if (event === task || TOP_LEVEL.has(event.name) || event.pid !== task.pid || event.tid !== task.tid) continue;
        if (event.ts < task.ts || event.ts >= end) continue;
        const label = event.args?.data?.functionName ? `${event.name} ${event.args.data.functionName}` : event.name;
        totals.set(label, (totals.get(label) ?? 0) + (event.dur ?? 0) / 1000);
      }
      const work = [...totals]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10 }));
      return { durationMs: Math.round((task.dur ?? 0) / 100) / 10, work };
    });
}
