/** The error contract over real HTTP: every failure is `{"error":{"code","message"}}` with the right status. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiErrorBodySchema } from '../../../common/errors.js';
import { AppError } from '../../../platform/errors.js';
import { silentLogger } from '../../../platform/logger.js';
import { apiNotFound, errorMiddleware } from '../../../web/server/errors/error-middleware.js';
import { requestId } from '../../../web/server/request-id.js';
import { parseInput } from '../../../web/server/validation.js';

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(requestId());
  app.use(express.json({ limit: '1kb' }));
  app.get('/api/forbidden', () => {
    throw new AppError('forbidden', 'Admins only');
  });
  app.get('/api/async-crash', async () => {
    await Promise.resolve();
    throw new Error('SELECT secret FROM users failed at /srv/db.duckdb');
  });
  app.post('/api/echo', (req, res) => {
    const body = parseInput(z.object({ name: z.string().min(2), count: z.number().int() }), req.body, 'body');
    res.json(body);
  });
  app.use('/api', apiNotFound());
  app.use(errorMiddleware(silentLogger()));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

async function errorOf(response: Response) {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return apiErrorBodySchema.parse(await response.json()).error;
}

describe('error middleware', () => {
  it('maps an AppError to its status and code', async () => {
    const response = await fetch(`${base}/api/forbidden`);
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toEqual({ code: 'forbidden', message: 'Admins only' });
  });

  it('answers unexpected errors with 500 internal and never leaks their message', async () => {
    const response = await fetch(`${base}/api/async-crash`);
    expect(response.status).toBe(500);
    const error = await errorOf(response);
    expect(error.code).toBe('internal');
    expect(error.message).not.toMatch(/secret|duckdb/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('lists every validation problem with its path', async () => {
    const response = await fetch(`${base}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', count: 1.5 }),
    });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('validation_failed');
    expect(error.details?.map((d) => d.path).sort()).toEqual(['count', 'name']);
  });

  it('answers malformed JSON with 400 bad_request', async () => {
    const response = await fetch(`${base}/api/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('bad_request');
  });

  it('answers a body over the limit with 413 payload_too_large', async () => {
    const response = await fetch(`${base}/api/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(4096), count: 1 }),
    });
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('payload_too_large');
  });

  it('answers unknown API paths with 404 not_found', async () => {
    const response = await fetch(`${base}/api/nope?x=1`);
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toEqual({ code: 'not_found', message: 'No API route GET /api/nope' });
  });
});
