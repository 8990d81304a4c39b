/**
 * The browser app renders strings from devices and users (site names, event messages, alert
 * comments, notification texts) only as text: React escapes them, the map draws on a canvas. This
 * guard fails when code adds a way around that — an HTML sink — so a reviewer must look at it; the
 * one reviewed exception (base-map labels from our own seeds, escaped before they reach Leaflet's
 * `divIcon`) is pinned here. The end-to-end proof with hostile strings in Chromium is
 * tests/integration/security/operators-browser.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const APP_SOURCE = path.resolve('web/app/src');

/** Ways to turn a string into markup or code in the browser. */
const SINKS: ReadonlyArray<readonly [string, RegExp]> = [
  ['dangerouslySetInnerHTML', /dangerouslySetInnerHTML/],
  ['innerHTML / outerHTML', /\.(inner|outer)HTML\b/],
  ['insertAdjacentHTML', /insertAdjacentHTML/],
  ['document.write', /document\.write/],
  ['createContextualFragment / DOMParser', /createContextualFragment|DOMParser/],
  ['eval / new Function / string timers', /\beval\(|new Function\(|set(Timeout|Interval)\(\s*['"`]/],
  ['Leaflet popups and tooltips with HTML', /\.bind(Popup|Tooltip)\(|\.set(Popup|Tooltip)Content\(|L\.popup\(|\bpopup\(\)/],
  ['javascript: URLs', /javascript:/i],
  ['srcdoc', /srcdoc/i],
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(tsx?|jsx?)$/.test(entry.name) ? [full] : [];
  });
}

describe('browser app HTML sinks', () => {
  const files = sourceFiles(APP_SOURCE).map((file) => ({ file: path.relative(APP_SOURCE, file), text: fs.readFileSync(file, 'utf8') }));

  it('scans the app', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('has no HTML or code sink for strings', () => {
    const found = files.flatMap(({ file, text }) => SINKS.filter(([, pattern]) => pattern.test(text)).map(([name]) => `${file}: ${name}`));
    expect(found).toEqual([]);
  });

  it('builds Leaflet HTML icons only in the base layer, from escaped label text', () => {
    const withHtml = files.filter(({ text }) => /\bdivIcon\(|\bhtml\s*:/.test(text)).map(({ file }) => file);
    expect(withHtml).toEqual([path.join('map', 'BaseLayer.tsx')]);
    const baseLayer = files.find(({ file }) => file === path.join('map', 'BaseLayer.tsx'))?.text ?? '';
    // Every interpolation into the icon's HTML is the escaped `text`.
    expect(baseLayer).toMatch(/const text = label\.name\.replace\(\/\[&<>"'\]\/g/);
    const htmlLine = baseLayer.split('\n').find((line) => /\bhtml\s*:/.test(line)) ?? '';
    expect([...htmlLine.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1])).toEqual(['text', 'text']);
  });
});
