/**
 * First-start component: creates the first admin (ADMIN_USERNAME / ADMIN_PASSWORD) when no user
 * exists, and logs a generated password exactly once when ADMIN_PASSWORD is unset.
 */
import { ensureAdminUser } from './bootstrap-admin.js';
import type { Config } from './config/config.js';
import type { Component } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { RegistryStore } from './store/types.js';

export class AdminBootstrap implements Component {
  readonly name = 'admin-bootstrap';

  constructor(
    private readonly options: {
      readonly registry: RegistryStore;
      readonly config: Pick<Config, 'ADMIN_USERNAME' | 'ADMIN_PASSWORD'>;
      readonly logger: Logger;
    },
  ) {}

  async start(): Promise<void> {
    const { registry, config, logger } = this.options;
    const result = await ensureAdminUser({ registry, username: config.ADMIN_USERNAME, password: config.ADMIN_PASSWORD, logger });
    if (result.generatedPassword) {
      logger.warn(
        { username: config.ADMIN_USERNAME, password: result.generatedPassword },
        'first start: generated the admin password — it is shown only this once; set ADMIN_PASSWORD to choose your own',
      );
    }
  }

  async stop(): Promise<void> {}
}
