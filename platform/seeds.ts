/**
 * Seed files: the sites a deployment starts with (seeds/sites.json). Validated at startup with the
 * shared schema; a bad file stops startup with every problem listed, never a half-loaded map.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { type Site, siteListSchema } from '../common/sites.js';
import type { SiteLookup } from './sites/site-lookup.js';

export class SeedError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid seed file ${file}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'SeedError';
  }
}

/** Loads and validates `<seedsDir>/sites.json`. Throws {@link SeedError} listing every problem. */
export async function loadSiteSeeds(seedsDir: string): Promise<Site[]> {
  const file = path.join(seedsDir, 'sites.json');
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    throw new SeedError(file, [(error as Error).message]);
  }
  const parsed = siteListSchema.safeParse(json);
  if (!parsed.success) {
    throw new SeedError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** A fixed set of sites (the seeds alone): for tools and tests that need no registry. */
export class SiteCatalog implements SiteLookup {
  private readonly byId: ReadonlyMap<string, Site>;

  constructor(readonly sites: readonly Site[]) {
    this.byId = new Map(sites.map((site) => [site.id, site]));
  }

  get(siteId: string): Site | undefined {
    return this.byId.get(siteId);
  }

  has(siteId: string): boolean {
    return this.byId.has(siteId);
  }

  async resolve(siteId: string): Promise<Site | undefined> {
    return this.get(siteId);
  }
}
