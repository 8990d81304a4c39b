/** The words of notification messages in Vietnamese and English. */
import type { AlertCondition, AlertSeverity } from '../../common/alerts.js';
import type { NotificationKind, NotificationLanguage } from '../../common/notifications.js';

interface Labels {
  readonly severity: Readonly<Record<AlertSeverity, string>>;
  /** Headline per kind; `{minutes}` is the escalation delay. */
  readonly headline: Readonly<Record<NotificationKind, string>>;
  /** What is wrong when the rule watches no metric. */
  readonly condition: Readonly<Record<AlertCondition, string>>;
  readonly site: string;
  readonly province: string;
  readonly formerly: string;
  readonly metric: string;
  readonly value: string;
  readonly peak: string;
  readonly threshold: string;
  readonly severityLabel: string;
  readonly rule: string;
  readonly time: string;
  readonly raisedAt: string;
  readonly acknowledgedBy: string;
  readonly comment: string;
  readonly openMap: string;
  /** Word between the value and the site in one-line messages ("at"). */
  readonly at: string;
  readonly footer: string;
}

export const LABELS: Readonly<Record<NotificationLanguage, Labels>> = {
  vi: {
    severity: { critical: 'NGHIÊM TRỌNG', major: 'CAO', minor: 'TRUNG BÌNH', warning: 'CẢNH BÁO' },
    headline: {
      raised: 'Cảnh báo mới',
      severity_changed: 'Mức độ cảnh báo tăng',
      reminder: 'Nhắc lại: cảnh báo nghiêm trọng chưa được xác nhận',
      escalation: 'Chuyển cấp: cảnh báo nghiêm trọng chưa được xác nhận sau {minutes} phút',
      acknowledged: 'Cảnh báo đã được xác nhận',
      cleared: 'Cảnh báo đã kết thúc',
    },
    condition: {
      threshold: 'Vượt ngưỡng',
      rate: 'Thay đổi quá nhanh',
      swing: 'Dao động trong ngày quá lớn',
      stale: 'Không nhận được dữ liệu',
      stuck: 'Giá trị không thay đổi (nghi hỏng cảm biến)',
      offline: 'Thiết bị mất kết nối',
    },
    site: 'Trạm',
    province: 'Tỉnh/thành',
    formerly: 'trước đây',
    metric: 'Chỉ tiêu',
    value: 'Giá trị',
    peak: 'Giá trị xấu nhất',
    threshold: 'Ngưỡng',
    severityLabel: 'Mức độ',
    rule: 'Quy tắc',
    time: 'Thời gian',
    raisedAt: 'Bắt đầu',
    acknowledgedBy: 'Xác nhận bởi',
    comment: 'Ghi chú',
    openMap: 'Xem trên bản đồ',
    at: 'tại',
    footer: 'Mekong IOC — thông báo tự động. Điều chỉnh đăng ký nhận tin trong ứng dụng.',
  },
  en: {
    severity: { critical: 'CRITICAL', major: 'MAJOR', minor: 'MINOR', warning: 'WARNING' },
    headline: {
      raised: 'New alert',
      severity_changed: 'Alert severity raised',
      reminder: 'Reminder: critical alert not acknowledged',
      escalation: 'Escalated: critical alert unacknowledged for {minutes} min',
      acknowledged: 'Alert acknowledged',
      cleared: 'Alert cleared',
    },
    condition: {
      threshold: 'Threshold crossed',
      rate: 'Changing too fast',
      swing: 'Daily swing too large',
      stale: 'No data received',
      stuck: 'Value stuck (suspected sensor fault)',
      offline: 'Device offline',
    },
    site: 'Site',
    province: 'Province',
    formerly: 'formerly',
    metric: 'Metric',
    value: 'Value',
    peak: 'Worst value',
    threshold: 'Threshold',
    severityLabel: 'Severity',
    rule: 'Rule',
    time: 'Time',
    raisedAt: 'Raised',
    acknowledgedBy: 'Acknowledged by',
    comment: 'Comment',
    openMap: 'Open on the map',
    at: 'at',
    footer: 'Mekong IOC — automatic notification. Manage your subscriptions in the app.',
  },
};
