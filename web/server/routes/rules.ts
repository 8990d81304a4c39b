/**
 * Alert rule routes: everyone logged in reads the rules and presets; admins create, replace and
 * delete rules. Changes apply at once, without a restart: the alert engine validates the whole rule
 * set, stores it and re-evaluates the affected sites. Seeded rules can be replaced (they become
 * admin-owned) or disabled, not deleted.
 */
import { z } from 'zod';
import {
  presetListResponseSchema,
  ruleDefinitionSchema,
  ruleIdSchema,
  ruleListResponseSchema,
  ruleRecordSchema,
} from '../../../common/alert-rules.js';
import { notFound } from '../../../platform/errors.js';
import type { WebContext } from '../context.js';
import { alertingUnavailable, alertsOf, usernameOf } from './alerts.js';
import { errorResponses } from './common-responses.js';
import { type ApiRoute, defineRoute, sendJson } from './route-spec.js';

const ruleParams = z.object({ id: ruleIdSchema });

export function ruleRoutes(ctx: WebContext): ApiRoute[] {
  const log = ctx.logger.child({ module: 'rules' });
  return [
    defineRoute({
      method: 'get',
      path: '/api/rules',
      operationId: 'listRules',
      summary: 'Every alert rule (seeded and admin-made), with where it came from',
      tag: 'rules',
      access: 'session',
      responses: {
        200: { description: 'Rules by id', schema: ruleListResponseSchema },
        ...errorResponses.unauthenticated,
        ...alertingUnavailable,
      },
      handle: async ({ res }) => {
        sendJson(res, 200, ruleListResponseSchema, { rules: await alertsOf(ctx).listRules() });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/rules/:id',
      operationId: 'getRule',
      summary: 'One alert rule',
      tag: 'rules',
      access: 'session',
      params: ruleParams,
      responses: {
        200: { description: 'The rule', schema: ruleRecordSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.notFound,
        ...alertingUnavailable,
      },
      handle: async ({ params, res }) => {
        const record = (await alertsOf(ctx).listRules()).find((candidate) => candidate.rule.id === params.id);
        if (!record) throw notFound(`Rule ${params.id}`);
        sendJson(res, 200, ruleRecordSchema, record);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/rules',
      operationId: 'createRule',
      summary: 'Create an alert rule — admin only; applies at once',
      description:
        'A condition rule (`threshold`, `rate`, `swing`, `stale`, `stuck`, `offline`) or a `preset` rule applying a preset (`GET /api/rule-presets`) to a kind or to sites with overrides. 409 `conflict` when the id is taken; 400 `validation_failed` when the rule, or the rule set with it, is invalid (e.g. the preset is already applied to the same kind).',
      tag: 'rules',
      access: 'admin',
      body: ruleDefinitionSchema,
      responses: {
        201: { description: 'The stored rule', schema: ruleRecordSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.conflict,
        ...alertingUnavailable,
      },
      handle: async ({ body, auth, req, res }) => {
        const by = usernameOf(auth);
        const record = await alertsOf(ctx).createRule(body, by);
        log.info({ ruleId: record.rule.id, by }, 'alert rule created');
        await ctx.audit.record(req, res, { action: 'rule.create', target: record.rule.id, detail: { enabled: record.rule.enabled } });
        sendJson(res, 201, ruleRecordSchema, record);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/rules/:id',
      operationId: 'replaceRule',
      summary: 'Replace an alert rule — admin only; applies at once',
      description:
        'The body is the whole rule; its `id` must be the one in the path. A seeded rule becomes admin-owned (the seed no longer overwrites it); `"enabled": false` switches a rule off and clears its open alerts.',
      tag: 'rules',
      access: 'admin',
      params: ruleParams,
      body: ruleDefinitionSchema,
      responses: {
        200: { description: 'The stored rule', schema: ruleRecordSchema },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
        ...alertingUnavailable,
      },
      handle: async ({ params, body, auth, req, res }) => {
        const by = usernameOf(auth);
        const record = await alertsOf(ctx).updateRule(params.id, body, by);
        log.info({ ruleId: params.id, by }, 'alert rule replaced');
        await ctx.audit.record(req, res, { action: 'rule.update', target: params.id, detail: { enabled: record.rule.enabled } });
        sendJson(res, 200, ruleRecordSchema, record);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/rules/:id',
      operationId: 'deleteRule',
      summary: 'Delete an admin-made alert rule — admin only; its open alerts clear',
      description: 'Seeded rules answer 409 `conflict`: remove them from seeds/rules, or disable them with PUT.',
      tag: 'rules',
      access: 'admin',
      params: ruleParams,
      responses: {
        204: { description: 'Deleted' },
        ...errorResponses.validation,
        ...errorResponses.unauthenticated,
        ...errorResponses.forbidden,
        ...errorResponses.notFound,
        ...errorResponses.conflict,
        ...alertingUnavailable,
      },
      handle: async ({ params, auth, req, res }) => {
        const by = usernameOf(auth);
        await alertsOf(ctx).deleteRule(params.id, by);
        log.info({ ruleId: params.id, by }, 'alert rule deleted');
        await ctx.audit.record(req, res, { action: 'rule.delete', target: params.id });
        res.status(204).end();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/rule-presets',
      operationId: 'listRulePresets',
      summary: 'Rule presets sites can opt into (QCVN 02-19:2014 shrimp ponds, salinity intrusion, …), with their sources',
      tag: 'rules',
      access: 'session',
      responses: {
        200: { description: 'Presets from seeds/rules/presets', schema: presetListResponseSchema },
        ...errorResponses.unauthenticated,
        ...alertingUnavailable,
      },
      handle: async ({ res }) => {
        sendJson(res, 200, presetListResponseSchema, { presets: await alertsOf(ctx).listPresets() });
      },
    }),
  ];
}
