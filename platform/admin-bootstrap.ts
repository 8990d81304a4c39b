/**
 * First-start component: creates the first admin (ADMIN_USERNAME / ADMIN_PASSWORD) when no user
 * exists, and logs a generated password exactly once when ADMIN_PASSWORD is unset.
 *
 * In split mode the registry lives in the ingest process, which may come up after web (compose
 * starts containers in parallel). While the store answers `unavailable`, the bootstrap retries in
 * the background with backoff instead of failing web's startup.
 */
import { ensureAdminUser } from './bootstrap-admin.js';
import type { Config } from './config/config.js';
import { AppError } from './errors.js';
import type { Component } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { RegistryStore } from './store/types.js';

const FIRST_RETRY_MS = 250;
/** Logins answer 503 until the admin exists, so keep the wait after the store comes up short. */
const MAX_RETRY_MS = 2_000;

export class AdminBootstrap implements Component {
  readonly name = 'admin-bootstrap';
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly options: {
      readonly registry: RegistryStore;
      readonly config: Pick<Config, 'ADMIN_USERNAME' | 'ADMIN_PASSWORD'>;
      readonly logger: Logger;
    },
  ) {}

  /** Resolves once the admin exists, or when the store is unavailable and retries were scheduled. */
  async start(): Promise<void> {
    this.stopped = false;
    if (!(await this.attempt())) {
      this.options.logger.warn('store unavailable; will create the first admin as soon as it answers');
      this.scheduleRetry(FIRST_RETRY_MS);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  /** True when done; false when the store was unavailable. Other errors propagate. */
  private async attempt(): Promise<boolean> {
    const { registry, config, logger } = this.options;
    try {
      const result = await ensureAdminUser({ registry, username: config.ADMIN_USERNAME, password: config.ADMIN_PASSWORD, logger });
      if (result.generatedPassword) {
        logger.warn(
          { username: config.ADMIN_USERNAME, password: result.generatedPassword },
          'first start: generated the admin password — it is shown only this once; set ADMIN_PASSWORD to choose your own',
        );
      }
      return true;
    } catch (error) {
      if (error instanceof AppError && error.code === 'unavailable') return false;
      throw error;
    }
  }

  private scheduleRetry(delayMs: number): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.attempt().then(
        (done) => {
          if (!done) this.scheduleRetry(Math.min(delayMs * 2, MAX_RETRY_MS));
        },
        (error: unknown) => this.options.logger.error({ err: error }, 'could not create the first admin'),
      );
    }, delayMs);
  }
}
