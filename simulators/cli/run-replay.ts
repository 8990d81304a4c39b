/** `npm run sim -- --replay file.csv --site <id>`: recorded readings replayed as one device. */
import fs from 'node:fs/promises';
import type { Config } from '../../platform/config/config.js';
import { AppError } from '../../platform/errors.js';
import { runService } from '../../platform/lifecycle.js';
import type { Logger } from '../../platform/logger.js';
import { resolveServiceToken, SERVICE_USERS } from '../../platform/security/service-credentials.js';
import { parseReadingsCsv } from '../replay/csv-readings.js';
import { CsvReplay } from '../replay/csv-replay.js';
import type { SimCliOptions } from './options.js';

export interface ReplayRunContext {
  readonly config: Config;
  readonly options: SimCliOptions;
  readonly logger: Logger;
}

export async function runReplay(context: ReplayRunContext): Promise<void> {
  const { options, logger, config } = context;
  const file = options.replayFile ?? '';
  const siteId = options.site ?? '';
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new AppError('not_found', `cannot read ${file}: ${(error as Error).message}`);
  }
  const parsed = parseReadingsCsv(text, file);
  if (parsed.outOfRange > 0) {
    logger.warn({ values: parsed.outOfRange }, 'some values are outside their metric’s physical range; ingest will refuse them');
  }
  const credentials = options.deviceToken
    ? { username: siteId, password: options.deviceToken, clientId: siteId }
    : { username: SERVICE_USERS.simulator, password: await resolveServiceToken(config), clientId: `replay-${siteId}` };
  const replay = new CsvReplay({
    readings: parsed.readings,
    siteId,
    mqttUrl: options.mqttUrl,
    credentials,
    timestamps: options.timestamps,
    speed: options.speed,
    logger: logger.child({ module: 'replay' }),
    onFinished: () => process.emit('SIGTERM', 'SIGTERM'),
  });
  await runService([replay], logger, () => {
    logger.info(
      {
        file,
        siteId,
        layout: parsed.layout,
        readings: parsed.readings.length,
        metrics: parsed.metrics,
        from: new Date(parsed.readings[0]?.ts ?? 0).toISOString(),
        to: new Date(parsed.readings.at(-1)?.ts ?? 0).toISOString(),
        timestamps: options.timestamps,
      },
      'replay running; Ctrl-C to stop',
    );
    if (options.durationSec !== undefined) setTimeout(() => process.emit('SIGTERM', 'SIGTERM'), options.durationSec * 1000).unref();
  });
}
