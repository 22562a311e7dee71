import { i18n } from '../i18n.js'

/** formatTime shows an RFC 3339 time in the UI's language and the browser's time zone. */
export function formatTime(v) {
  if (!v) return i18n.global.t('common.empty')
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  return d.toLocaleString(i18n.global.locale.value, { hour12: false })
}

/** orEmpty shows a dash for a missing value. */
export function orEmpty(v) {
  return v === null || v === undefined || v === '' ? i18n.global.t('common.empty') : v
}

/** todayISO is the browser's calendar day as YYYY-MM-DD (a default for date inputs). */
export function todayISO() {
  const d = new Date()
  const pad = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** daysAfter counts the days from the YYYY-MM-DD day `from` to `to` (negative when to is earlier). */
export function daysAfter(from, to) {
  const a = Date.parse(from + 'T00:00:00Z')
  const b = Date.parse(to + 'T00:00:00Z')
  if (Number.isNaN(a) || Number.isNaN(b)) return 0
  return Math.round((b - a) / 86400000)
}
