/** The browser benchmark's table rows, shared by `npm run bench` and bench/browser/main.ts. */
import type { BrowserBenchResult } from '../browser/browser-bench.js';
import { fixed, int, ms } from './format.js';

export function browserSection(result: BrowserBenchResult): string[][] {
  const { options } = result;
  return [
    [
      `Browser map — ${int(options.sites)} sites, ${int(options.rate)} readings/s (${options.path}), headless Chromium 1920×1080; warm-up ${options.warmupSec} s, window ${options.measureSec} s; map loaded in ${int(result.loadMs)} ms`,
    ],
    ['view', 'long tasks', 'longest (ms)', 'frames/s', 'longest redraw (ms)', 'updates/s received', 'JS heap (MB)', 'on screen'],
    ...result.views.map((view) => [
      view.view,
      int(view.longTasks),
      int(view.longestTaskMs),
      fixed(view.framesPerSec),
      ms(view.longestRedrawMs),
      int(view.messagesPerSec),
      fixed(view.heapMb),
      `${int(view.onScreen.clusters)} clusters, ${int(view.onScreen.singles)} markers`,
    ]),
    ...(result.pageErrors.length > 0 ? [[`(page errors: ${result.pageErrors.join(' | ')})`]] : []),
  ];
}
