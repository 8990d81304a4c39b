/**
 * Loading scenario files: `seeds/scenarios/<name>.json` by name, or any file by path. A file that
 * does not parse or validate is refused with every problem listed (`validation_failed`), never
 * half-loaded; an unknown name lists the scenarios that exist (`not_found`).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, type ErrorDetail } from '../../platform/errors.js';
import { type Scenario, scenarioSchema } from './scenario-schema.js';

/** Folder of scenario files under the seeds directory. */
export const SCENARIOS_FOLDER = 'scenarios';

/** One line of `--list-scenarios`. */
export interface ScenarioSummary {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** Simulated length, ms. */
  readonly durationMs: number;
  readonly speed: number;
}

/** Validates parsed JSON as a scenario; `source` names it in errors. */
export function parseScenario(json: unknown, source: string): Scenario {
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) {
    const details: ErrorDetail[] = parsed.error.issues.map((issue) => ({
      path: issue.path.length > 0 ? issue.path.join('.') : '(root)',
      message: issue.message,
    }));
    throw new AppError(
      'validation_failed',
      `invalid scenario ${source}:\n${details.map((d) => `  ${d.path}: ${d.message}`).join('\n')}`,
      details,
    );
  }
  return parsed.data;
}

/** Reads and validates a scenario file. */
export async function readScenarioFile(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new AppError(code === 'ENOENT' ? 'not_found' : 'bad_request', `cannot read scenario ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError('validation_failed', `invalid scenario ${file}: not JSON (${(error as Error).message})`);
  }
  return parseScenario(json, file);
}

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/**
 * A scenario by name (`seeds/scenarios/<name>.json`, whose `name` must match) or by file path
 * (anything containing `/` or ending in `.json`).
 */
export async function loadScenario(nameOrFile: string, seedsDir: string): Promise<Scenario> {
  if (!NAME.test(nameOrFile) || nameOrFile.endsWith('.json')) return readScenarioFile(nameOrFile);
  const file = path.join(seedsDir, SCENARIOS_FOLDER, `${nameOrFile}.json`);
  try {
    await fs.access(file);
  } catch {
    const known = (await listScenarios(seedsDir)).map((s) => s.name);
    throw new AppError('not_found', `no scenario "${nameOrFile}" in ${path.dirname(file)}; available: ${known.join(', ') || '(none)'}`);
  }
  const scenario = await readScenarioFile(file);
  if (scenario.name !== nameOrFile) {
    throw new AppError(
      'validation_failed',
      `invalid scenario ${file}: its name is "${scenario.name}", expected "${nameOrFile}" (the file name)`,
    );
  }
  return scenario;
}

/** Every valid scenario in `seeds/scenarios`, by name; invalid files are skipped (loading one by name reports why). */
export async function listScenarios(seedsDir: string): Promise<ScenarioSummary[]> {
  const dir = path.join(seedsDir, SCENARIOS_FOLDER);
  let files: string[];
  try {
    files = (await fs.readdir(dir)).filter((file) => file.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const summaries: ScenarioSummary[] = [];
  for (const file of files) {
    try {
      const scenario = await readScenarioFile(path.join(dir, file));
      summaries.push({
        name: scenario.name,
        title: scenario.title,
        description: scenario.description,
        durationMs: scenario.duration,
        speed: scenario.speed,
      });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
    }
  }
  return summaries;
}
