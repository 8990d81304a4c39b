/**
 * One alert: severity, rule (in the chosen language), site, value against threshold, age and
 * state; acknowledge with an optional comment, add a comment, jump to the site. Server answers
 * (including 403 for roles that may not acknowledge) are shown in place.
 */
import { type FormEvent, useId, useState } from 'react';
import type { Alert } from '../../../../common/alerts.js';
import { acknowledgeAlert, commentAlert } from '../api/alerts-api.js';
import { ApiError } from '../api/http.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { SEVERITY_COLOR } from '../model/colors.js';
import { alertValueText } from './alert-text.js';

export interface AlertCardProps {
  readonly alert: Alert;
  readonly siteName: string | undefined;
  readonly now: number;
  readonly onJump: (siteId: string) => void;
  readonly onChanged: (alert: Alert) => void;
  /** Compact form for the drawer (no jump button). */
  readonly compact?: boolean;
}

export function AlertCard({ alert, siteName, now, onJump, onChanged, compact = false }: AlertCardProps) {
  const i18n = useI18n();
  const { t, fmt, language, severityLabel, stateLabel } = i18n;
  const [mode, setMode] = useState<'idle' | 'ack' | 'comment'>('idle');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const formId = useId();
  const needsAck = alert.state === 'ACTIVE_UNACK' || alert.state === 'CLEARED_UNACK';

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const updated = mode === 'ack' ? await acknowledgeAlert(alert.id, text) : await commentAlert(alert.id, text);
      onChanged(updated);
      setMode('idle');
      setText('');
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.code === 'forbidden'
          ? t('notAllowed')
          : t('actionFailed', { message: failure instanceof Error ? failure.message : String(failure) }),
      );
    } finally {
      setBusy(false);
    }
  }

  const lastComment = alert.comments.at(-1);
  return (
    <article
      className={`alert-card sev-${alert.severity} state-${alert.state}`}
      data-alert-id={alert.id}
      data-site-id={alert.siteId}
      data-state={alert.state}
      data-severity={alert.severity}
      style={{ borderLeftColor: SEVERITY_COLOR[alert.severity] }}
    >
      <header>
        <span className={`sev-badge sev-${alert.severity}`}>{severityLabel[alert.severity]}</span>
        <span className="alert-rule">{alert.ruleName[language]}</span>
        <time className="alert-age" dateTime={new Date(alert.raisedAt).toISOString()} title={fmt.dateTime(alert.raisedAt)}>
          {fmt.ago(alert.raisedAt, now)}
        </time>
      </header>
      {!compact && (
        <div className="alert-site">
          <code>{alert.siteId}</code> {siteName}
        </div>
      )}
      <div className="alert-value">{alertValueText(alert, i18n)}</div>
      <div className="alert-state muted small">
        {stateLabel[alert.state]}
        {alert.ackedBy && alert.ackedAt !== null && ` · ${t('ackedBy', { user: alert.ackedBy, time: fmt.shortDateTime(alert.ackedAt) })}`}
      </div>
      {lastComment && (
        <blockquote className="alert-comment small">
          <strong>{lastComment.by}</strong> ({fmt.shortDateTime(lastComment.at)}): {lastComment.text}
        </blockquote>
      )}
      {mode === 'idle' ? (
        <div className="alert-actions">
          {needsAck && (
            <button type="button" className="primary" onClick={() => setMode('ack')}>
              {t('acknowledge')}
            </button>
          )}
          <button type="button" onClick={() => setMode('comment')}>
            {t('addComment')}
          </button>
          {!compact && (
            <button type="button" onClick={() => onJump(alert.siteId)}>
              {t('jumpToSite')}
            </button>
          )}
        </div>
      ) : (
        <form className="alert-form" onSubmit={submit}>
          <label htmlFor={formId}>{mode === 'ack' ? t('ackComment') : t('comment')}</label>
          <textarea
            id={formId}
            value={text}
            maxLength={2000}
            rows={2}
            required={mode === 'comment'}
            onChange={(event) => setText(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') setMode('idle');
            }}
          />
          <div className="alert-actions">
            <button type="submit" className="primary" disabled={busy}>
              {mode === 'ack' ? t('ackConfirm') : t('addComment')}
            </button>
            <button type="button" onClick={() => setMode('idle')}>
              {t('cancel')}
            </button>
          </div>
        </form>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </article>
  );
}
