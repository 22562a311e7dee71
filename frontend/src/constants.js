// Codes the API speaks. Their labels live in the locale files (status.*, roles.*, risk.*).

/** ENTERPRISE_STATUSES in workflow order, with the Element Plus tag type of each. */
export const ENTERPRISE_STATUSES = [
  { value: 'not_applied', tag: 'info' },
  { value: 'applied', tag: 'warning' },
  { value: 'approved', tag: 'primary' },
  { value: 'reopened', tag: 'success' },
  { value: 'suspended', tag: 'danger' },
]

/** STAFF_ROLES are the roles a town admin may create. */
export const STAFF_ROLES = ['supervisor', 'enterprise_hr', 'town_admin']

/** RISK_LEVELS of key areas, with the tag type of each. */
export const RISK_LEVELS = [
  { value: 'high', tag: 'danger' },
  { value: 'medium', tag: 'warning' },
  { value: 'low', tag: 'success' },
]

/**
 * INDUSTRIES are suggestions only: the API takes any industry text. They are stored values
 * (in Chinese, as the township's reports use them), not UI labels.
 */
export const INDUSTRIES = [
  '机械制造', '纺织服装', '食品加工', '化工', '建材', '金属制品', '电子电器',
  '医药', '造纸印刷', '物流运输', '建筑施工', '商贸服务', '其他',
]

/** PAGE_SIZES offered by list pages. */
export const PAGE_SIZES = [10, 20, 50, 100]
