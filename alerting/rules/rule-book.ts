/**
 * The rules of a deployment as stored: seeds (re-applied at every start, like sites) plus what
 * admins create and edit through the API. An admin's edit of a seeded rule makes it admin-owned
 * (`source: api`), so the seed no longer overwrites it; seeded rules cannot be deleted through the
 * API (disable them instead), and a seed removed from seeds/rules disappears at the next start.
 * Every change is validated against the whole set (presets, conflicts) before it is stored; edits
 * are serialised, so two admins cannot interleave.
 */
import {
  type Preset,
  type RuleDefinition,
  type RuleDefinitionInput,
  type RuleRecord,
  ruleDefinitionSchema,
} from '../../common/alert-rules.js';
import { AppError, type ErrorDetail } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import type { AlertStore, RuleRow } from '../store/alert-store.js';
import type { RuleSeeds } from './rule-seeds.js';
import { RuleSet, ruleSetProblems } from './rule-set.js';

export interface RuleBookOptions {
  readonly store: Pick<AlertStore, 'listRules' | 'saveRules' | 'deleteRules'>;
  readonly seeds: RuleSeeds;
  readonly logger: Logger;
  /** Epoch ms. */
  readonly clock: () => number;
}

export class RuleBook {
  private records = new Map<string, RuleRecord>();
  private current: RuleSet;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: RuleBookOptions) {
    this.current = new RuleSet([], options.seeds.presets);
  }

  /** The validated set in force. */
  get ruleSet(): RuleSet {
    return this.current;
  }

  get presets(): readonly Preset[] {
    return this.options.seeds.presets;
  }

  /** Every rule, ordered by id. */
  list(): RuleRecord[] {
    return [...this.records.values()].sort((a, b) => a.rule.id.localeCompare(b.rule.id));
  }

  /**
   * Reads the stored rules, applies the seeds and builds the set. Stored rules that are unreadable
   * or clash with the set (e.g. an admin rule naming a preset that left seeds/rules) are logged and
   * left out rather than stopping the engine.
   */
  async load(): Promise<RuleSet> {
    const { store, seeds, logger, clock } = this.options;
    const now = clock();
    const stored = new Map<string, RuleRecord>();
    for (const row of await store.listRules()) {
      const parsed = ruleDefinitionSchema.safeParse(row.definition);
      if (!parsed.success || parsed.data.id !== row.id) {
        logger.error(
          { ruleId: row.id, problem: parsed.error?.issues[0]?.message ?? 'id mismatch' },
          'stored alert rule is invalid; ignored',
        );
        continue;
      }
      stored.set(row.id, {
        rule: parsed.data,
        source: row.source,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
        updatedBy: row.updatedBy,
      });
    }
    const toSave: RuleRow[] = [];
    const seedIds = new Set<string>();
    for (const rule of seeds.rules) {
      seedIds.add(rule.id);
      const existing = stored.get(rule.id);
      if (existing?.source === 'api') continue;
      if (existing && JSON.stringify(existing.rule) === JSON.stringify(rule)) continue;
      const record: RuleRecord = { rule, source: 'seed', createdAt: existing?.createdAt ?? now, updatedAt: now, updatedBy: null };
      stored.set(rule.id, record);
      toSave.push(rowOf(record));
    }
    const toDelete = [...stored.values()]
      .filter((record) => record.source === 'seed' && !seedIds.has(record.rule.id))
      .map((r) => r.rule.id);
    for (const id of toDelete) stored.delete(id);
    await store.saveRules(toSave);
    await store.deleteRules(toDelete);

    // Seeds first: a clash is then reported on (and resolved against) the admin rule that came later.
    let records = [...stored.values()].sort((a, b) => (a.source === b.source ? 0 : a.source === 'seed' ? -1 : 1));
    for (;;) {
      const problems = ruleSetProblems(
        records.map((record) => record.rule),
        seeds.presets,
      );
      if (problems.length === 0) break;
      const offenders = new Set(problems.map((problem) => Number(/^rules\.(\d+)/.exec(problem.path)?.[1])));
      logger.error({ problems }, 'stored alert rules clash with the rule set; the offending admin rules are ignored');
      const before = records.length;
      records = records.filter((record, index) => !offenders.has(index) || record.source === 'seed');
      if (records.length === before) throw new Error(`alert rule seeds are inconsistent: ${JSON.stringify(problems)}`);
    }
    this.records = new Map(records.map((record) => [record.rule.id, record]));
    this.current = new RuleSet(
      records.map((record) => record.rule),
      seeds.presets,
    );
    return this.current;
  }

  get(id: string): RuleRecord | undefined {
    return this.records.get(id);
  }

  /** Adds a rule; `conflict` when the id is taken, `validation_failed` when the set would be invalid. */
  create(input: RuleDefinitionInput, by: string): Promise<RuleRecord> {
    return this.serialised(async () => {
      const rule = parseRule(input);
      if (this.records.has(rule.id)) throw new AppError('conflict', `rule ${rule.id} already exists`);
      const now = this.options.clock();
      return this.commit({ rule, source: 'api', createdAt: now, updatedAt: now, updatedBy: by });
    });
  }

  /** Replaces rule `id`; a seeded rule becomes admin-owned. */
  update(id: string, input: RuleDefinitionInput, by: string): Promise<RuleRecord> {
    return this.serialised(async () => {
      const rule = parseRule(input);
      if (rule.id !== id) throw new AppError('validation_failed', `the rule's id (${rule.id}) differs from the one in the path (${id})`);
      const existing = this.records.get(id);
      if (!existing) throw new AppError('not_found', `rule ${id} not found`);
      return this.commit({ rule, source: 'api', createdAt: existing.createdAt, updatedAt: this.options.clock(), updatedBy: by });
    });
  }

  /** Deletes an admin rule; seeded ones answer `conflict`. */
  remove(id: string): Promise<void> {
    return this.serialised(async () => {
      const existing = this.records.get(id);
      if (!existing) throw new AppError('not_found', `rule ${id} not found`);
      if (existing.source === 'seed') {
        throw new AppError('conflict', `rule ${id} comes from seeds/rules: remove it there, or disable it with PUT {"enabled": false}`);
      }
      const remaining = [...this.records.values()].filter((record) => record.rule.id !== id);
      const ruleSet = this.validated(remaining.map((record) => record.rule));
      await this.options.store.deleteRules([id]);
      this.records.delete(id);
      this.current = ruleSet;
    });
  }

  private async commit(record: RuleRecord): Promise<RuleRecord> {
    const others = [...this.records.values()].filter((existing) => existing.rule.id !== record.rule.id).map((existing) => existing.rule);
    const ruleSet = this.validated([...others, record.rule]);
    await this.options.store.saveRules([rowOf(record)]);
    this.records.set(record.rule.id, record);
    this.current = ruleSet;
    return record;
  }

  /** The set for `rules`, or `validation_failed` listing what is wrong (paths name the rule by id). */
  private validated(rules: readonly RuleDefinition[]): RuleSet {
    const problems = ruleSetProblems(rules, this.options.seeds.presets);
    if (problems.length > 0) {
      const details: ErrorDetail[] = problems.map((problem) => {
        const match = /^rules\.(\d+)(.*)$/.exec(problem.path);
        const rule = match ? rules[Number(match[1])] : undefined;
        return { path: rule && match ? `${rule.id}${match[2] ?? ''}` : problem.path, message: problem.message };
      });
      throw new AppError('validation_failed', `the rule set would be invalid: ${details[0]?.message ?? ''}`, details);
    }
    return new RuleSet(rules, this.options.seeds.presets);
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function parseRule(input: RuleDefinitionInput): RuleDefinition {
  const parsed = ruleDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    throw new AppError(
      'validation_failed',
      'invalid rule',
      parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
    );
  }
  return parsed.data;
}

function rowOf(record: RuleRecord): RuleRow {
  return {
    id: record.rule.id,
    definition: record.rule,
    source: record.source,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    updatedBy: record.updatedBy,
  };
}
