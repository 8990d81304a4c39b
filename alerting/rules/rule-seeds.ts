/**
 * Rule seeds: `seeds/rules/*.json` (each a list of rules) and `seeds/rules/presets/*.json` (each one
 * preset), validated at startup with the shared schemas (common/alert-rules.ts) and against each
 * other. A bad file stops startup with every problem listed as `file: path: problem`, never a
 * half-loaded rule set. A deployment without seeds/rules has no seeded rules.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { type Preset, presetSchema, type RuleDefinition, ruleFileSchema } from '../../common/alert-rules.js';
import { SeedError } from '../../platform/seeds.js';
import { ruleSetProblems } from './rule-set.js';

/** The seeded rules and presets of a deployment. */
export interface RuleSeeds {
  readonly rules: readonly RuleDefinition[];
  readonly presets: readonly Preset[];
}

export const NO_RULE_SEEDS: RuleSeeds = { rules: [], presets: [] };

/** Where rule seeds live under SEEDS_DIR. */
export function ruleSeedsDir(seedsDir: string): string {
  return path.join(seedsDir, 'rules');
}

async function jsonFiles(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
      .map((entry) => path.join(dir, entry.name))
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function issuesOf(file: string, error: z.ZodError): string[] {
  return error.issues.map((issue) => `${file}: ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

async function readJson(file: string, problems: string[]): Promise<unknown> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    problems.push(`${file}: ${(error as Error).message}`);
    return undefined;
  }
}

/** Loads and validates the rule seeds under `seedsDir/rules`. Throws {@link SeedError} listing every problem. */
export async function loadRuleSeeds(seedsDir: string): Promise<RuleSeeds> {
  const dir = ruleSeedsDir(seedsDir);
  const problems: string[] = [];

  const presets: Preset[] = [];
  const presetFiles = new Map<string, string>();
  for (const file of await jsonFiles(path.join(dir, 'presets'))) {
    const json = await readJson(file, problems);
    if (json === undefined) continue;
    const parsed = presetSchema.safeParse(json);
    if (!parsed.success) {
      problems.push(...issuesOf(file, parsed.error));
      continue;
    }
    const first = presetFiles.get(parsed.data.id);
    if (first !== undefined) problems.push(`${file}: id: preset ${parsed.data.id} is already defined in ${first}`);
    else {
      presetFiles.set(parsed.data.id, file);
      presets.push(parsed.data);
    }
  }

  const rules: RuleDefinition[] = [];
  const origins: { file: string; index: number }[] = [];
  for (const file of await jsonFiles(dir)) {
    const json = await readJson(file, problems);
    if (json === undefined) continue;
    const parsed = ruleFileSchema.safeParse(json);
    if (!parsed.success) {
      problems.push(...issuesOf(file, parsed.error));
      continue;
    }
    parsed.data.forEach((rule, index) => {
      rules.push(rule);
      origins.push({ file, index });
    });
  }

  for (const problem of ruleSetProblems(rules, presets)) {
    // Paths are `rules.{n}…` over all files together: point at the file and its own index instead.
    const match = /^rules\.(\d+)(.*)$/.exec(problem.path);
    const origin = match ? origins[Number(match[1])] : undefined;
    problems.push(
      origin && match
        ? `${origin.file}: ${origin.index}${match[2] ?? ''}: ${problem.message}`
        : `${dir}: ${problem.path}: ${problem.message}`,
    );
  }
  if (problems.length > 0) throw new SeedError(dir, problems);
  return { rules, presets };
}
