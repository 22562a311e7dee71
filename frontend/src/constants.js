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
export const STAFF_ROLES = ['supervisor', 'enterprise_hr', 'town_admin', 'viewer']

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

/** PLAN_STATUSES of a reopening plan version, with the tag type of each (labels: planStatus.*). */
export const PLAN_STATUSES = [
  { value: 'draft', tag: 'info' },
  { value: 'submitted', tag: 'warning' },
  { value: 'approved', tag: 'success' },
  { value: 'rejected', tag: 'danger' },
]

/** INSPECTION_ITEMS are the on-site checklist items, in display order (labels: inspection.items.*). */
export const INSPECTION_ITEMS = [
  'temperature_check',
  'masks_worn',
  'disinfection_log',
  'isolation_room_ready',
  'roster_up_to_date',
  'canteen_staggered',
]

/** RECTIFICATION_STATES of an inspection's follow-up, with the tag type of each (labels: rectification.states.*). */
export const RECTIFICATION_STATES = [
  { value: 'none', tag: 'info' },
  { value: 'open', tag: 'warning' },
  { value: 'overdue', tag: 'danger' },
  { value: 'closed', tag: 'success' },
]

/** SUPPLY_MIN_DAYS: supplies lasting fewer days than this are shown in red (the server's rule is the same). */
export const SUPPLY_MIN_DAYS = 3

/** WORKER_STATUSES of a roster entry, in workflow order, with the tag type of each (labels: workerStatus.*). */
export const WORKER_STATUSES = [
  { value: 'expected', tag: 'info' },
  { value: 'isolating', tag: 'warning' },
  { value: 'on_duty', tag: 'success' },
  { value: 'left', tag: 'info' },
  { value: 'in_hospital', tag: 'danger' },
]

/** PASS_COLORS of a 复工码, best first, with the Element Plus tag type of each (labels: passes.colors.*). */
export const PASS_COLORS = [
  { value: 'green', tag: 'success' },
  { value: 'yellow', tag: 'warning' },
  { value: 'red', tag: 'danger' },
]

/**
 * TRANSPORTS are suggestions for how a worker travelled back; the API takes any text (a train
 * number, say). Stored values, in Chinese as the roster workbook has them, not UI labels.
 */
export const TRANSPORTS = ['自驾', '火车', '飞机', '长途汽车', '其他']

/** SYMPTOMS a check-in may report, in form order (labels: checkin.symptoms.*). */
export const SYMPTOMS = [
  'fever',
  'dry_cough',
  'fatigue',
  'sore_throat',
  'shortness_of_breath',
  'diarrhea',
  'loss_of_taste_smell',
  'other',
]

/** LOCATIONS of a worker at check-in time (labels: checkin.locations.*). */
export const LOCATIONS = ['work', 'home', 'isolation']

/** SLOTS of the day (labels: checkin.slots.*). */
export const SLOTS = ['am', 'pm']

/** ALERT_TYPES (labels: alert.types.*). */
export const ALERT_TYPES = [
  'fever',
  'symptoms',
  'missed_checkin',
  'isolation_ending',
  'repeated_fever',
  'key_area_arrival',
  'unregistered_arrival',
  'early_arrival',
  'unapproved_work',
  'shift_over_capacity',
  'discrepancy',
]

/** ALERT_STATUSES in lifecycle order, with the tag type of each (labels: alert.statuses.*). */
export const ALERT_STATUSES = [
  { value: 'open', tag: 'danger' },
  { value: 'acknowledged', tag: 'warning' },
  { value: 'resolved', tag: 'success' },
]

/** AUDIT_FAMILIES are the kinds of audited action, for the audit log's filter (labels: audit.familyNames.*). */
export const AUDIT_FAMILIES = ['auth', 'access', 'township', 'user', 'enterprise', 'plan', 'inspection', 'worker', 'roster', 'report', 'retention', 'alert']

/** AUDIT_ACTIONS are the audited actions (labels: audit.actions.*, dots as underscores). */
export const AUDIT_ACTIONS = [
  'auth.login',
  'auth.login_failed',
  'auth.worker_login',
  'auth.worker_login_failed',
  'auth.token_reuse',
  'access.denied',
  'township.create',
  'township.update',
  'user.create',
  'user.update',
  'user.password',
  'user.password_refused',
  'enterprise.create',
  'enterprise.update',
  'enterprise.supervisors',
  'enterprise.reopen',
  'plan.create',
  'plan.submit',
  'plan.approved',
  'plan.rejected',
  'inspection.create',
  'inspection.close',
  'alert.acknowledge',
  'alert.resolve',
  'worker.create',
  'worker.update',
  'worker.assign',
  'worker.reveal',
  'roster.import',
  'roster.export',
  'report.daily',
  'report.range',
  'retention.run',
]

/** CHANNEL_SCOPES: whose group a channel reaches, in the order the form offers them (labels: channel.scopes.*). */
export const CHANNEL_SCOPES = ['township', 'zone', 'enterprise', 'supervisor']

/** CHANNEL_KINDS: the robot platforms, in the order the form offers them (labels: channel.kinds.*). */
export const CHANNEL_KINDS = ['wecom', 'dingtalk', 'feishu', 'webhook']

/** MESSAGE_TYPES a channel can switch off, in form order (labels: channel.types.*). */
export const MESSAGE_TYPES = ['alert', 'reminder', 'missed', 'summary', 'report']

/**
 * SCOPE_TYPES are the message types each scope's groups get. A saved channel carries its own
 * list (types, from the server); this is for the switches of a channel not yet saved, and
 * mirrors domain.scopeTypes.
 */
export const SCOPE_TYPES = {
  township: ['summary', 'report'],
  zone: ['missed'],
  enterprise: ['alert', 'reminder', 'missed'],
  supervisor: ['alert'],
}

/** MESSAGE_STATUSES of a group message, with the tag type of each (labels: groupMessage.statuses.*). */
export const MESSAGE_STATUSES = [
  { value: 'pending', tag: 'info' },
  { value: 'sent', tag: 'success' },
  { value: 'failed', tag: 'danger' },
  { value: 'merged', tag: 'primary' },
]

/** TEST_OUTCOMES of a test message, with the tag type of each (labels: channel.outcomes.*). */
export const TEST_OUTCOMES = [
  { value: 'ok', tag: 'success' },
  { value: 'retry', tag: 'warning' },
  { value: 'permanent', tag: 'danger' },
]
