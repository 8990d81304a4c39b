/**
 * User-facing text. Vietnamese is the operators' language; English is given where an ops term is
 * usually read in English. The full IOC app will replace this table with a vi/en switch.
 */
import type { SiteKind, SiteStatus } from '../../../common/sites.js';

export const STATUS_LABEL: Readonly<Record<SiteStatus, string>> = {
  online: 'Trực tuyến',
  stale: 'Chậm dữ liệu',
  offline: 'Mất kết nối',
  maintenance: 'Bảo trì',
  unknown: 'Chưa có dữ liệu',
};

export const KIND_LABEL: Readonly<Record<SiteKind, string>> = {
  'water-quality': 'Chất lượng nước',
  salinity: 'Độ mặn',
  camera: 'Camera',
};

export const TEXT = {
  appName: 'Mekong IOC',
  appSubtitle: 'Trung tâm giám sát điều hành',
  mapTitle: 'Bản đồ trạm quan trắc',
  loginTitle: 'Đăng nhập hệ thống',
  loginHint: 'Intelligent Operations Center — Đồng bằng sông Cửu Long',
  username: 'Tên đăng nhập',
  password: 'Mật khẩu',
  login: 'Đăng nhập',
  loggingIn: 'Đang đăng nhập…',
  logout: 'Đăng xuất',
  loading: 'Đang tải…',
  networkError: 'Không kết nối được máy chủ. Kiểm tra mạng và thử lại.',
  invalidCredentials: 'Sai tên đăng nhập hoặc mật khẩu.',
  tooManyAttempts: 'Đăng nhập sai quá nhiều lần, vui lòng thử lại sau',
  liveConnected: 'Trực tiếp',
  liveConnecting: 'Đang kết nối…',
  liveDisconnected: 'Mất kết nối máy chủ',
  sites: 'Trạm',
  siteList: 'Danh sách trạm',
  filterPlaceholder: 'Lọc theo mã, tên, tỉnh…',
  noMatch: 'Không có trạm phù hợp',
  province: 'Tỉnh/thành',
  formerProvince: 'trước 01/07/2025',
  status: 'Trạng thái',
  lastSeen: 'Cập nhật lần cuối',
  never: 'chưa từng',
  noValues: 'Chưa có số liệu',
  legend: 'Chú giải',
  legendKinds: 'Loại trạm',
  legendStatus: 'Trạng thái',
  basemapUnavailable: 'Không tải được bản đồ nền ngoại tuyến',
  loadFailed: 'Không tải được danh sách trạm',
  retry: 'Thử lại',
  snapshot: 'Ảnh chụp gần nhất',
  interval: 'Chu kỳ gửi',
} as const;
