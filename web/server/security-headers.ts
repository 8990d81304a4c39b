/**
 * Security headers (helmet) with a Content-Security-Policy the React + Leaflet app runs under:
 * scripts only from our origin; inline styles allowed because Leaflet positions tiles and markers
 * with style attributes; images from our origin, data:/blob: URLs (Leaflet icons), the tile server
 * and the cameras' snapshot hosts; connections (fetch, socket.io WebSocket) only to our origin —
 * CSP Level 3 'self' also matches ws:/wss: on the same host.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

export interface CspSources {
  /** MAP_TILE_URL, a template such as `https://{s}.tile.example.org/{z}/{x}/{y}.png`, or undefined. */
  readonly mapTileUrl: string | undefined;
  /** Camera snapshot URLs from the site seeds. */
  readonly snapshotUrls: readonly string[];
  /** True when the app is served over HTTPS (adds HSTS and upgrade-insecure-requests). */
  readonly https: boolean;
  /**
   * Snapshot URLs of the sites registered now, read on every response (recomputed only when a new
   * array is returned): cameras an admin registers while the server runs get their images allowed
   * without a restart.
   */
  readonly currentSnapshotUrls?: () => readonly string[];
}

/**
 * CSP source expression for the origin of a tile URL template. A leading `{s}.` subdomain
 * placeholder becomes `*.`; relative URLs need nothing beyond 'self' (undefined); a template with
 * placeholders elsewhere in the host cannot be expressed and yields undefined.
 */
export function tileUrlSource(template: string): string | undefined {
  const match = /^(https?):\/\/([^/?#]+)/i.exec(template);
  if (!match) return undefined;
  const [, scheme, hostTemplate] = match as unknown as [string, string, string];
  const host = hostTemplate.replace(/^\{[a-z]+\}\./i, '*.');
  if (/[{}\s;,'"]/.test(host)) return undefined;
  return `${scheme.toLowerCase()}://${host.toLowerCase()}`;
}

/** Origin of an absolute http(s) URL as a CSP source, or undefined. */
function originSource(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : undefined;
  } catch {
    return undefined;
  }
}

/** The `img-src` sources: self, data:, blob:, the tile origin and the snapshot origins, deduplicated. */
export function imageSources(sources: CspSources): string[] {
  const extra = [
    sources.mapTileUrl === undefined ? undefined : tileUrlSource(sources.mapTileUrl),
    ...sources.snapshotUrls.map(originSource),
  ].filter((source): source is string => source !== undefined);
  return ["'self'", 'data:', 'blob:', ...new Set(extra)];
}

/** The snapshot origins of `urls` not already in `fixed`, as one space-separated CSP value (`'self'` when none). */
export function extraImageSources(urls: readonly string[], fixed: readonly string[]): string {
  const extra = [...new Set(urls.map(originSource))].filter((source): source is string => source !== undefined && !fixed.includes(source));
  return extra.length > 0 ? extra.join(' ') : "'self'";
}

/** helmet configured for the app; `x-powered-by` is removed by helmet too. */
export function securityHeaders(sources: CspSources): RequestHandler {
  const fixedImages = imageSources(sources);
  const current = sources.currentSnapshotUrls;
  let memo: { urls: readonly string[]; value: string } | undefined;
  const currentImages = () => {
    const urls = current?.() ?? [];
    if (memo?.urls !== urls) memo = { urls, value: extraImageSources(urls, fixedImages) };
    return memo.value;
  };
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: current ? [...fixedImages, currentImages] : fixedImages,
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        ...(sources.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: sources.https ? { maxAge: 180 * 24 * 3600, includeSubDomains: false } : false,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
  });
}
